// Tests of the Mann-Whitney comparison of failed and successful runs.
#include "analysis/failure_dependence.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "analysis/ranks.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

TEST(FailureDependence, SeparatedGroupsMatchTheHandComputation) {
  Eigen::MatrixXd failed(3, 1), ok(3, 1);
  failed << 1.0, 2.0, 3.0;
  ok << 4.0, 5.0, 6.0;
  const FailureDependence d = failure_dependence(failed, ok);
  // U = 0, mean 4.5, variance 3 * 3 * 7 / 12 = 5.25, z = -(4.5 - 0.5) / sqrt(5.25).
  EXPECT_EQ(d.u[0], 0.0);
  EXPECT_EQ(d.effect[0], 0.0);
  EXPECT_NEAR(d.z[0], -4.0 / std::sqrt(5.25), 1e-12);
  const boost::math::normal_distribution<double> normal;
  EXPECT_NEAR(d.p_value[0], 2.0 * boost::math::cdf(normal, -4.0 / std::sqrt(5.25)), 1e-12);
  EXPECT_NEAR(d.p_value[0], 0.0809, 1e-4);
  EXPECT_EQ(d.median_failed[0], 2.0);
}

TEST(FailureDependence, TieCorrectionGivesThePermutationVariance) {
  Eigen::MatrixXd failed(5, 1), ok(6, 1);
  failed << 1.0, 2.0, 2.0, 3.0, 5.0;
  ok << 2.0, 3.0, 4.0, 5.0, 5.0, 6.0;
  const FailureDependence d = failure_dependence(failed, ok);
  // With ties, the variance of U over all splits of the pooled midranks r is
  // n1 n2 / (n (n - 1)) sum (r - (n + 1) / 2)^2.
  Eigen::VectorXd pooled(11);
  pooled << failed, ok;
  const Eigen::VectorXd r = average_ranks(pooled);
  const double variance = 30.0 / 110.0 * (r.array() - 6.0).square().sum();
  const double excess = d.u[0] - 15.0;
  EXPECT_NEAR(d.z[0], std::copysign(std::abs(excess) - 0.5, excess) / std::sqrt(variance), 1e-12);
  EXPECT_NEAR(d.u[0], r.head(5).sum() - 15.0, 1e-12);
}

TEST(FailureDependence, FindsTheParameterThatCausesFailures) {
  const Eigen::MatrixXd x = testing::lhs_unit(1000, 3, 24);
  std::vector<Eigen::Index> failed_rows, ok_rows;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    (x(i, 1) > 0.85 ? failed_rows : ok_rows).push_back(i);
  }
  const FailureDependence d = failure_dependence(x(failed_rows, Eigen::all), x(ok_rows, Eigen::all),
                                                 {{"growth", "k_on", "decay"}, {}});
  EXPECT_EQ(d.failed, 150);
  EXPECT_LT(d.p_bh[1], 1e-20);
  EXPECT_GT(d.effect[1], 0.99);
  EXPECT_GT(d.p_value[0], 0.001);
  EXPECT_GT(d.p_value[2], 0.001);
  const std::string text = describe(d);
  EXPECT_NE(text.find("150 of 1000 stored runs failed (15%)"), std::string::npos) << text;
  EXPECT_NE(text.find("Failures depend on the inputs: k_on is higher in failed runs"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("other 2 parameters"), std::string::npos) << text;
  // Bonferroni over the 3 parameters.
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(d.p_bonferroni[i], std::min(1.0, 3.0 * d.p_value[i]));
  }
  EXPECT_NE(describe(d, 1200).find("150 of 1200 stored runs failed (12.5%)"), std::string::npos);
}

TEST(FailureDependence, NoFailuresIsSaidPlainly) {
  const Eigen::MatrixXd x = testing::lhs_unit(20, 2, 25);
  const FailureDependence d = failure_dependence(Eigen::MatrixXd(0, 2), x);
  EXPECT_TRUE(std::isnan(d.p_value[0]));
  EXPECT_NE(describe(d).find("0 of 20 stored runs failed"), std::string::npos) << describe(d);
}

}  // namespace
}  // namespace tmex::analysis
