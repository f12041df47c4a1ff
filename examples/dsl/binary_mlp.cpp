// A binary MLP classifier on sklearn's breast_cancer data with the C++
// builder DSL: two hidden ReLU layers, a sigmoid output, binary
// cross-entropy, Adam.
//
//   prepare_data.py DATA breast_cancer && dsl-binary-mlp DATA
//
// Must reach at least 95% accuracy on the held-out 20%.
#include "kiln/Frontends/DSL/Layers.h"
#include "kiln/Frontends/DSL/Model.h"

#include <cstdio>
#include <string>

using namespace kiln::dsl;

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  try {
    auto load = [&](const char *name) {
      return kiln::Tensor::loadNpy(dir + "/breast_cancer_" + name + ".npy");
    };
    kiln::Tensor xTrain = load("x_train"), yTrain = load("y_train");
    kiln::Tensor xVal = load("x_val"), yVal = load("y_val");

    Graph g(/*seed=*/2);
    Tensor x = g.input("x", {dyn, 30});
    Tensor h = Dense(16, Activation::Relu)(x);
    h = Dropout(0.1)(h);
    h = Dense(8, Activation::Relu)(h);
    // Probabilities out; the loss trains on the logits before the sigmoid.
    g.output("p", Dense(1, Activation::Sigmoid)(h));
    Model model(std::move(g));
    model.compile(Target(), loss::binaryCrossEntropy(), optim::adam(1e-2),
                  {Metric::BinaryAccuracy});

    FitOptions options;
    options.epochs = 20;
    options.batchSize = 32;
    options.seed = 2;
    options.validationInputs = {&xVal};
    options.validationLabels = &yVal;
    History history = model.fit(xTrain, yTrain, options);

    Evaluation val = model.evaluate(xVal, yVal);
    double accuracy = val.metrics["binary_accuracy"];
    std::printf("binary MLP: train loss %.4f -> %.4f, val loss %.4f, val "
                "accuracy %.3f\n",
                history.loss.front(), history.loss.back(), val.loss, accuracy);
    if (accuracy < 0.95) {
      std::printf("FAILED: val accuracy %.3f is below 0.95\n", accuracy);
      return 1;
    }
    std::printf("PASSED: val accuracy >= 0.95\n");
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
