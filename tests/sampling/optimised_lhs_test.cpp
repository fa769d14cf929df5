// Tests of maximin optimisation, rank-correlation control and Latin hypercube extension.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <vector>

#include "sampling/design_quality.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/lhs_extension.hpp"
#include "sampling/materialised_design.hpp"
#include "sampling/maximin_lhs.hpp"
#include "sampling/rank_correlation.hpp"

namespace tmex::sampling {
namespace {

// True if every column of the n x k row-major points hits each of `strata` strata at most once
// and (when strata == n) exactly once.
bool is_latin(const std::vector<double>& points, std::size_t k, std::uint64_t strata) {
  const std::uint64_t n = points.size() / k;
  for (std::size_t j = 0; j < k; ++j) {
    std::set<std::uint64_t> seen;
    for (std::uint64_t i = 0; i < n; ++i) {
      const double u = points[i * k + j];
      if (!(u > 0.0 && u < 1.0)) return false;
      if (!seen.insert(static_cast<std::uint64_t>(u * static_cast<double>(strata))).second) {
        return false;
      }
    }
  }
  return true;
}

TEST(MaximinLhs, BeatsRandomLhsAndStaysLatin) {
  const std::uint64_t n = 100;
  const std::size_t k = 5;
  std::vector<double> optimised, random;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto points = maximin_latin_hypercube(n, k, seed, LhsJitter::kRandom);
    ASSERT_TRUE(is_latin(points, k, n));
    const double d = measure_quality(points, k).min_distance;
    const double d0 = measure_quality(materialise(LatinHypercube(n, k, seed)), k).min_distance;
    EXPECT_GT(d, d0) << "seed " << seed;
    optimised.push_back(d);
    random.push_back(d0);
  }
  std::sort(optimised.begin(), optimised.end());
  // R's lhs::maximinLHS reaches a median of 0.226 at 100 x 5.
  EXPECT_GT(optimised[2], 0.226);
}

TEST(MaximinLhs, IsDeterministicInTheSeed) {
  EXPECT_EQ(maximin_latin_hypercube(50, 3, 9, LhsJitter::kRandom, 2000),
            maximin_latin_hypercube(50, 3, 9, LhsJitter::kRandom, 2000));
  EXPECT_NE(maximin_latin_hypercube(50, 3, 9, LhsJitter::kRandom, 2000),
            maximin_latin_hypercube(50, 3, 10, LhsJitter::kRandom, 2000));
}

TEST(RankCorrelation, AchievedCorrelationsMatchTheTarget) {
  const std::size_t k = 4;
  const std::uint64_t n = 1000;
  const std::vector<double> target = {1.0,  0.7,  -0.4, 0.0,  //
                                      0.7,  1.0,  -0.2, 0.3,  //
                                      -0.4, -0.2, 1.0,  0.0,  //
                                      0.0,  0.3,  0.0,  1.0};
  std::vector<double> points = materialise(LatinHypercube(n, k, 12));
  const double reported = impose_rank_correlation(points, k, target).max_error;
  ASSERT_TRUE(is_latin(points, k, n));
  const auto achieved = rank_correlation_matrix(points, k);
  double worst = 0.0;
  for (std::size_t i = 0; i < k * k; ++i)
    worst = std::max(worst, std::fabs(achieved[i] - target[i]));
  // Stated tolerance: 0.005 at n = 1000 (about 0.001 is reached; 0.008 at n = 100).
  EXPECT_LT(worst, 0.005);
  EXPECT_NEAR(reported, worst, 1e-12);
}

TEST(RankCorrelation, DecorrelationRemovesSpuriousCorrelation) {
  const std::size_t k = 10;
  const std::uint64_t n = 200;
  std::vector<double> points = materialise(LatinHypercube(n, k, 4));
  const double before = measure_quality(points, k).max_abs_rank_correlation;
  std::vector<double> identity(k * k, 0.0);
  for (std::size_t j = 0; j < k; ++j) identity[j * k + j] = 1.0;
  impose_rank_correlation(points, k, identity);
  const double after = measure_quality(points, k).max_abs_rank_correlation;
  EXPECT_GT(before, 0.05);  // typical spurious correlation of a random LHS, ~ 2.5 / sqrt(n)
  EXPECT_LT(after, 0.01);
  EXPECT_TRUE(is_latin(points, k, n));
}

// FNV-1a of the bytes of the values: a fingerprint of a design's exact points.
std::uint64_t fingerprint(const std::vector<double>& values) {
  std::uint64_t h = 1469598103934665603ULL;
  for (double v : values) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    for (int b = 0; b < 8; ++b) {
      h ^= (bits >> (8 * b)) & 0xff;
      h *= 1099511628211ULL;
    }
  }
  return h;
}

