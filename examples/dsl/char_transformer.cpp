// A tiny transformer language model over characters with the C++ builder
// DSL: token and position embeddings, one causal self-attention block with
// a feed-forward layer (pre-norm, residual connections), and a softmax over
// the next character. Trained on examples/dsl/data/tiny_corpus.txt.
//
//   prepare_data.py DATA text && dsl-char-transformer DATA
//
// Must predict the next character of held-out windows with at least 45%
// accuracy (a model that always guesses the most common character, ' ',
// gets about 20%) and then writes a few characters of greedy samples.
#include "kiln/Frontends/DSL/Layers.h"
#include "kiln/Frontends/DSL/Model.h"

#include <cstdio>
#include <fstream>
#include <sstream>
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
      return kiln::Tensor::loadNpy(dir + "/text_" + name + ".npy");
    };
    kiln::Tensor xTrain = load("x_train"), yTrain = load("y_train");
    kiln::Tensor xVal = load("x_val"), yVal = load("y_val");
    std::ifstream vocabFile(dir + "/text_vocab.txt");
    std::stringstream vocabText;
    vocabText << vocabFile.rdbuf();
    std::string vocab = vocabText.str();
    const int64_t V = (int64_t)vocab.size(), T = 16, E = 32;

    Graph g(/*seed=*/4);
    Tensor tokens = g.input("tokens", {dyn, T}, DType::I64);
    Tensor positions = g.parameter("position", {T, E}, init::normal(0, 0.02));
    Tensor h = Embedding(V, E)(tokens) + positions;
    h = h + MultiHeadAttention(2, 16).causal(true)(LayerNorm()(h));
    h = h + Dense(E)(Dense(4 * E, Activation::Gelu)(LayerNorm()(h)));
    h = LayerNorm()(h);
    // The last position has seen the whole window: it predicts what follows.
    Tensor last = squeeze(slice(h, 1, T - 1, T), {1});
    g.output("next", Dense(V, Activation::Softmax)(last));
    Model model(std::move(g));
    // A model this small trains in a fraction of a second per epoch; LLVM's
    // -O3 on the unrolled training step would take longer than training.
    Target target;
    target.optLevel = 1;
    model.compile(target, loss::crossEntropy(), optim::adam(3e-3),
                  {Metric::Accuracy});

    FitOptions options;
    options.epochs = 12;
    options.batchSize = 64;
    options.seed = 4;
    History history = model.fit(xTrain, yTrain, options);

    Evaluation val = model.evaluate(xVal, yVal);
    double accuracy = val.metrics["accuracy"];
    std::printf("char transformer: train loss %.4f -> %.4f, val loss %.4f, "
                "val next-char accuracy %.3f\n",
                history.loss.front(), history.loss.back(), val.loss, accuracy);

    // Greedy generation from a prompt of T characters.
    std::string text = "the potter makes";
    text.resize(T, ' ');
    for (int step = 0; step < 40; ++step) {
      kiln::Tensor window = kiln::Tensor::zeros(KILN_DTYPE_I64, {1, T});
      for (int64_t i = 0; i < T; ++i) {
        size_t id = vocab.find(text[text.size() - T + i]);
        window.data<int64_t>()[i] = id == std::string::npos ? 0 : (int64_t)id;
      }
      kiln::Tensor p = model.predict(window);
      int64_t best = 0;
      for (int64_t c = 1; c < V; ++c)
        if (p.data<float>()[c] > p.data<float>()[best])
          best = c;
      text += vocab[best];
    }
    std::printf("sample: \"%s\"\n", text.c_str());
    if (accuracy < 0.45) {
      std::printf("FAILED: val accuracy %.3f is below 0.45\n", accuracy);
      return 1;
    }
    std::printf("PASSED: val next-char accuracy >= 0.45\n");
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
