// Tests of Pearson and Spearman tables.
#include "analysis/correlation.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "analysis/ranks.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

TEST(Pearson, MatchesTheDefinitionAndTheDf2ClosedForm) {
  Eigen::MatrixXd x(4, 1);
  x << 1.0, 2.0, 3.0, 4.0;
  Eigen::MatrixXd y(4, 1);
  y << 1.0, 3.0, 2.0, 5.0;
  const CorrelationTable t = pearson(x, y);
  const Eigen::ArrayXd dx = x.array() - x.mean();
  const Eigen::ArrayXd dy = y.array() - y.mean();
  const double r = (dx * dy).sum() / std::sqrt(dx.square().sum() * dy.square().sum());
  EXPECT_NEAR(t.coefficient(0, 0), r, 1e-15);
  const double stat = r * std::sqrt(2.0 / (1.0 - r * r));  // df = N - 2 = 2
  EXPECT_NEAR(t.p_value(0, 0), 1.0 - stat / std::sqrt(2.0 + stat * stat), 1e-12);
  EXPECT_EQ(t.controlled, 0);
}

TEST(Spearman, IsOneForAMonotoneTransformAndPearsonOnRanks) {
  const Eigen::MatrixXd x = testing::lhs_unit(1000, 2, 9);
  Eigen::MatrixXd y(1000, 2);
  y.col(0) = x.col(0).array().exp().matrix();
  y.col(1) = (x.col(1).array() * 4.0).floor().matrix();  // many ties
  const CorrelationTable s = spearman(x, y);
  EXPECT_NEAR(s.coefficient(0, 0), 1.0, 1e-14);
  EXPECT_LT(pearson(x, y).coefficient(1, 0), 1.0);
  const CorrelationTable on_ranks = pearson(rank_columns(x), rank_columns(y));
  EXPECT_LT((s.coefficient - on_ranks.coefficient).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_LT(std::abs(s.coefficient(1, 0)), 0.1);  // x2 is unrelated to exp(x1)
  EXPECT_GT(s.coefficient(1, 1), 0.9);            // and monotone in floor(4 x2), with ties
}

}  // namespace
}  // namespace tmex::analysis
