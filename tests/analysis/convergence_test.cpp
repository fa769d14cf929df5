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
  EXPECT_EQ(r.verdict.rfind("converged: PRCC moved by at most", 0), 0u) << r.verdict;
}

TEST(Convergence, AWeakSignalOnFewRowsDoesNot) {
  const Eigen::MatrixXd u = testing::lhs_unit(64, 3, 31);
  const Eigen::MatrixXd x = u.leftCols(2);
  const Eigen::MatrixXd y = (0.1 * x.col(0) + u.col(2)).eval();
  ConvergenceOptions options;
  options.steps = 3;
  const ConvergenceReport r = prcc_convergence(x, y, {}, options);
  EXPECT_FALSE(r.converged);
  EXPECT_GT(r.max_change, 0.02);
  EXPECT_EQ(r.verdict.rfind("not converged: PRCC", 0), 0u) << r.verdict;
  EXPECT_NE(r.verdict.find("32 to 64 rows"), std::string::npos) << r.verdict;
  EXPECT_NE(r.verdict.find("increase samples"), std::string::npos) << r.verdict;
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

}  // namespace
}  // namespace tmex::analysis
