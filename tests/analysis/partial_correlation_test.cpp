// Tests of PCC and PRCC: closed forms for the linear model, agreement of the two
// formulations, and inference.
#include "analysis/partial_correlation.hpp"

#include <gtest/gtest.h>

#include <Eigen/LU>
#include <cmath>
#include <numbers>

#include "analysis/analysis_error.hpp"
#include "analysis/ranks.hpp"
#include "models/analytic_models.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

using testing::evaluate;
using testing::lhs_unit;

Eigen::MatrixXd linear_outputs(const std::vector<double>& b, double noise_sd,
                               const Eigen::MatrixXd& x) {
  models::ModelSpec spec;
  spec.vector_settings["coefficients"] = b;
  spec.settings["noise_sd"] = noise_sd;
  return evaluate(*models::make_linear(spec), x);
}

// The textbook formulation: for each output, invert the (k + 1) x (k + 1) correlation
// matrix P of [x, y] and take -P_iy / sqrt(P_ii P_yy).
Eigen::MatrixXd partial_by_full_inverse(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  const Eigen::Index k = x.cols();
  Eigen::MatrixXd out(k, y.cols());
  for (Eigen::Index o = 0; o < y.cols(); ++o) {
    Eigen::MatrixXd z(x.rows(), k + 1);
    z << x, y.col(o);
    const Eigen::MatrixXd centred = z.rowwise() - z.colwise().mean();
    const Eigen::MatrixXd cov = centred.transpose() * centred;
    const Eigen::VectorXd inv_sd = cov.diagonal().cwiseSqrt().cwiseInverse();
    const Eigen::MatrixXd p = (inv_sd.asDiagonal() * cov * inv_sd.asDiagonal()).inverse();
    for (Eigen::Index i = 0; i < k; ++i) out(i, o) = -p(i, k) / std::sqrt(p(i, i) * p(k, k));
  }
  return out;
}

TEST(Pcc, NoisyLinearModelMatchesItsClosedForm) {
  const std::vector<double> b = {1.0, -2.0, 0.5, 0.0};
  const double sigma = 0.5;
  const Eigen::Index n = 4000;
  const Eigen::MatrixXd x = lhs_unit(n, 4, 1);
  // Wide intervals, so that the check fails for a wrong interval rather than by chance.
  PartialCorrelationOptions options;
  options.confidence = 0.999;
  const CorrelationTable t = pcc(x, linear_outputs(b, sigma, x), {}, options);
  for (Eigen::Index i = 0; i < 4; ++i) {
    const double bi = b[static_cast<std::size_t>(i)];
    // x_i ~ U(0, 1): var 1/12; holding the others fixed leaves b_i x_i + sigma e.
    const double exact = bi / std::sqrt(12.0) / std::sqrt(bi * bi / 12.0 + sigma * sigma);
    const double se = (1.0 - exact * exact) / std::sqrt(static_cast<double>(n));
    EXPECT_NEAR(t.coefficient(i, 0), exact, 4.0 * se) << "x" << i + 1;
    EXPECT_LE(t.ci_low(i, 0), exact);
    EXPECT_GE(t.ci_high(i, 0), exact);
  }
  EXPECT_LT(t.p_value(0, 0), 1e-12);
  EXPECT_GT(t.p_value(3, 0), 0.001);  // b_4 = 0
}

TEST(Pcc, NoiseFreeLinearModelGivesTheSignOfEachCoefficient) {
  const std::vector<double> b = {1.0, -2.0, 0.5, 3.0};
  const Eigen::MatrixXd x = lhs_unit(500, 4, 2);
  const CorrelationTable t = pcc(x, linear_outputs(b, 0.0, x));
  for (Eigen::Index i = 0; i < 4; ++i) {
    EXPECT_NEAR(t.coefficient(i, 0), std::copysign(1.0, b[static_cast<std::size_t>(i)]), 1e-12);
    EXPECT_EQ(t.p_value(i, 0), 0.0);
  }
}

TEST(Pcc, IsUnaffectedByLargeOffsets) {
  const Eigen::MatrixXd x = lhs_unit(20000, 3, 3);
  const Eigen::MatrixXd y = linear_outputs({1.0, 2.0, -1.0}, 0.3, x);
  const CorrelationTable plain = pcc(x, y);
  const CorrelationTable offset = pcc((x.array() + 1e6).matrix(), (y.array() - 1e6).matrix());
  EXPECT_LT((plain.coefficient - offset.coefficient).cwiseAbs().maxCoeff(), 1e-8);
}