struct PinnedDesign {
  std::uint64_t n;
  std::size_t k;
  std::uint64_t seed;
  bool target;  // false: identity; true: 0.4 between neighbouring columns
  std::uint64_t version1, version2;
};

// Fingerprints of rearranged Latin hypercubes. version1 comes from tmex 0.1.0's implementation
// (ten passes always); version2 from this one. Below about 10^4 points the tolerance is never
// reached and both must agree; above, version 2 stops early. A change to these values changes
// existing campaigns' samples: it needs a new kImanConoverVersion (stores record it).
constexpr PinnedDesign kPinned[] = {
    {300, 4, 7, false, 0x1b3f40ce1d46b898ULL, 0x1b3f40ce1d46b898ULL},
    {1000, 21, 20261129, false, 0x8a23d80ffd2f63d3ULL, 0x8a23d80ffd2f63d3ULL},
    {5000, 6, 42, true, 0x351d323b73302ac3ULL, 0x351d323b73302ac3ULL},
    {20000, 21, 20261129, false, 0x2abb401497820fe2ULL, 0x0299ab7208b9105aULL},
    {20000, 3, 5, true, 0xd423052db7dbaab9ULL, 0x0fd14711e3dca761ULL},
};

std::vector<double> pinned_target(const PinnedDesign& d) {
  std::vector<double> target(d.k * d.k, 0.0);
  for (std::size_t j = 0; j < d.k; ++j) target[j * d.k + j] = 1.0;
  if (d.target) {
    for (std::size_t j = 0; j + 1 < d.k; ++j)
      target[j * d.k + j + 1] = target[(j + 1) * d.k + j] = 0.4;
  }
  return target;
}

TEST(RankCorrelation, PointsArePinnedToTheirVersion) {
  ASSERT_EQ(kImanConoverVersion, 2);
  for (const auto& d : kPinned) {
    std::vector<double> points = materialise(LatinHypercube(d.n, d.k, d.seed));
    const auto result = impose_rank_correlation(points, d.k, pinned_target(d));
    EXPECT_EQ(fingerprint(points), d.version2) << d.n << " x " << d.k;
    if (d.n < 10000) {
      EXPECT_EQ(d.version1, d.version2) << "version 2 must equal version 1 below the tolerance";
    } else {
      EXPECT_LT(result.passes, 10);
      EXPECT_LE(result.max_error, 0.01 / std::sqrt(static_cast<double>(d.n)));
    }
  }
}

TEST(RankCorrelation, MakeDesignBuildsTheVersionAStoreNeeds) {
  const PinnedDesign& d = kPinned[3];  // 20000 x 21: the versions differ
  DesignSpec spec;
  spec.samples = d.n;
  spec.seed = d.seed;
  spec.correlation = CorrelationControl::kDecorrelate;
  EXPECT_EQ(fingerprint(materialise(*make_design(spec, d.k))), d.version2);
  spec.algorithm_version = 1;
  const auto v1 = make_design(spec, d.k);
  EXPECT_EQ(v1->algorithm_version(), 1);
  EXPECT_EQ(fingerprint(materialise(*v1)), d.version1);
  spec.algorithm_version = 3;
  EXPECT_THROW(make_design(spec, d.k), DesignError);
  DesignSpec plain;
  plain.samples = 100;
  plain.algorithm_version = 2;  // a plain Latin hypercube has only version 1
  EXPECT_THROW(make_design(plain, 3), DesignError);
}

