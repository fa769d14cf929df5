// Tests of Sobol' indices against the closed forms of the Ishigami and g functions.
#include "analysis/sobol_indices.hpp"

#include <gtest/gtest.h>

#include <numbers>

#include "analysis/analysis_error.hpp"
#include "models/analytic_models.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

using testing::evaluate;
using testing::halton;
using testing::saltelli_points;

// Outputs of `model` on a Saltelli design of n base rows on [lo, hi]^k from a 2k-dimensional
// quasi-random sequence (A: first k columns, B: last k).
Eigen::MatrixXd saltelli_outputs(const models::Model& model, Eigen::Index n, Eigen::Index k,
                                 double lo, double hi) {
  const Eigen::MatrixXd u = halton(n, 2 * k);
  const Eigen::MatrixXd a = (lo + (hi - lo) * u.leftCols(k).array()).matrix();
  const Eigen::MatrixXd b = (lo + (hi - lo) * u.rightCols(k).array()).matrix();
  return evaluate(model, saltelli_points(a, b));
}

struct Exact {
  Eigen::VectorXd first, total;
};

// Ishigami & Homma (1990) with x uniform on [-pi, pi]: V1 = (1 + b pi^4 / 5)^2 / 2,
// V2 = a^2 / 8, V13 = 8 b^2 pi^8 / 225, V = V1 + V2 + V13.
Exact ishigami_exact(double a, double b) {
  const double pi4 = std::pow(std::numbers::pi, 4);
  const double v1 = 0.5 * std::pow(1.0 + b * pi4 / 5.0, 2);
  const double v2 = a * a / 8.0;
  const double v13 = 8.0 * b * b * pi4 * pi4 / 225.0;
  const double v = v1 + v2 + v13;
  Exact e;
  e.first = Eigen::Vector3d(v1 / v, v2 / v, 0.0);
  e.total = Eigen::Vector3d((v1 + v13) / v, v2 / v, v13 / v);
  return e;
}

// Sobol' g-function: V_i = 1 / (3 (1 + a_i)^2), V = prod (1 + V_i) - 1,
// S_i = V_i / V, ST_i = V_i prod_{j != i} (1 + V_j) / V.
Exact g_exact(const std::vector<double>& a) {
  const auto k = static_cast<Eigen::Index>(a.size());
  Eigen::VectorXd vi(k);
  for (Eigen::Index i = 0; i < k; ++i) vi[i] = 1.0 / (3.0 * std::pow(1.0 + a[i], 2));
  const double prod = (vi.array() + 1.0).prod();
  const double v = prod - 1.0;
  Exact e;
  e.first = vi / v;
  e.total = (vi.array() * prod / (1.0 + vi.array()) / v).matrix();
  return e;
}

TEST(SobolIndices, IshigamiMatchesClosedFormAtTwoToThe14) {
  const auto model = models::make_ishigami({});
  const Eigen::Index n = 1 << 14;
  const Eigen::MatrixXd y = saltelli_outputs(*model, n, 3, -std::numbers::pi, std::numbers::pi);
  SobolOptions options;
  options.resamples = 200;
  const SobolIndices s = sobol_indices(y, 3, {{"x1", "x2", "x3"}, {"y"}}, options);
  const Exact exact = ishigami_exact(7.0, 0.1);
  EXPECT_NEAR(exact.first[0], 0.3139, 1e-4);  // the published values, as a check of the formulas
  EXPECT_NEAR(exact.total[2], 0.2437, 1e-4);
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first(i, 0), exact.first[i], 0.01) << "S" << i + 1;
    EXPECT_NEAR(s.total(i, 0), exact.total[i], 0.01) << "ST" << i + 1;
    EXPECT_LE(s.first_low(i, 0), s.first(i, 0));
    EXPECT_GE(s.first_high(i, 0), s.first(i, 0));
    EXPECT_LE(s.total_low(i, 0), s.total(i, 0));
    EXPECT_GE(s.total_high(i, 0), s.total(i, 0));
  }
  const double pi4 = std::pow(std::numbers::pi, 4);
  const double v = 49.0 / 8.0 + 0.1 * pi4 / 5.0 + 0.01 * pi4 * pi4 / 18.0 + 0.5;
  EXPECT_NEAR(s.variance[0] / v, 1.0, 0.02);
  EXPECT_EQ(s.base_rows, n);
}

