//===- Initializers.cpp - Seeded parameter initializers -------------------===//
//
// Zeros, ones, constants, normal and uniform draws, and Glorot/He scaling.
// The generator is splitmix64 and the normal draw Box-Muller, both written
// out here rather than taken from <random>, whose distributions differ
// between standard libraries: one seed gives one model everywhere.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontends/DSL/Graph.h"

#include <cmath>

using namespace kiln::dsl;

namespace {

uint64_t next(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Uniform in [0, 1) with 53 random bits.
double unit(uint64_t &state) { return (next(state) >> 11) * 0x1.0p-53; }

double normalDraw(uint64_t &state) {
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  double u = 1.0 - unit(state), v = unit(state);
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
}

/// Fan-in and fan-out: [in, out] for a matrix, [F, C, KH, KW] for a
/// convolution kernel (each position of the window counts).
void fans(const std::vector<int64_t> &shape, double &fanIn, double &fanOut) {
  if (shape.empty()) {
    fanIn = fanOut = 1;
  } else if (shape.size() == 1) {
    fanIn = fanOut = (double)shape[0];
  } else {
    double receptive = 1;
    for (size_t i = 2; i < shape.size(); ++i)
      receptive *= (double)shape[i];
    if (shape.size() == 2) {
      fanIn = (double)shape[0];
      fanOut = (double)shape[1];
    } else {
      fanIn = (double)shape[1] * receptive;
      fanOut = (double)shape[0] * receptive;
    }
  }
}

} // namespace

namespace kiln::dsl::init {

Initializer zeros() { return {Initializer::Kind::Zeros}; }
Initializer ones() { return {Initializer::Kind::Ones}; }
Initializer constant(double value) {
  return {Initializer::Kind::Constant, value};
}
Initializer normal(double mean, double stddev) {
  if (!(stddev >= 0))
    throw Error("init::normal needs a non-negative stddev, got " +
                std::to_string(stddev));
  return {Initializer::Kind::Normal, mean, stddev};
}
Initializer uniform(double low, double high) {
  if (!(low <= high))
    throw Error("init::uniform needs low <= high, got [" + std::to_string(low) +
                ", " + std::to_string(high) + ")");
  return {Initializer::Kind::Uniform, low, high};
}
Initializer glorotUniform() { return {Initializer::Kind::GlorotUniform}; }
Initializer glorotNormal() { return {Initializer::Kind::GlorotNormal}; }
Initializer heUniform() { return {Initializer::Kind::HeUniform}; }
Initializer heNormal() { return {Initializer::Kind::HeNormal}; }

std::vector<float> generate(const Initializer &initializer,
                            const std::vector<int64_t> &shape,
                            uint64_t &state) {
  size_t count = 1;
  for (int64_t d : shape)
    count *= (size_t)d;
  double fanIn, fanOut;
  fans(shape, fanIn, fanOut);
  std::vector<float> values(count);
  auto uniformIn = [&](double low, double high) {
    for (float &v : values)
      v = (float)(low + (high - low) * unit(state));
  };
  auto normalWith = [&](double mean, double stddev) {
    for (float &v : values)
      v = (float)(mean + stddev * normalDraw(state));
  };
  using Kind = Initializer::Kind;
  switch (initializer.kind) {
  case Kind::Zeros:
    break;
  case Kind::Ones:
    std::fill(values.begin(), values.end(), 1.0f);
    break;
  case Kind::Constant:
    std::fill(values.begin(), values.end(), (float)initializer.a);
    break;
  case Kind::Normal:
    normalWith(initializer.a, initializer.b);
    break;
  case Kind::Uniform:
    uniformIn(initializer.a, initializer.b);
    break;
  case Kind::GlorotUniform: {
    double limit = std::sqrt(6.0 / (fanIn + fanOut));
    uniformIn(-limit, limit);
    break;
  }
  case Kind::GlorotNormal:
    normalWith(0.0, std::sqrt(2.0 / (fanIn + fanOut)));
    break;
  case Kind::HeUniform: {
    double limit = std::sqrt(6.0 / fanIn);
    uniformIn(-limit, limit);
    break;
  }
  case Kind::HeNormal:
    normalWith(0.0, std::sqrt(2.0 / fanIn));
    break;
  }
  return values;
}

} // namespace kiln::dsl::init
