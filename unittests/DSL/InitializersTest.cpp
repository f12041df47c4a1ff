//===- InitializersTest.cpp - Seeded initializers
//---------------------------===//
//
// Each initializer's values against its definition: constants exactly,
// random ones by their bounds and moments over enough draws that the
// tolerances hold with overwhelming probability, and seeding: one seed, one
// model; another seed, another model.
//
//===----------------------------------------------------------------------===//

#include "TestUtils.h"

#include <cmath>

using namespace kiln::dsl;

namespace {

struct Moments {
  double mean = 0, stddev = 0, min = 1e300, max = -1e300;
};

Moments momentsOf(const std::vector<float> &v) {
  Moments m;
  for (float x : v) {
    m.mean += x;
    m.min = std::min(m.min, (double)x);
    m.max = std::max(m.max, (double)x);
  }
  m.mean /= v.size();
  for (float x : v)
    m.stddev += (x - m.mean) * (x - m.mean);
  m.stddev = std::sqrt(m.stddev / v.size());
  return m;
}

TEST(DSLInitializers, Constants) {
  uint64_t state = 1;
  for (float v : init::generate(init::zeros(), {3, 4}, state))
    EXPECT_EQ(v, 0.0f);
  for (float v : init::generate(init::ones(), {5}, state))
    EXPECT_EQ(v, 1.0f);
  for (float v : init::generate(init::constant(0.25), {2, 2}, state))
    EXPECT_EQ(v, 0.25f);
  EXPECT_EQ(state, 1u) << "constant initializers draw nothing";
}

TEST(DSLInitializers, UniformAndNormal) {
  uint64_t state = 42;
  // 40000 draws: the sample mean's standard error is stddev / 200.
  Moments u =
      momentsOf(init::generate(init::uniform(-2, 4), {200, 200}, state));
  EXPECT_GE(u.min, -2.0);
  EXPECT_LT(u.max, 4.0);
  EXPECT_NEAR(u.mean, 1.0, 0.05);
  EXPECT_NEAR(u.stddev, 6.0 / std::sqrt(12.0), 0.03);
  Moments n =
      momentsOf(init::generate(init::normal(0.5, 2.0), {200, 200}, state));
  EXPECT_NEAR(n.mean, 0.5, 0.05);
  EXPECT_NEAR(n.stddev, 2.0, 0.04);
}

TEST(DSLInitializers, GlorotAndHeScaling) {
  uint64_t state = 3;
  // A [300, 100] matrix: fan-in 300, fan-out 100.
  double glorotLimit = std::sqrt(6.0 / 400.0);
  Moments gu =
      momentsOf(init::generate(init::glorotUniform(), {300, 100}, state));
  EXPECT_GE(gu.min, -glorotLimit);
  EXPECT_LT(gu.max, glorotLimit);
  EXPECT_GT(gu.max, 0.99 * glorotLimit);
  Moments gn =
      momentsOf(init::generate(init::glorotNormal(), {300, 100}, state));
  EXPECT_NEAR(gn.stddev, std::sqrt(2.0 / 400.0), 0.02 * std::sqrt(2.0 / 400.0));
  Moments hn = momentsOf(init::generate(init::heNormal(), {300, 100}, state));
  EXPECT_NEAR(hn.stddev, std::sqrt(2.0 / 300.0), 0.02 * std::sqrt(2.0 / 300.0));
  // A convolution kernel [F=16, C=8, 3, 3]: fan-in 72.
  double heLimit = std::sqrt(6.0 / 72.0);
  Moments hu =
      momentsOf(init::generate(init::heUniform(), {16, 8, 3, 3}, state));
  EXPECT_GE(hu.min, -heLimit);
  EXPECT_LT(hu.max, heLimit);
  EXPECT_GT(hu.max, 0.95 * heLimit);
}

TEST(DSLInitializers, SeededModels) {
  auto weights = [](uint64_t seed) {
    Graph g(seed);
    Tensor x = g.input("x", {dyn, 4});
    g.output(Dense(3)(Dense(5, Activation::Relu)(x)));
    Model m(std::move(g));
    kiln::Tensor w = m.parameter("dense_1.kernel");
    return std::vector<float>(w.data<float>(), w.data<float>() + w.size());
  };
  EXPECT_EQ(weights(7), weights(7));
  EXPECT_NE(weights(7), weights(8));
}

TEST(DSLInitializers, BadArguments) {
  EXPECT_THROW(init::uniform(1, 0), Error);
  EXPECT_THROW(init::normal(0, -1), Error);
}

} // namespace