TEST(Prcc, BothFormulationsAndTheFullInverseAgree) {
  const Eigen::MatrixXd x = lhs_unit(2000, 3, 4);
  const auto ishigami = models::make_ishigami({});
  const Eigen::MatrixXd y =
      evaluate(*ishigami, (-std::numbers::pi + 2.0 * std::numbers::pi * x.array()).matrix());
  PartialCorrelationOptions residual;
  residual.method = PartialCorrelationMethod::kResidualRegression;
  const Eigen::MatrixXd a = prcc(x, y).coefficient;
  const Eigen::MatrixXd b = prcc(x, y, {}, residual).coefficient;
  const Eigen::MatrixXd c = partial_by_full_inverse(rank_columns(x), rank_columns(y));
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((a - c).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(Prcc, FormulationsAgreeAtLargeSize) {
  const Eigen::Index n = 200000;
  const Eigen::MatrixXd u = lhs_unit(n, 7, 5);
  const Eigen::MatrixXd x = u.leftCols(5);
  const Eigen::ArrayXd noise = u.col(5).array() - 0.5;
  Eigen::MatrixXd y(n, 2);
  y.col(0) =
      (x.col(0).array() + 2.0 * x.col(1).array().square() + (3.0 * x.col(2).array()).sin() + noise)
          .matrix();
  y.col(1) = (x.col(3).array().exp() * x.col(4).array() - 0.4 * x.col(0).array() +
              0.3 * (u.col(6).array() - 0.5))
                 .matrix();
  PartialCorrelationOptions residual;
  residual.method = PartialCorrelationMethod::kResidualRegression;
  const CorrelationTable a = prcc(x, y);
  const CorrelationTable b = prcc(x, y, {}, residual);
  EXPECT_LT((a.coefficient - b.coefficient).cwiseAbs().maxCoeff(), 1e-10);
  const Eigen::MatrixXd c = partial_by_full_inverse(rank_columns(x), rank_columns(y));
  EXPECT_LT((a.coefficient - c).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_GT(a.coefficient(1, 0), 0.5);
  EXPECT_LT(a.coefficient(0, 1), -0.1);
  EXPECT_EQ(a.degrees_of_freedom, static_cast<double>(n - 2 - 4));
}

TEST(Prcc, InferenceFollowsTheStatedFormulas) {
  // N = 5, k = 2: df = 5 - 2 - 1 = 2, where the Student t tail has the closed form
  // P(|T| > t) = 1 - t / sqrt(2 + t^2), and the Fisher-z standard error is 1 / sqrt(1).
  Eigen::MatrixXd x(5, 2);
  x << 1, 5, 2, 3, 3, 4, 4, 1, 5, 2;
  Eigen::MatrixXd y(5, 1);
  y << 2.0, 1.0, 4.0, 3.0, 6.0;
  const CorrelationTable t = prcc(x, y, {{"a", "b"}, {"out"}});
  EXPECT_EQ(t.controlled, 1);
  EXPECT_EQ(t.degrees_of_freedom, 2.0);
  for (Eigen::Index i = 0; i < 2; ++i) {
    const double r = t.coefficient(i, 0);
    const double stat = r * std::sqrt(2.0 / (1.0 - r * r));
    EXPECT_NEAR(t.t_statistic(i, 0), stat, 1e-12);
    EXPECT_NEAR(t.p_value(i, 0), 1.0 - std::abs(stat) / std::sqrt(2.0 + stat * stat), 1e-12);
    EXPECT_NEAR(t.ci_low(i, 0), std::tanh(std::atanh(r) - 1.959963984540054), 1e-12);
    EXPECT_NEAR(t.ci_high(i, 0), std::tanh(std::atanh(r) + 1.959963984540054), 1e-12);
  }
  EXPECT_NEAR(t.p_bonferroni(0, 0), std::min(1.0, 2.0 * t.p_value(0, 0)), 1e-15);
  EXPECT_EQ(t.parameters[1], "b");
  EXPECT_EQ(t.outputs[0], "out");
}

TEST(Prcc, RejectsDataItCannotAnalyse) {
  const Eigen::MatrixXd x = lhs_unit(50, 3, 6);
  const Eigen::MatrixXd y = x.rowwise().sum();
  Eigen::MatrixXd constant = x;
  constant.col(1).setConstant(0.3);
  EXPECT_THROW(prcc(constant, y), AnalysisError);
  Eigen::MatrixXd collinear = x;
  collinear.col(2) = x.col(0);
  EXPECT_THROW(prcc(collinear, y), AnalysisError);
  Eigen::MatrixXd with_nan = x;
  with_nan(4, 0) = std::nan("");
  EXPECT_THROW(prcc(with_nan, y), AnalysisError);
  EXPECT_THROW(prcc(x, y.topRows(10)), AnalysisError);
  EXPECT_THROW(prcc(x.topRows(5), y.topRows(5)), AnalysisError);  // N < k + 3
  EXPECT_THROW(prcc(x, y, {{"only_one"}, {}}), AnalysisError);
}

TEST(Prcc, ConstantOutputGivesNaNAndIsLeftOutOfAdjustments) {
  const Eigen::MatrixXd x = lhs_unit(100, 2, 7);
  Eigen::MatrixXd y(100, 2);
  y.col(0) = x.col(0) + 0.1 * x.col(1);
  y.col(1).setConstant(1.0);
  const CorrelationTable t = prcc(x, y);
  EXPECT_TRUE(std::isnan(t.coefficient(0, 1)));
  EXPECT_TRUE(std::isnan(t.p_bh(0, 1)));
  EXPECT_NEAR(t.p_bonferroni(1, 0), std::min(1.0, 2.0 * t.p_value(1, 0)), 1e-15);
}

TEST(PrccOverTime, IsPrccOfEachTimeColumnAdjustedTogether) {
  const Eigen::MatrixXd x = lhs_unit(300, 2, 8);
  Eigen::MatrixXd traj(300, 3);
  for (Eigen::Index j = 0; j < 3; ++j) {
    traj.col(j) =
        (x.col(0).array() * static_cast<double>(j + 1) + x.col(1).array().square()).matrix();
  }
  const std::vector<double> times = {0.5, 1.0, 2.0};
  const TimeCourseCorrelation tc = prcc_over_time(x, traj, times, "tumour", {"a", "b"});
  EXPECT_EQ(tc.table.outputs[2], "tumour@t=2");
  EXPECT_EQ(tc.times, times);
  for (Eigen::Index j = 0; j < 3; ++j) {
    const CorrelationTable single = prcc(x, traj.col(j));
    EXPECT_LT((tc.table.coefficient.col(j) - single.coefficient).cwiseAbs().maxCoeff(), 1e-14);
  }
  EXPECT_THROW(prcc_over_time(x, traj, std::vector<double>{1.0}, "tumour"), AnalysisError);
}

}  // namespace
}  // namespace tmex::analysis
