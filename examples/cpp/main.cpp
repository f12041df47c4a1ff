// Runs a model compiled by Kiln from a C++ program, with the RAII wrapper.
//
//   kiln compile model.onnx -o model.so
//   kiln_example_cpp model.so NAME=input.npy... [--threads N]
//
// Inputs are matched to the model's inputs by name. Each output is printed
// and saved as NAME.npy in the current directory. Errors arrive as
// kiln::Error exceptions carrying the runtime's status and message.
#include <kiln/runtime.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <string>

int main(int argc, char **argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0]
              << " MODEL.so NAME=INPUT.npy... [--threads N]\n";
    return 2;
  }
  try {
    std::map<std::string, std::string> files;
    for (int i = 2; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--threads" && i + 1 < argc) {
        kiln::setNumThreads(std::stoi(argv[++i]));
        continue;
      }
      size_t eq = arg.find('=');
      if (eq == std::string::npos)
        throw std::runtime_error("expected NAME=FILE, got '" + arg + "'");
      files[arg.substr(0, eq)] = arg.substr(eq + 1);
    }

    kiln::Model model(argv[1]);
    std::vector<kiln::Tensor> inputs;
    for (size_t i = 0; i < model.numInputs(); ++i) {
      std::string name = model.input(i).name;
      auto file = files.find(name);
      if (file == files.end())
        throw std::runtime_error("no file given for input '" + name + "'");
      inputs.push_back(kiln::Tensor::loadNpy(file->second));
    }
    std::vector<const kiln::Tensor *> pointers;
    for (const kiln::Tensor &t : inputs)
      pointers.push_back(&t);

    std::vector<kiln::Tensor> outputs = model.run(pointers);
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string name = model.output(i).name;
      std::cout << name << ": shape [";
      for (int64_t d : outputs[i].shape())
        std::cout << " " << d;
      std::cout << " ]";
      if (outputs[i].dtype() == KILN_DTYPE_F32)
        for (size_t k = 0; k < outputs[i].size() && k < 8; ++k)
          std::cout << " " << outputs[i].data<float>()[k];
      std::cout << "\n";
      outputs[i].saveNpy(name + ".npy");
    }
  } catch (const kiln::Error &e) {
    std::cerr << "kiln_example_cpp: " << e.what() << " ("
              << kiln_status_string(e.status()) << ")\n";
    return 1;
  } catch (const std::exception &e) {
    std::cerr << "kiln_example_cpp: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
