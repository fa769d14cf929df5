// Tests of average ranks and the tie correction.
#include "analysis/ranks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
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

// Average ranks by a comparison sort, for reference.
Eigen::VectorXd naive_ranks(const Eigen::VectorXd& x) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(x.size()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return x[a] < x[b]; });
  Eigen::VectorXd r(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && x[order[j]] == x[order[i]]) ++j;
    for (std::size_t t = i; t < j; ++t) r[order[t]] = 0.5 * static_cast<double>(i + 1 + j);
    i = j;
  }
  return r;
}

TEST(Ranks, HardDistributionsMatchAComparisonSort) {
  std::mt19937_64 g(11);
  std::normal_distribution<double> e;
  std::uniform_real_distribution<double> u;
  const Eigen::Index n = 20000;
  // Continuous, log-scaled, few levels, clustered with outliers (one bucket holding almost
  // everything), signed zeros, a constant, and mixtures of them.
  const std::vector<std::function<double(Eigen::Index)>> draws = {
      [&](Eigen::Index) { return u(g); },
      [&](Eigen::Index) { return std::exp(40.0 * e(g)); },
      [&](Eigen::Index) { return std::floor(4.0 * u(g)); },
      [&](Eigen::Index i) { return i == 0   ? -1e300
                                   : i == 1 ? 1e300
                                            : 1.0 + 1e-9 * e(g); },
      [&](Eigen::Index i) { return i % 2 ? 0.0 : -0.0; },
      [&](Eigen::Index) { return 3.0; },
      [&](Eigen::Index i) { return i % 3 ? e(g) : std::round(e(g)); },
  };
  for (std::size_t d = 0; d < draws.size(); ++d) {
    Eigen::VectorXd x(n);
    for (Eigen::Index i = 0; i < n; ++i) x[i] = draws[d](i);
    EXPECT_EQ(average_ranks(x), naive_ranks(x)) << "distribution " << d;
    std::vector<std::int32_t> doubled(static_cast<std::size_t>(n));
    doubled_centred_ranks({x.data(), static_cast<std::size_t>(n)}, doubled);
    const Eigen::VectorXd r = naive_ranks(x);
    for (Eigen::Index i = 0; i < n; ++i) {
      ASSERT_EQ(doubled[static_cast<std::size_t>(i)], 2.0 * r[i] - static_cast<double>(n + 1))
          << "distribution " << d << " row " << i;
    }
    std::vector<double> sorted(x.data(), x.data() + n);
    sort_values(sorted);
    EXPECT_TRUE(std::is_sorted(sorted.begin(), sorted.end())) << d;
  }
}

TEST(Ranks, RejectsNaN) {
  Eigen::VectorXd x(3);
  x << 1.0, std::nan(""), 2.0;
  EXPECT_THROW(average_ranks(x), AnalysisError);
}

}  // namespace
}  // namespace tmex::analysis