TEST(RankCorrelation, KnownRanksAndTheAchievedMatrix) {
  const std::uint64_t n = 3000;
  const std::size_t k = 5;
  const LatinHypercube lhs(n, k, 31);
  std::vector<double> sorted_ranks = materialise(lhs);
  std::vector<std::uint32_t> strata(n * k);
  for (std::uint64_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < k; ++j)
      strata[j * n + i] = static_cast<std::uint32_t>(lhs.stratum(i, j));
  }
  std::vector<double> given = sorted_ranks;
  std::vector<double> identity(k * k, 0.0);
  for (std::size_t j = 0; j < k; ++j) identity[j * k + j] = 1.0;
  const auto a = impose_rank_correlation(sorted_ranks, k, identity);
  const auto b = impose_rank_correlation(given, k, identity, strata);
  EXPECT_EQ(sorted_ranks, given);  // the strata are the ranks
  EXPECT_EQ(a.max_error, b.max_error);
  const auto achieved = rank_correlation_matrix(given, k);
  ASSERT_EQ(b.achieved.size(), achieved.size());
  for (std::size_t v = 0; v < achieved.size(); ++v) EXPECT_NEAR(b.achieved[v], achieved[v], 1e-12);
}

TEST(RankCorrelation, RejectsInvalidMatrices) {
  std::vector<double> points = materialise(LatinHypercube(20, 2, 1));
  EXPECT_THROW(impose_rank_correlation(points, 2, {1.0, 0.5, 0.4, 1.0}), DesignError);
  EXPECT_THROW(impose_rank_correlation(points, 2, {1.0, 1.2, 1.2, 1.0}), DesignError);
  EXPECT_THROW(impose_rank_correlation(points, 2, {0.9, 0.0, 0.0, 1.0}), DesignError);
  EXPECT_THROW(validate_correlation_matrix({1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1}, 3),
               DesignError);  // not positive definite
}

TEST(LhsExtension, MultipleOfNStaysLatinAndKeepsTheOriginalPoints) {
  for (const auto& [n, more] : {std::pair<std::uint64_t, std::uint64_t>{100, 100},
                                {100, 300},
                                {70001, 70001}}) {  // the last exercises the Feistel inverse
    const std::size_t k = 3;
    ExtendedLatinHypercube ext(n, k, 8, LhsJitter::kRandom, more);
    ASSERT_EQ(ext.size(), n + more);
    EXPECT_TRUE(ext.is_latin());
    const auto all = materialise(ext);
    EXPECT_TRUE(is_latin(all, k, n + more)) << n << " + " << more;
    const auto original = materialise(LatinHypercube(n, k, 8));
    EXPECT_TRUE(std::equal(original.begin(), original.end(), all.begin()));
  }
}

TEST(LhsExtension, OtherSizesUseDistinctFreeStrata) {
  const std::uint64_t n = 40, more = 25;
  const std::size_t k = 4;
  ExtendedLatinHypercube ext(n, k, 21, LhsJitter::kRandom, more);
  const auto all = materialise(ext);
  const std::vector<double> added(all.begin() + n * k, all.end());
  EXPECT_TRUE(is_latin(added, k, n + more));  // the new points never share a stratum
  EXPECT_EQ(is_latin(all, k, n + more), ext.is_latin());
}

TEST(LhsExtension, PointsDoNotDependOnGenerationOrder) {
  ExtendedLatinHypercube a(30, 2, 5, LhsJitter::kRandom, 60), b(30, 2, 5, LhsJitter::kRandom, 60);
  std::vector<double> ua(2), ub(2);
  for (std::uint64_t i = 90; i-- > 0;) {
    a.unit_point(i, ua);
    b.unit_point(89 - i, ub);
    b.unit_point(i, ub);
    EXPECT_EQ(ua, ub);
  }
}

}  // namespace
}  // namespace tmex::sampling
