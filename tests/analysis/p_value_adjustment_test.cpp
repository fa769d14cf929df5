// Tests of the Bonferroni and Benjamini-Hochberg adjustments.
#include "analysis/p_value_adjustment.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tmex::analysis {
namespace {

TEST(PValueAdjustment, MatchesHandComputedValues) {
  Eigen::MatrixXd p(2, 2);
  p << 0.01, 0.03, 0.04, 0.005;
  // sorted 0.005, 0.01, 0.03, 0.04 -> 4p/rank = 0.02, 0.02, 0.04, 0.04, already monotone.
  Eigen::MatrixXd bh(2, 2);
  bh << 0.02, 0.04, 0.04, 0.02;
  Eigen::MatrixXd bonf(2, 2);
  bonf << 0.04, 0.12, 0.16, 0.02;
  EXPECT_TRUE(benjamini_hochberg(p).isApprox(bh, 1e-15));
  EXPECT_TRUE(bonferroni(p).isApprox(bonf, 1e-15));
}

TEST(PValueAdjustment, TakesTheRunningMinimumFromTheTop) {
  Eigen::VectorXd p(3);
  p << 0.04, 0.03, 0.9;
  // 3p/rank: 0.03 -> 0.09, 0.04 -> 0.06, 0.9 -> 0.9; q(0.03) = min(0.09, 0.06) = 0.06.
  const Eigen::MatrixXd q = benjamini_hochberg(p);
  EXPECT_DOUBLE_EQ(q(0), 0.06);
  EXPECT_DOUBLE_EQ(q(1), 0.06);
  EXPECT_DOUBLE_EQ(q(2), 0.9);
  EXPECT_DOUBLE_EQ(bonferroni(p)(2), 1.0);
}

TEST(PValueAdjustment, SkipsNaNAndCountsOnlyTheRest) {
  Eigen::VectorXd p(3);
  p << 0.01, std::nan(""), 0.02;
  const Eigen::MatrixXd b = bonferroni(p);
  EXPECT_DOUBLE_EQ(b(0), 0.02);
  EXPECT_TRUE(std::isnan(b(1)));
  const Eigen::MatrixXd q = benjamini_hochberg(p);
  EXPECT_DOUBLE_EQ(q(0), 0.02);
  EXPECT_DOUBLE_EQ(q(2), 0.02);
  EXPECT_TRUE(std::isnan(q(1)));
}

}  // namespace
}  // namespace tmex::analysis
