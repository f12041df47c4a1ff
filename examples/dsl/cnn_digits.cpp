// A CNN classifier on sklearn's 8x8 digits with the C++ builder DSL:
// Conv2D, MaxPool2D, Flatten, Dense, softmax, categorical cross-entropy,
// Adam. Also saves the trained model as ONNX and as an AOT library.
//
//   prepare_data.py DATA digits && dsl-cnn-digits DATA [OUT_DIR]
//
// Must reach at least 93% accuracy on the held-out 20%.
#include "kiln/Frontends/DSL/Layers.h"
#include "kiln/Frontends/DSL/Model.h"

#include <cstdio>
#include <string>

using namespace kiln::dsl;

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR [OUT_DIR]\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  try {
    auto load = [&](const char *name) {
      return kiln::Tensor::loadNpy(dir + "/digits_" + name + ".npy");
    };
    kiln::Tensor xTrain = load("x_train"), yTrain = load("y_train");
    kiln::Tensor xVal = load("x_val"), yVal = load("y_val");

    Graph g(/*seed=*/3);
    Tensor image = g.input("image", {dyn, 1, 8, 8});
    Tensor h =
        Conv2D(16, {3, 3}, Activation::Relu).padding(Padding::Same)(image);
    h = MaxPool2D({2, 2})(h); // 16 x 4 x 4
    h = Conv2D(32, {3, 3}, Activation::Relu).padding(Padding::Same)(h);
    h = MaxPool2D({2, 2})(h); // 32 x 2 x 2
    h = Flatten()(h);
    g.output("probs", Dense(10, Activation::Softmax)(h));
    Model model(std::move(g));
    model.compile(Target(), loss::crossEntropy(), optim::adam(1e-2),
                  {Metric::Accuracy});

    FitOptions options;
    options.epochs = 8;
    options.batchSize = 32;
    options.seed = 3;
    History history = model.fit(xTrain, yTrain, options);

    Evaluation val = model.evaluate(xVal, yVal);
    double accuracy = val.metrics["accuracy"];
    std::printf("CNN digits: train loss %.4f -> %.4f, val loss %.4f, val "
                "accuracy %.3f\n",
                history.loss.front(), history.loss.back(), val.loss, accuracy);
    if (argc == 3) {
      model.saveOnnx(std::string(argv[2]) + "/digits.onnx");
      model.saveLibrary(std::string(argv[2]) + "/digits.so");
    }
    if (accuracy < 0.93) {
      std::printf("FAILED: val accuracy %.3f is below 0.93\n", accuracy);
      return 1;
    }
    std::printf("PASSED: val accuracy >= 0.93\n");
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
