// Tests of average ranks and the tie correction.
#include "analysis/ranks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "analysis/analysis_error.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

TEST(Ranks, TiesShareTheirAverageRank) {
  Eigen::VectorXd x(7);
  x << 3.0, 1.0, 4.0, 1.0, 5.0, -0.0, 0.0;
  Eigen::VectorXd expected(7);
  // sorted: -0 = 0 (ranks 1, 2), 1, 1 (ranks 3, 4), 3, 4, 5
  expected << 5.0, 3.5, 6.0, 3.5, 7.0, 1.5, 1.5;
  EXPECT_EQ(average_ranks(x), expected);
  Eigen::VectorXd centred(7);
  centred_ranks(x, centred);
  EXPECT_EQ(centred, (expected.array() - 4.0).matrix());
  EXPECT_EQ(tie_correction_sum(x), 2.0 * (8.0 - 2.0));
}

TEST(Ranks, MatchesAComparisonSortOnManyValues) {
  const Eigen::Index n = 100000;
  // Distinct values of both signs in scrambled order (a Latin hypercube column).
  const Eigen::VectorXd x = (testing::lhs_unit(n, 1, 3).array() * 2e3 - 1e3).matrix();
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return x[a] < x[b]; });
  const Eigen::VectorXd r = average_ranks(x);
  for (Eigen::Index i = 0; i < n; ++i) {
    ASSERT_EQ(r[order[static_cast<std::size_t>(i)]], static_cast<double>(i + 1));
  }
  EXPECT_EQ(tie_correction_sum(x), 0.0);
}

TEST(Ranks, RanksNegativeAndPositiveValuesInOrder) {
  Eigen::VectorXd x(6);
  x << -1e300, 2.5, -3.0, 1e-300, -1e-300, 7.0;
  Eigen::VectorXd expected(6);
  expected << 1.0, 5.0, 2.0, 4.0, 3.0, 6.0;
  EXPECT_EQ(rank_columns(x), expected);
}

TEST(Ranks, RejectsNaN) {
  Eigen::VectorXd x(3);
  x << 1.0, std::nan(""), 2.0;
  EXPECT_THROW(average_ranks(x), AnalysisError);
}

}  // namespace
}  // namespace tmex::analysis
