// Tests of the index-addressable Latin hypercube and its keyed permutation.
#include "sampling/latin_hypercube.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <span>
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

TEST(KeyedPermutation, FeistelSizesAreBijectionsWithInverse) {
  // Above the tabulation limit the Feistel network with cycle walking is used.
  for (std::uint64_t n :
       {KeyedPermutation::kTableLimit + 1, std::uint64_t{100003}, std::uint64_t{1} << 18}) {
    KeyedPermutation perm(n, 99 + n);
    std::vector<bool> hit(n, false);
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto y = perm(i);
      ASSERT_LT(y, n);
      ASSERT_FALSE(hit[y]) << "n=" << n << " i=" << i;
      hit[y] = true;
      ASSERT_EQ(perm.inverse(y), i);
    }
  }
}

TEST(KeyedPermutation, TabulatedInverseUndoesTheImage) {
  KeyedPermutation perm(1000, 5);
  for (std::uint64_t i = 0; i < 1000; ++i) EXPECT_EQ(perm.inverse(perm(i)), i);
}

TEST(KeyedPermutation, ImagesLookIndependentOfTheIndex) {
  // Rank correlation of i with perm(i), and of perm(i) with perm(i + 1), is ~N(0, 1/n) for a
  // random permutation; 5 standard errors is a loose but failing-capable bound.
  const std::uint64_t n = 200003;
  KeyedPermutation perm(n, 77);
  const double mean = static_cast<double>(n - 1) / 2.0;
  double with_index = 0.0, serial = 0.0;
  for (std::uint64_t i = 0; i + 1 < n; ++i) {
    const double a = static_cast<double>(perm(i)) - mean;
    with_index += a * (static_cast<double>(i) - mean);
    serial += a * (static_cast<double>(perm(i + 1)) - mean);
  }
  const double variance_sum =
      static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n) / 12.0;
  const double bound = 5.0 / std::sqrt(static_cast<double>(n));
  EXPECT_LT(std::fabs(with_index / variance_sum), bound);
  EXPECT_LT(std::fabs(serial / variance_sum), bound);
}

TEST(KeyedPermutation, SmallSizesGiveUniformImages) {
  // perm(0) over many keys must be uniform on [0, n) (each point of an LHS is then uniform).
  const std::uint64_t n = 8;
  std::vector<double> count(n, 0.0);
  const int keys = 16000;
  for (int key = 0; key < keys; ++key) count[KeyedPermutation(n, key)(0)] += 1.0;
  double chi2 = 0.0;
  for (double c : count) chi2 += (c - keys / 8.0) * (c - keys / 8.0) / (keys / 8.0);
  EXPECT_LT(chi2, 24.3);  // chi-square, 7 degrees of freedom, p = 0.001
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

TEST(LatinHypercube, LargeDesignCoversEveryStratumOnce) {
  // Above the tabulation limit: the Feistel path.
  const std::uint64_t n = 100000;
  const std::size_t k = 3;
  LatinHypercube lhs(n, k, 9);
  std::vector<std::vector<bool>> hit(k, std::vector<bool>(n, false));
  std::vector<double> u(k);
  for (std::uint64_t i = 0; i < n; ++i) {
    lhs.unit_point(i, u);
    for (std::size_t j = 0; j < k; ++j) {
      const auto s = static_cast<std::uint64_t>(u[j] * static_cast<double>(n));
      ASSERT_FALSE(hit[j][s]);
      hit[j][s] = true;
    }
  }
}

TEST(LatinHypercube, SameValuesInOrderReversedAndInChunks) {
  const std::uint64_t n = 70001;  // Feistel path; also checked below at a tabulated size
  for (std::uint64_t size : {n, std::uint64_t{1000}}) {
    const std::size_t k = 5;
    std::vector<double> in_order(size * k), reversed(size * k), chunked(size * k);
    {
      LatinHypercube lhs(size, k, 2024);
      for (std::uint64_t i = 0; i < size; ++i) {
        lhs.unit_point(i, std::span<double>(in_order.data() + i * k, k));
      }
    }
    {
      LatinHypercube lhs(size, k, 2024);
      for (std::uint64_t i = size; i-- > 0;) {
        lhs.unit_point(i, std::span<double>(reversed.data() + i * k, k));
      }
    }
    {
      // Chunks handed out out of order, each by a freshly built design (another rank).
      const std::uint64_t chunk = 997;
      for (std::uint64_t c = (size + chunk - 1) / chunk; c-- > 0;) {
        LatinHypercube lhs(size, k, 2024);
        for (std::uint64_t i = c * chunk; i < std::min(size, (c + 1) * chunk); ++i) {
          lhs.unit_point(i, std::span<double>(chunked.data() + i * k, k));
        }
      }
    }
    EXPECT_EQ(in_order, reversed);
    EXPECT_EQ(in_order, chunked);
  }
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
