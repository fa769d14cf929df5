// Tests of the convergence checks of PRCC and Sobol' indices.
#include "analysis/convergence.hpp"

#include <gtest/gtest.h>

#include "analysis/analysis_error.hpp"
#include "analysis/partial_correlation.hpp"
#include "analysis/sobol_indices.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

TEST(Convergence, PrccOfAStrongSignalConverges) {
  const Eigen::MatrixXd u = testing::lhs_unit(8000, 3, 30);
  const Eigen::MatrixXd x = u.leftCols(2);
  const Eigen::MatrixXd y = (x.col(0) - 0.5 * x.col(1) + 0.05 * u.col(2)).eval();
  const ConvergenceReport r = prcc_convergence(x, y);
  EXPECT_EQ(r.sample_sizes, (std::vector<Eigen::Index>{1000, 2000, 4000, 8000}));
  EXPECT_LT((r.values.back() - prcc(x, y).coefficient).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_LT(
      (r.values[0] - prcc(x.topRows(1000), y.topRows(1000)).coefficient).cwiseAbs().maxCoeff(),
      1e-15);
  EXPECT_DOUBLE_EQ(r.max_change, (r.values[3] - r.values[2]).cwiseAbs().maxCoeff());
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.verdict.rfind("converged: the top 5 significant parameters", 0), 0u) << r.verdict;
  // The intervals at N are prcc()'s.
  const auto t = prcc(x, y);
  EXPECT_LT((r.low.back() - t.ci_low).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((r.high.back() - t.ci_high).cwiseAbs().maxCoeff(), 1e-12);
  ASSERT_EQ(r.per_output.size(), 1u);
  EXPECT_EQ(r.per_output[0].top, (std::vector<std::string>{"x1", "x2"}));
}

TEST(Convergence, AWeakSignalOnFewRowsDoesNot) {
  const Eigen::MatrixXd u = testing::lhs_unit(64, 3, 31);
  const Eigen::MatrixXd x = u.leftCols(2);
  const Eigen::MatrixXd y = (0.1 * x.col(0) + u.col(2)).eval();
  ConvergenceOptions options;
  options.steps = 3;
  const ConvergenceReport r = prcc_convergence(x, y, {}, options);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.verdict.rfind("not converged", 0), 0u) << r.verdict;
  EXPECT_NE(r.verdict.find("at 32 and 64 rows"), std::string::npos) << r.verdict;
  EXPECT_NE(r.verdict.find("1/sqrt(N)"), std::string::npos) << r.verdict;
  // Half-widths shrink as 1/sqrt(N): the rows needed follow from the widest one.
  const auto& o = r.per_output[0];
  EXPECT_FALSE(o.halfwidths.met);
  EXPECT_EQ(o.rows_needed, rows_for_halfwidth(64, o.halfwidths.largest, 0.05));
  EXPECT_GT(o.rows_needed, 64u * 4);
  options.steps = 5;  // smallest subsample 4 rows < k + 4
  EXPECT_THROW(prcc_convergence(x, y, {}, options), AnalysisError);
}

TEST(Convergence, AConstantOutputIsUndefinedNotConverged) {
  // Issue 19, item 10: PRCC of a constant output is NaN, and the check said "converged".
  const Eigen::MatrixXd u = testing::lhs_unit(800, 3, 32);
  const Eigen::MatrixXd x = u.leftCols(2);
  Eigen::MatrixXd y(800, 2);
  y.col(0) = x.col(0) - 0.5 * x.col(1);
  y.col(1).setConstant(1.0);
  const ConvergenceReport r = prcc_convergence(x, y, Labels{{"a", "b"}, {"burden", "cured"}});
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.verdict.rfind("undefined: PRCC a on cured is not a number at 800 rows", 0), 0u)
      << r.verdict;
  EXPECT_NE(r.verdict.find("(is cured constant?); 2 indices in all"), std::string::npos)
      << r.verdict;
  EXPECT_NE(r.verdict.find("the others moved by at most"), std::string::npos) << r.verdict;
}

TEST(Convergence, SobolIndicesOnLeadingBaseRows) {
  const Eigen::Index n = 1024;
  const Eigen::MatrixXd u = testing::halton(n, 4);
  const Eigen::MatrixXd points = testing::saltelli_points(u.leftCols(2), u.rightCols(2));
  const Eigen::MatrixXd y = (points.col(0) + 0.3 * points.col(1).array().square().matrix()).eval();
  const ConvergenceReport r = sobol_convergence(y, 2);
  EXPECT_EQ(r.rows[3], "ST(x2)");
  SobolOptions no_intervals;
  no_intervals.resamples = 0;
  const SobolIndices half = sobol_indices(y.topRows(n / 2 * 4), 2, {}, no_intervals);
  EXPECT_DOUBLE_EQ(r.values[2](1, 0), half.first(1, 0));
  EXPECT_TRUE(r.converged) << r.verdict;
}

