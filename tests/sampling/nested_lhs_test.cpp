// Tests of the nested Latin hypercube: every doubling checkpoint is a Latin hypercube.
#include "sampling/nested_lhs.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "sampling/design_spec.hpp"
#include "sampling/rank_correlation.hpp"

namespace tmex::sampling {
namespace {

// The n leading points of `design`, row-major.
std::vector<double> leading(const Design& design, std::uint64_t n) {
  const std::size_t k = design.dimension();
  std::vector<double> points(n * k);
  for (std::uint64_t i = 0; i < n; ++i) {
    design.unit_point(i, std::span<double>(points.data() + i * k, k));
  }
  return points;
}

// True when every column of the n x k `points` holds each of its n strata exactly once.
::testing::AssertionResult is_latin(const std::vector<double>& points, std::size_t k,
                                    std::uint64_t n) {
  for (std::size_t j = 0; j < k; ++j) {
    std::vector<bool> hit(n, false);
    for (std::uint64_t i = 0; i < n; ++i) {
      const double u = points[i * k + j];
      if (!(u > 0.0 && u < 1.0)) {
        return ::testing::AssertionFailure() << "point " << i << " column " << j << " is " << u;
      }
      const auto s = static_cast<std::uint64_t>(u * static_cast<double>(n));
      if (hit[s]) {
        return ::testing::AssertionFailure()
               << "stratum " << s << " of " << n << " in column " << j << " holds two points";
      }
      hit[s] = true;
    }
  }
  return ::testing::AssertionSuccess();
}

double max_abs_off_diagonal(const std::vector<double>& matrix, std::size_t k) {
  double worst = 0.0;
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a + 1; b < k; ++b) worst = std::max(worst, std::fabs(matrix[a * k + b]));
  }
  return worst;
}

TEST(NestedLatinHypercube, EveryCheckpointIsALatinHypercube) {
  for (const std::uint64_t n0 : {1u, 2u, 7u, 100u}) {
    const unsigned levels = 6;
    const NestedLatinHypercube design(n0, levels, 4, 42 + n0, false);
    ASSERT_EQ(design.size(), n0 << levels);
    const auto points = leading(design, design.size());
    for (unsigned c = 0; c <= levels; ++c) {
      const std::uint64_t n = design.checkpoint_size(c);
      const std::vector<double> prefix(points.begin(),
                                       points.begin() + static_cast<std::ptrdiff_t>(n * 4));
      EXPECT_TRUE(is_latin(prefix, 4, n)) << "n0 " << n0 << ", checkpoint " << c;
    }
  }
}

TEST(NestedLatinHypercube, LargeCheckpointsWithFeistelPermutationsAreLatin) {
  // Blocks of more than 2^16 points use the Feistel network and its inverse.
  const NestedLatinHypercube design(50000, 2, 3, 7, false);
  const auto points = leading(design, design.size());
  for (unsigned c = 0; c <= 2; ++c) {
    const std::uint64_t n = design.checkpoint_size(c);
    EXPECT_TRUE(
        is_latin({points.begin(), points.begin() + static_cast<std::ptrdiff_t>(n * 3)}, 3, n))
        << "checkpoint " << c;
  }
}

TEST(NestedLatinHypercube, FirstCheckpointIsThePlainLatinHypercube) {
  const NestedLatinHypercube nested(500, 3, 5, 99, false);
  const LatinHypercube plain(500, 5, 99);
  std::vector<double> a(5), b(5);
  for (std::uint64_t i = 0; i < 500; ++i) {
    nested.unit_point(i, a);
    plain.unit_point(i, b);
    ASSERT_EQ(a, b) << "point " << i;
  }
}

TEST(NestedLatinHypercube, PointsDependOnlyOnTheIndexAndNotOnTheCap) {
  // A campaign whose cap is raised keeps its points; any order gives the same values.
  const NestedLatinHypercube small(64, 2, 3, 5, false), large(64, 5, 3, 5, false);
  std::vector<double> a(3), b(3);
  for (std::uint64_t i = small.size(); i-- > 0;) {
    small.unit_point(i, a);
    large.unit_point(i, b);
    ASSERT_EQ(a, b) << "point " << i;
  }
}

TEST(NestedLatinHypercube, DifferentSeedsGiveDifferentPoints) {
  const NestedLatinHypercube a(10, 2, 2, 1, false), b(10, 2, 2, 2, false);
  std::vector<double> pa(2), pb(2);
  a.unit_point(30, pa);
  b.unit_point(30, pb);
  EXPECT_NE(pa, pb);
}

