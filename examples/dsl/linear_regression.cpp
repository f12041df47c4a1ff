// Linear regression on sklearn's diabetes data with the C++ builder DSL:
// one Dense unit, mean squared error, plain SGD.
//
//   prepare_data.py DATA diabetes && dsl-linear-regression DATA
//
// Features and target are standardized by prepare_data.py; the model must
// explain at least half of the held-out variance (R^2 >= 0.50; the exact
// least-squares solution reaches 0.595 on this split).
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
      return kiln::Tensor::loadNpy(dir + "/diabetes_" + name + ".npy");
    };
    kiln::Tensor xTrain = load("x_train"), yTrain = load("y_train");
    kiln::Tensor xVal = load("x_val"), yVal = load("y_val");

    Graph g(/*seed=*/1);
    Tensor x = g.input("x", {dyn, 10});
    g.output("y", Dense(1, Activation::None, "linear")(x));
    Model model(std::move(g));
    model.compile(Target(), loss::mse(), optim::sgd(0.05),
                  {Metric::MeanAbsoluteError});

    FitOptions options;
    options.epochs = 40;
    options.batchSize = 32;
    options.seed = 1;
    options.validationInputs = {&xVal};
    options.validationLabels = &yVal;
    History history = model.fit(xTrain, yTrain, options);

    // R^2 = 1 - MSE / variance of the held-out target.
    kiln::Tensor prediction = model.predict(xVal);
    double mean = 0, total = 0, residual = 0;
    size_t n = yVal.size();
    for (size_t i = 0; i < n; ++i)
      mean += yVal.data<float>()[i] / n;
    for (size_t i = 0; i < n; ++i) {
      double y = yVal.data<float>()[i], p = prediction.data<float>()[i];
      total += (y - mean) * (y - mean);
      residual += (y - p) * (y - p);
    }
    double r2 = 1 - residual / total;
    std::printf("linear regression: train loss %.4f -> %.4f, val mse %.4f, "
                "val R^2 %.3f\n",
                history.loss.front(), history.loss.back(),
                history.validation.back().loss, r2);
    if (r2 < 0.50) {
      std::printf("FAILED: val R^2 %.3f is below 0.50\n", r2);
      return 1;
    }
    std::printf("PASSED: val R^2 >= 0.50\n");
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
