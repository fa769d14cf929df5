// Tests of the marginal distributions: quantiles against closed forms, moments, validation.
#include "sampling/distribution.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

namespace tmex::sampling {
namespace {

struct Moments {
  double mean;
  double variance;
};

// Mean and variance of Q(U) by the midpoint rule on a fine grid of u: the sample moments of a
// midpoint Latin hypercube of size n.
Moments grid_moments(const Distribution& d, int n = 200000) {
  double s = 0.0, s2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = d.quantile((i + 0.5) / n);
    s += x;
    s2 += x * x;
  }
  const double mean = s / n;
  return {mean, s2 / n - mean * mean};
}

double phi(double x) { return boost::math::pdf(boost::math::normal(), x); }
double z(double p) { return boost::math::quantile(boost::math::normal(), p); }

TEST(Distribution, UniformAndLogUniform) {
  const auto u = Distribution::uniform(2.0, 5.0);
  EXPECT_DOUBLE_EQ(u.quantile(0.3), 2.9);
  const auto m = grid_moments(u);
  EXPECT_NEAR(m.mean, 3.5, 1e-9);
  EXPECT_NEAR(m.variance, 0.75, 1e-6);

  const auto l = Distribution::log_uniform(0.1, 10.0);
  EXPECT_NEAR(l.quantile(0.5), 1.0, 1e-12);
  EXPECT_NEAR(l.quantile(0.75), std::sqrt(10.0), 1e-12);
  EXPECT_NEAR(grid_moments(l).mean, 9.9 / std::log(100.0), 1e-6);
}

TEST(Distribution, NormalQuantilesAndMoments) {
  const auto d = Distribution::normal(1.0, 2.0);
  EXPECT_NEAR(d.quantile(0.975), 1.0 + 2.0 * 1.959963984540054, 1e-12);
  EXPECT_NEAR(d.quantile(0.5), 1.0, 1e-15);
  const auto m = grid_moments(d);
  EXPECT_NEAR(m.mean, 1.0, 1e-9);
  EXPECT_NEAR(m.variance, 4.0, 4.0 * 2e-4);  // midpoint rule loses a little tail mass
}

TEST(Distribution, TruncatedNormalMatchesClosedFormMoments) {
  struct Case {
    double mean, sd, lo, hi;
  };
  // Includes a far upper tail (8..9 sd) that a naive Phi-difference would lose.
  for (const Case c : {Case{0.0, 1.0, -1.0, 2.0}, Case{10.0, 3.0, 4.0, 11.0},
                       Case{0.0, 1.0, 8.0, 9.0}, Case{0.0, 1.0, -9.0, -8.0}}) {
    const auto d = Distribution::truncated_normal(c.mean, c.sd, c.lo, c.hi);
    const double a = (c.lo - c.mean) / c.sd, b = (c.hi - c.mean) / c.sd;
    // Z through the tail that keeps precision.
    const double zmass =
        a > 0 ? boost::math::cdf(boost::math::complement(boost::math::normal(), a)) -
                    boost::math::cdf(boost::math::complement(boost::math::normal(), b))
              : boost::math::cdf(boost::math::normal(), b) -
                    boost::math::cdf(boost::math::normal(), a);
    const double r = (phi(a) - phi(b)) / zmass;
    const double mean = c.mean + c.sd * r;
    const double var = c.sd * c.sd * (1.0 + (a * phi(a) - b * phi(b)) / zmass - r * r);
    const auto m = grid_moments(d);
    EXPECT_NEAR(m.mean, mean, 1e-6 * c.sd) << d.describe();
    EXPECT_NEAR(m.variance, var, 1e-4 * var) << d.describe();
    EXPECT_GE(d.quantile(1e-12), c.lo);
    EXPECT_LE(d.quantile(1 - 1e-12), c.hi);
    EXPECT_LT(d.quantile(0.3), d.quantile(0.31));
  }
}

TEST(Distribution, LogNormalUsesTheUnderlyingNormal) {
  const auto d = Distribution::log_normal(0.5, 0.4);
  for (double u : {0.01, 0.3, 0.5, 0.9}) {
    EXPECT_NEAR(d.quantile(u), std::exp(0.5 + 0.4 * z(u)), 1e-12);
  }
  const auto m = grid_moments(d);
  EXPECT_NEAR(m.mean, std::exp(0.5 + 0.08), 1e-5);
  EXPECT_NEAR(m.variance, (std::exp(0.16) - 1.0) * std::exp(1.0 + 0.16), 1e-3);
}

TEST(Distribution, TriangularClosedForm) {
  const double a = 1.0, c = 2.0, b = 4.0;
  const auto d = Distribution::triangular(a, c, b);
  const double fc = (c - a) / (b - a);
  for (double u : {0.05, 0.2, 0.5, 0.9}) {
    const double expected =
        u < fc ? a + std::sqrt(u * (b - a) * (c - a)) : b - std::sqrt((1 - u) * (b - a) * (b - c));
    EXPECT_NEAR(d.quantile(u), expected, 1e-12);
  }
  const auto m = grid_moments(d);
  EXPECT_NEAR(m.mean, (a + b + c) / 3.0, 1e-8);
  EXPECT_NEAR(m.variance, (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0, 1e-6);
}

TEST(Distribution, BetaScaledToRange) {
  const auto d = Distribution::beta(2.0, 5.0, 10.0, 20.0);
  const auto m = grid_moments(d);
  EXPECT_NEAR(m.mean, 10.0 + 10.0 * 2.0 / 7.0, 1e-6);
  EXPECT_NEAR(m.variance, 100.0 * 10.0 / (49.0 * 8.0), 1e-4);
  // Beta(1, 1) is the uniform.
  EXPECT_NEAR(Distribution::beta(1.0, 1.0).quantile(0.37), 0.37, 1e-14);
  // Beta(2, 1) has CDF x^2.
  EXPECT_NEAR(Distribution::beta(2.0, 1.0).quantile(0.25), 0.5, 1e-14);
}

TEST(Distribution, DiscreteLevelsAreEquallyLikelyAndSorted) {
  const auto d = Distribution::discrete({3.0, 1.0, 2.0});
  EXPECT_EQ(d.quantile(0.01), 1.0);
  EXPECT_EQ(d.quantile(0.34), 2.0);
  EXPECT_EQ(d.quantile(0.999), 3.0);
  EXPECT_NEAR(grid_moments(d, 300000).mean, 2.0, 1e-12);
  EXPECT_EQ(d.describe(), "discrete(levels=[1, 2, 3])");
  EXPECT_EQ(Distribution::constant(7.5).quantile(0.9), 7.5);
}

TEST(Distribution, DescriptionsAreCanonical) {
  EXPECT_EQ(Distribution::normal(1, 2).describe(), "normal(mean=1, sd=2)");
  EXPECT_EQ(Distribution::truncated_normal(0, 1, -1, 2).describe(),
            "truncnormal(mean=0, sd=1, min=-1, max=2)");
  EXPECT_EQ(Distribution::log_normal(0, 0.5).describe(), "lognormal(meanlog=0, sdlog=0.5)");
  EXPECT_EQ(Distribution::triangular(0, 1, 2).describe(), "triangular(min=0, mode=1, max=2)");
  EXPECT_EQ(Distribution::beta(2, 3).describe(), "beta(alpha=2, beta=3, min=0, max=1)");
  EXPECT_EQ(Distribution::constant(3).describe(), "constant(value=3)");
  EXPECT_EQ(Distribution::constant(0.1).describe(), "constant(value=0.10000000000000001)");
  EXPECT_EQ(Distribution::beta(2, 3).kind_name(), "beta");
}

TEST(Distribution, RebuildsFromKindAndParametersWithNamesAndSupport) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const std::vector<Distribution> all = {
      Distribution::uniform(-1, 2),     Distribution::log_uniform(0.1, 10),
      Distribution::normal(1, 2),       Distribution::truncated_normal(0, 1, -inf, 2),
      Distribution::log_normal(0, 0.5), Distribution::triangular(0, 1, 3),
      Distribution::beta(2, 3, -1, 1),  Distribution::discrete({3, -1, 0.5}),
      Distribution::constant(4)};
  for (const auto& d : all) {
    const auto again = Distribution::from_parameters(d.kind_name(), d.params());
    EXPECT_EQ(again.describe(), d.describe());
    EXPECT_EQ(again.quantile(0.3), d.quantile(0.3)) << d.describe();
    EXPECT_EQ(d.parameter_names().size(), d.params().size()) << d.describe();
    // Every quantile lies in the support.
    for (double u : {1e-9, 0.25, 0.5, 0.75, 1 - 1e-9}) {
      EXPECT_GE(d.quantile(u), d.support().first) << d.describe();
      EXPECT_LE(d.quantile(u), d.support().second) << d.describe();
    }
  }
  EXPECT_EQ(all[2].support(), std::make_pair(-inf, inf));
  EXPECT_EQ(all[3].support(), std::make_pair(-inf, 2.0));
  EXPECT_EQ(all[4].support(), std::make_pair(0.0, inf));
  EXPECT_EQ(all[6].support(), std::make_pair(-1.0, 1.0));
  EXPECT_EQ(all[7].support(), std::make_pair(-1.0, 3.0));
  EXPECT_EQ(all[5].parameter_names(), (std::vector<std::string>{"min", "mode", "max"}));
  EXPECT_EQ(all[7].parameter_names(), (std::vector<std::string>{"level", "level", "level"}));
  EXPECT_TRUE(all[1].log_scaled());
  EXPECT_TRUE(all[4].log_scaled());
  EXPECT_FALSE(all[0].log_scaled());
  EXPECT_THROW(Distribution::from_parameters("gamma", {1, 2}), DistributionError);
  EXPECT_THROW(Distribution::from_parameters("uniform", {1}), DistributionError);
  EXPECT_THROW(Distribution::from_parameters("uniform", {2, 1}), DistributionError);
}

TEST(Distribution, InvalidParametersNameTheValue) {
  using testing::HasSubstr;
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const DistributionError& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_THAT(message([] { Distribution::uniform(2, 1); }), HasSubstr("min=2, max=1"));
  EXPECT_THAT(message([] { Distribution::log_uniform(-1, 1); }), HasSubstr("min=-1"));
  EXPECT_THAT(message([] { Distribution::normal(0, -3); }), HasSubstr("sd=-3"));
  EXPECT_THAT(message([] { Distribution::normal(NAN, 1); }), HasSubstr("nan"));
  EXPECT_THAT(message([] { Distribution::truncated_normal(0, 1, 2, 1); }),
              HasSubstr("min=2, max=1"));
  EXPECT_THAT(message([] { Distribution::truncated_normal(0, 1, 50, 60); }),
              HasSubstr("no representable probability"));
  EXPECT_THAT(message([] { Distribution::log_normal(0, 0); }), HasSubstr("sdlog=0"));
  EXPECT_THAT(message([] { Distribution::triangular(0, 3, 2); }), HasSubstr("mode=3"));
  EXPECT_THAT(message([] { Distribution::beta(0, 1); }), HasSubstr("alpha=0"));
  EXPECT_THAT(message([] { Distribution::beta(1, 1, 5, 5); }), HasSubstr("min=5, max=5"));
  EXPECT_THAT(message([] { Distribution::discrete({}); }), HasSubstr("at least one level"));
  EXPECT_THAT(message([] { Distribution::discrete({1, 2, 1}); }), HasSubstr("1 twice"));
  EXPECT_THAT(message([] { Distribution::constant(INFINITY); }), HasSubstr("inf"));
}

}  // namespace
}  // namespace tmex::sampling