TEST(NestedLatinHypercube, DecorrelatedBlocksKeepEveryCheckpointLatinAndUncorrelated) {
  const std::size_t k = 6;
  const NestedLatinHypercube plain(200, 4, k, 11, false), decorrelated(200, 4, k, 11, true);
  const auto p = leading(plain, plain.size());
  const auto d = leading(decorrelated, decorrelated.size());
  for (unsigned c = 0; c <= 4; ++c) {
    const std::uint64_t n = decorrelated.checkpoint_size(c);
    const std::vector<double> dp(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n * k));
    const std::vector<double> pp(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n * k));
    EXPECT_TRUE(is_latin(dp, k, n)) << "checkpoint " << c;
    // Each column of each prefix holds the same values, only rearranged within blocks.
    for (std::size_t j = 0; j < k; ++j) {
      std::vector<double> a, b;
      for (std::uint64_t i = 0; i < n; ++i) {
        a.push_back(dp[i * k + j]);
        b.push_back(pp[i * k + j]);
      }
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      ASSERT_EQ(a, b) << "checkpoint " << c << " column " << j;
    }
    const double worst_decorrelated = max_abs_off_diagonal(rank_correlation_matrix(dp, k), k);
    const double worst_plain = max_abs_off_diagonal(rank_correlation_matrix(pp, k), k);
    // Chance correlations of a random design are about 1/sqrt(n); decorrelated blocks leave a
    // small fraction of that in every prefix.
    EXPECT_LT(worst_decorrelated, 0.25 / std::sqrt(static_cast<double>(n))) << "checkpoint " << c;
    EXPECT_LT(worst_decorrelated, worst_plain) << "checkpoint " << c;
  }
}

TEST(NestedLatinHypercube, DecorrelatedFirstBlockIsTheDecorrelatedLatinHypercube) {
  DesignSpec spec;
  spec.method = "lhs";
  spec.samples = 300;
  spec.seed = 8;
  spec.correlation = CorrelationControl::kDecorrelate;
  const auto plain = make_design(spec, 4);
  const NestedLatinHypercube nested(300, 2, 4, 8, true);
  std::vector<double> a(4), b(4);
  for (std::uint64_t i = 0; i < 300; ++i) {
    plain->unit_point(i, a);
    nested.unit_point(i, b);
    ASSERT_EQ(a, b) << "point " << i;
  }
}

TEST(NestedLatinHypercube, MakeDesignBuildsItAndRefusesWhatCannotNest) {
  DesignSpec spec;
  spec.method = "lhs";
  spec.samples = 8000;
  spec.seed = 1;
  spec.nested_start = 1000;
  const auto design = make_design(spec, 3);
  EXPECT_EQ(design->size(), 8000u);
  EXPECT_EQ(design->describe(), "lhs(n=8000, k=3, seed=1, jitter=random, nested_from=1000)");
  spec.correlation = CorrelationControl::kDecorrelate;
  EXPECT_EQ(make_design(spec, 3)->describe(),
            "lhs(n=8000, k=3, seed=1, jitter=random, nested_from=1000, correlation=decorrelate)");
  auto refused = [&](DesignSpec s, const std::string& words) {
    try {
      make_design(s, 3);
      ADD_FAILURE() << "accepted; expected an error containing '" << words << "'";
    } catch (const DesignError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  DesignSpec s = spec;
  s.samples = 7000;
  refused(s, "samples must be 1000 x 2^L; got 7000 (between 4000 and 8000)");
  s = spec;
  s.jitter = LhsJitter::kMidpoint;
  refused(s, "random jitter");
  s = spec;
  s.correlation.reset();
  s.optimize = LhsOptimization::kMaximin;
  refused(s, "maximin");
  s = spec;
  s.correlation = CorrelationControl::kTarget;
  s.rank_correlation = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  refused(s, "only be decorrelated");
  s = spec;
  s.extend_from = 500;
  refused(s, "extend_from");
  s = spec;
  s.nested_start = 2;
  s.samples = 64;
  refused(s, "more points than parameters");
  s = spec;
  s.method = "sobol";
  s.correlation.reset();
  refused(s, "nested_start: applies to method lhs only");
}

}  // namespace
}  // namespace tmex::sampling
