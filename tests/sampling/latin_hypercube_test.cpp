// Tests of the index-addressable Latin hypercube and its keyed permutation.
#include "sampling/latin_hypercube.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

namespace tmex::sampling {
namespace {

TEST(KeyedPermutation, IsABijectionForManySizes) {
  for (std::uint64_t n : {1u, 2u, 3u, 7u, 16u, 17u, 100u, 1000u, 4097u}) {
    KeyedPermutation perm(n, 12345 + n);
    std::vector<bool> hit(n, false);
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto y = perm(i);
      ASSERT_LT(y, n);
      ASSERT_FALSE(hit[y]) << "n=" << n << " i=" << i;
      hit[y] = true;
    }
  }
}

TEST(KeyedPermutation, DifferentKeysGiveDifferentPermutations) {
  KeyedPermutation a(1000, 1), b(1000, 2);
  int same = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) same += a(i) == b(i);
  EXPECT_LT(same, 20);  // expected about 1 for independent permutations
}

TEST(LatinHypercube, CoversEveryStratumOnce) {
  const std::uint64_t n = 257;
  const std::size_t k = 6;
  LatinHypercube lhs(n, k, 42);
  std::vector<std::set<std::uint64_t>> strata(k);
  std::vector<double> u(k);
  for (std::uint64_t i = 0; i < n; ++i) {
    lhs.unit_point(i, u);
    for (std::size_t j = 0; j < k; ++j) {
      ASSERT_GT(u[j], 0.0);
      ASSERT_LT(u[j], 1.0);
      strata[j].insert(static_cast<std::uint64_t>(u[j] * static_cast<double>(n)));
    }
  }
  for (std::size_t j = 0; j < k; ++j) EXPECT_EQ(strata[j].size(), n) << "column " << j;
}

TEST(LatinHypercube, PointsDependOnlyOnSeedAndIndex) {
  LatinHypercube a(500, 4, 7), b(500, 4, 7), c(500, 4, 8);
  std::vector<double> ua(4), ub(4), uc(4);
  int differs = 0;
  for (std::uint64_t i = 500; i-- > 0;) {  // reverse order for b
    a.unit_point(i, ua);
    b.unit_point(499 - i, ub);
    b.unit_point(i, ub);
    c.unit_point(i, uc);
    EXPECT_EQ(ua, ub);
    differs += ua != uc;
  }
  EXPECT_GT(differs, 490);
}

TEST(LatinHypercube, MidpointSitsInTheCentreOfEachStratum) {
  LatinHypercube lhs(10, 2, 3, LhsJitter::kMidpoint);
  std::vector<double> u(2);
  for (std::uint64_t i = 0; i < 10; ++i) {
    lhs.unit_point(i, u);
    for (double v : u) {
      const double scaled = v * 10.0 - 0.5;
      EXPECT_NEAR(scaled, std::round(scaled), 1e-12);
    }
  }
}

}  // namespace
}  // namespace tmex::sampling