TEST(SobolIndices, GFunctionMatchesClosedForm) {
  const std::vector<double> a = {0.0, 1.0, 4.5, 9.0, 99.0};
  models::ModelSpec spec;
  spec.vector_settings["a"] = a;
  const auto model = models::make_sobol_g(spec);
  const Eigen::Index k = 5;
  const Eigen::MatrixXd y = saltelli_outputs(*model, 1 << 14, k, 0.0, 1.0);
  SobolOptions options;
  options.resamples = 0;
  const SobolIndices s = sobol_indices(y, k, {}, options);
  const Exact exact = g_exact(a);
  for (Eigen::Index i = 0; i < k; ++i) {
    EXPECT_NEAR(s.first(i, 0), exact.first[i], 0.01) << "S" << i + 1;
    EXPECT_NEAR(s.total(i, 0), exact.total[i], 0.01) << "ST" << i + 1;
  }
  EXPECT_TRUE(std::isnan(s.first_low(0, 0)));  // no resamples, no intervals
  EXPECT_EQ(s.parameters[4], "x5");
}

TEST(SobolIndices, BootstrapIsDeterministicPerSeedAndCoversTheTruth) {
  const auto model = models::make_ishigami({});
  const Eigen::MatrixXd u = testing::lhs_unit(4096, 6, 11);
  const Eigen::MatrixXd a =
      (-std::numbers::pi + 2.0 * std::numbers::pi * u.leftCols(3).array()).matrix();
  const Eigen::MatrixXd b =
      (-std::numbers::pi + 2.0 * std::numbers::pi * u.rightCols(3).array()).matrix();
  const Eigen::MatrixXd y = evaluate(*model, saltelli_points(a, b));
  SobolOptions options;
  options.seed = 5;
  const SobolIndices one = sobol_indices(y, 3, {}, options);
  const SobolIndices again = sobol_indices(y, 3, {}, options);
  options.seed = 6;
  const SobolIndices other = sobol_indices(y, 3, {}, options);
  EXPECT_EQ(one.first_low, again.first_low);
  EXPECT_EQ(one.total_high, again.total_high);
  EXPECT_NE(one.first_low, other.first_low);
  const Exact exact = ishigami_exact(7.0, 0.1);
  for (Eigen::Index i = 0; i < 3; ++i) {
    // A 95% interval from a random (not quasi-random) design should hold the exact values.
    EXPECT_LE(one.first_low(i, 0), exact.first[i]);
    EXPECT_GE(one.first_high(i, 0), exact.first[i]);
    EXPECT_LE(one.total_low(i, 0), exact.total[i]);
    EXPECT_GE(one.total_high(i, 0), exact.total[i]);
    // and be of the size of the Monte Carlo error, O(1 / sqrt(N)).
    EXPECT_LT(one.total_high(i, 0) - one.total_low(i, 0), 0.15);
    EXPECT_GT(one.total_high(i, 0) - one.total_low(i, 0), 0.005);
  }
}

TEST(SobolIndices, ShiftingTheOutputChangesNothing) {
  const auto model = models::make_ishigami({});
  const Eigen::MatrixXd y = saltelli_outputs(*model, 512, 3, -std::numbers::pi, std::numbers::pi);
  SobolOptions options;
  options.resamples = 50;
  const SobolIndices s = sobol_indices(y, 3, {}, options);
  const SobolIndices shifted = sobol_indices((y.array() + 1e6).matrix(), 3, {}, options);
  EXPECT_LT((s.first - shifted.first).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT((s.total - shifted.total).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT((s.first_high - shifted.first_high).cwiseAbs().maxCoeff(), 1e-8);
}

TEST(SobolIndices, RejectsAWrongLayoutAndMarksAConstantOutput) {
  EXPECT_THROW(sobol_indices(Eigen::MatrixXd::Ones(11, 1), 3), AnalysisError);
  Eigen::MatrixXd y = Eigen::MatrixXd::Random(50, 2);
  y.col(1).setConstant(3.0);
  const SobolIndices s = sobol_indices(y, 3);
  EXPECT_TRUE(std::isfinite(s.first(0, 0)));
  EXPECT_TRUE(std::isnan(s.first(0, 1)));
  y(7, 0) = std::nan("");
  EXPECT_THROW(sobol_indices(y, 3), AnalysisError);
}

}  // namespace
}  // namespace tmex::analysis
