// Tests of SRC and SRRC against the linear model's closed forms.
#include "analysis/regression_coefficients.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "models/analytic_models.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

Eigen::MatrixXd linear_outputs(const std::vector<double>& b, double noise_sd,
                               const Eigen::MatrixXd& x) {
  models::ModelSpec spec;
  spec.vector_settings["coefficients"] = b;
  spec.settings["noise_sd"] = noise_sd;
  return testing::evaluate(*models::make_linear(spec), x);
}

double sd(const Eigen::VectorXd& v) {
  return std::sqrt((v.array() - v.mean()).square().sum() / static_cast<double>(v.size() - 1));
}

TEST(Src, NoiseFreeLinearModelIsExact) {
  const std::vector<double> b = {1.0, -2.0, 0.5};
  Eigen::MatrixXd x = testing::lhs_unit(800, 3, 10);
  x.col(2) *= 10.0;  // unequal spreads make SRC differ from b
  const Eigen::MatrixXd y = linear_outputs(b, 0.0, x);
  const RegressionTable t = src(x, y);
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_NEAR(t.coefficient(i, 0), b[static_cast<std::size_t>(i)] * sd(x.col(i)) / sd(y.col(0)),
                1e-12);
  }
  EXPECT_NEAR(t.r_squared[0], 1.0, 1e-12);
}

TEST(Src, NoisyLinearModelMatchesItsClosedForm) {
  const std::vector<double> b = {1.0, -2.0, 0.5};
  const double sigma = 0.4;
  const Eigen::Index n = 5000;
  const Eigen::MatrixXd x = testing::lhs_unit(n, 3, 11);
  const RegressionTable t = src(x, linear_outputs(b, sigma, x));
  // x_i ~ U(0, 1): sd(x_i) = 1 / sqrt(12), var(y) = sum b_i^2 / 12 + sigma^2.
  const double var_y = (1.0 + 4.0 + 0.25) / 12.0 + sigma * sigma;
  for (Eigen::Index i = 0; i < 3; ++i) {
    const double exact = b[static_cast<std::size_t>(i)] / std::sqrt(12.0) / std::sqrt(var_y);
    EXPECT_NEAR(t.coefficient(i, 0), exact, 4.0 / std::sqrt(static_cast<double>(n)));
  }
  EXPECT_NEAR(t.r_squared[0], 1.0 - sigma * sigma / var_y, 0.02);
}

TEST(Srrc, SeesThroughMonotoneTransformsBetterThanSrc) {
  const Eigen::MatrixXd x = testing::lhs_unit(2000, 2, 12);
  const Eigen::MatrixXd y = (5.0 * (x.col(0) + 0.5 * x.col(1)).array()).exp().matrix();
  const RegressionTable raw = src(x, y);
  const RegressionTable ranked = srrc(x, y);
  EXPECT_GT(ranked.r_squared[0], raw.r_squared[0]);
  EXPECT_GT(ranked.r_squared[0], 0.95);
  EXPECT_GT(ranked.coefficient(0, 0), ranked.coefficient(1, 0));
}

}  // namespace
}  // namespace tmex::analysis