TEST(ConvergenceCriteria, HalfwidthsOfIntervalsThatExcludeZeroOnly) {
  Eigen::MatrixXd low(3, 2), high(3, 2);
  low << 0.1, -0.5, -0.3, -0.2, 0.45, -0.9;
  high << 0.3, 0.4, -0.1, 0.2, 0.55, -0.5;
  // Column 0: [0.1, 0.3], [-0.3, -0.1] (half-width 0.1) and [0.45, 0.55] exclude 0.
  const auto c0 = halfwidth_check(low, high, 0.1, 0);
  EXPECT_TRUE(c0.met);
  EXPECT_EQ(c0.significant, 3);
  EXPECT_NEAR(c0.largest, 0.1, 1e-15);
  // Column 1: [-0.5, 0.4] and [-0.2, 0.2] include 0 although one is the widest; [-0.9, -0.5]
  // is 0.2 wide.
  const auto c1 = halfwidth_check(low, high, 0.1, 1);
  EXPECT_FALSE(c1.met);
  EXPECT_EQ(c1.row, 2);
  EXPECT_NEAR(c1.largest, 0.2, 1e-15);
  const auto all = halfwidth_check(low, high, 0.1);
  EXPECT_EQ(all.significant, 4);
  EXPECT_EQ(all.column, 1);
}

TEST(ConvergenceCriteria, TopRowsKeepTheirOrderByMagnitude) {
  Eigen::MatrixXd before(4, 1), after(4, 1);
  before << 0.5, -0.7, 0.1, 0.3;
  after << 0.6, -0.65, 0.05, 0.35;
  EXPECT_EQ(top_rows(after, 0, 3), (std::vector<Eigen::Index>{1, 0, 3}));
  EXPECT_TRUE(same_top(before, after, 0, 4));
  after(0, 0) = 0.7;  // now above |-0.65|: the first two swap
  EXPECT_FALSE(same_top(before, after, 0, 2));
  EXPECT_FALSE(same_top(before, after, 0, 1));
  after(3, 0) = 0.04;  // rows 2 and 3 swap at the bottom: the top 2 do not care
  after(0, 0) = 0.6;
  EXPECT_TRUE(same_top(before, after, 0, 2));
  EXPECT_FALSE(same_top(before, after, 0, 4));
  EXPECT_EQ(rows_for_halfwidth(1000, 0.1, 0.05), 4000u);
  EXPECT_EQ(rows_for_halfwidth(1000, 0.04, 0.05), 1000u);
}

// y = sum b_i x_i + noise on a Latin hypercube: well-separated coefficients give a stable ranking
// long before the intervals are narrow; equal ones never do, and the verdict says why.
Eigen::MatrixXd linear_output(const Eigen::MatrixXd& x, const Eigen::VectorXd& b, double noise,
                              const Eigen::VectorXd& e) {
  return (x * b + noise * e).eval();
}

TEST(ConvergenceCriteria, WellSeparatedCoefficientsRankStably) {
  const Eigen::MatrixXd u = testing::lhs_unit(4000, 5, 41);
  const Eigen::MatrixXd x = u.leftCols(4);
  Eigen::VectorXd b(4);
  b << 8, 4, 2, 1;
  const Eigen::VectorXd e = (u.col(4).array() - 0.5).matrix();
  const auto r = prcc_convergence(x, linear_output(x, b, 2.0, e));
  const auto& o = r.per_output[0];
  EXPECT_TRUE(o.top_stable);
  EXPECT_EQ(o.top, (std::vector<std::string>{"x1", "x2", "x3", "x4"}));
  EXPECT_EQ(o.ranked, 4);
  EXPECT_TRUE(o.halfwidths.met) << o.halfwidths.largest;
  EXPECT_TRUE(r.converged) << r.verdict;
  // A tighter tolerance than 4000 rows give: not converged, and the rows needed say by how much.
  ConvergenceOptions tight;
  tight.criteria.halfwidth = 0.01;
  const auto t = prcc_convergence(x, linear_output(x, b, 2.0, e), {}, tight);
  EXPECT_FALSE(t.converged);
  EXPECT_TRUE(t.per_output[0].top_stable);
  EXPECT_GT(t.rows_needed, 4000u * 4);
  EXPECT_NE(t.verdict.find("wider intervals"), std::string::npos) << t.verdict;
}

TEST(ConvergenceCriteria, EqualCoefficientsNeverRankStably) {
  const Eigen::MatrixXd u = testing::lhs_unit(4000, 7, 42);
  const Eigen::MatrixXd x = u.leftCols(6);
  const Eigen::VectorXd b = Eigen::VectorXd::Ones(6);
  const Eigen::VectorXd e = (u.col(6).array() - 0.5).matrix();
  const auto r = prcc_convergence(x, linear_output(x, b, 1.0, e));
  const auto& o = r.per_output[0];
  EXPECT_EQ(o.ranked, 5);
  EXPECT_FALSE(o.top_stable);
  EXPECT_TRUE(o.overlapping);
  EXPECT_TRUE(o.halfwidths.met);  // precise enough: only the order is undecidable
  EXPECT_FALSE(r.converged);
  EXPECT_NE(r.verdict.find("intervals overlap"), std::string::npos) << r.verdict;
  // Asking only for the strongest parameter does not help (all are equal) unless it is stable by
  // chance; asking for more precision than there is never converges.
  ConvergenceOptions one;
  one.criteria.stable_top = 1;
  EXPECT_EQ(prcc_convergence(x, linear_output(x, b, 1.0, e), {}, one).per_output[0].ranked, 1);
}

TEST(ConvergenceCriteria, AConstantOutputIsUndefined) {
  const Eigen::MatrixXd u = testing::lhs_unit(200, 2, 43);
  const Eigen::MatrixXd y = Eigen::MatrixXd::Constant(200, 1, 3.0);
  const auto r = prcc_convergence(u, y);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.verdict.rfind("undefined:", 0), 0u) << r.verdict;
}

}  // namespace
}  // namespace tmex::analysis
