// Tests of the Saltelli, Morris and grid layouts.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "sampling/design_spec.hpp"
#include "sampling/grid_design.hpp"
#include "sampling/morris_design.hpp"
#include "sampling/saltelli_design.hpp"

namespace tmex::sampling {
namespace {

TEST(SaltelliDesign, BlocksFollowTheProjectLayout) {
  for (auto base : {SaltelliBase::kSobol, SaltelliBase::kLhs}) {
    const std::size_t k = 4;
    const std::uint64_t n = 64;
    DesignSpec spec;
    spec.method = "saltelli";
    spec.samples = n;
    spec.seed = 5;
    spec.base = base;
    const auto d = make_design(spec, k);
    ASSERT_EQ(d->size(), n * (k + 2));
    ASSERT_EQ(d->dimension(), k);
    EXPECT_EQ(d->group_size(), k + 2);
    std::vector<double> a(k), b(k), p(k);
    for (std::uint64_t j = 0; j < n; ++j) {
      d->unit_point(j * (k + 2), a);
      d->unit_point(j * (k + 2) + k + 1, b);
      EXPECT_EQ(d->block(j * (k + 2)), 0);
      EXPECT_EQ(d->block(j * (k + 2) + k + 1), static_cast<std::int64_t>(k + 1));
      for (std::size_t c = 0; c < k; ++c) EXPECT_NE(a[c], b[c]);
      for (std::size_t bi = 1; bi <= k; ++bi) {
        d->unit_point(j * (k + 2) + bi, p);
        EXPECT_EQ(d->block(j * (k + 2) + bi), static_cast<std::int64_t>(bi));
        for (std::size_t c = 0; c < k; ++c) {
          EXPECT_EQ(p[c], c == bi - 1 ? b[c] : a[c]) << "row " << j << " block " << bi;
        }
      }
    }
  }
}

TEST(SaltelliDesign, AAndBAreIndependentHalvesOfTheBase) {
  // With an LHS base, the A rows and the B rows are each Latin hypercubes of the N base rows.
  const std::size_t k = 3;
  const std::uint64_t n = 50;
  DesignSpec spec;
  spec.method = "saltelli";
  spec.samples = n;
  spec.base = SaltelliBase::kLhs;
  const auto d = make_design(spec, k);
  std::vector<std::set<int>> a_strata(k), b_strata(k);
  std::vector<double> u(k);
  for (std::uint64_t j = 0; j < n; ++j) {
    d->unit_point(j * (k + 2), u);
    for (std::size_t c = 0; c < k; ++c) a_strata[c].insert(static_cast<int>(u[c] * n));
    d->unit_point(j * (k + 2) + k + 1, u);
    for (std::size_t c = 0; c < k; ++c) b_strata[c].insert(static_cast<int>(u[c] * n));
  }
  for (std::size_t c = 0; c < k; ++c) {
    EXPECT_EQ(a_strata[c].size(), n);
    EXPECT_EQ(b_strata[c].size(), n);
  }
}

TEST(MorrisDesign, TrajectoriesStepOneFactorByDelta) {
  const std::size_t k = 6;
  const std::uint32_t p = 4;
  const std::uint64_t r = 30;
  MorrisDesign d(r, k, p, LevelPlacement::kEndpoints, 17);
  ASSERT_EQ(d.size(), r * (k + 1));
  EXPECT_EQ(d.group_size(), k + 1);
  const double delta = p / (2.0 * (p - 1));
  std::vector<double> prev(k), cur(k);
  for (std::uint64_t t = 0; t < r; ++t) {
    std::set<std::size_t> moved;
    d.unit_point(t * (k + 1), prev);
    EXPECT_EQ(d.block(t * (k + 1)), static_cast<std::int64_t>(t));
    for (std::size_t s = 1; s <= k; ++s) {
      const std::uint64_t i = t * (k + 1) + s;
      EXPECT_EQ(d.block(i), static_cast<std::int64_t>(t));
      d.unit_point(i, cur);
      int changed = 0;
      for (std::size_t j = 0; j < k; ++j) {
        ASSERT_GT(cur[j], 0.0);
        ASSERT_LT(cur[j], 1.0);
        if (cur[j] != prev[j]) {
          ++changed;
          moved.insert(j);
          EXPECT_NEAR(std::fabs(cur[j] - prev[j]), delta, 1e-15);
        }
      }
      EXPECT_EQ(changed, 1) << "trajectory " << t << " step " << s;
      prev = cur;
    }
    EXPECT_EQ(moved.size(), k);  // every factor moves exactly once
  }
}

TEST(MorrisDesign, LevelsAreEquallyLikely) {
  const std::size_t k = 5;
  const std::uint32_t p = 6;
  MorrisDesign d(2000, k, p, LevelPlacement::kCentred, 3);
  std::vector<double> count(p, 0.0);
  for (std::uint64_t i = 0; i < d.size(); ++i) {
    for (std::size_t j = 0; j < k; ++j) count[d.level(i, j)] += 1.0;
  }
  const double expected = static_cast<double>(d.size() * k) / p;
  double chi2 = 0.0;
  for (double c : count) chi2 += (c - expected) * (c - expected) / expected;
  // Points of a trajectory are dependent; this loose bound still fails for a biased start.
  EXPECT_LT(chi2, 60.0);
  std::vector<double> u(k);
  d.unit_point(0, u);
  for (double v : u) EXPECT_NEAR(std::fmod(v * p - 0.5, 1.0), 0.0, 1e-12);
}

TEST(MorrisDesign, RejectsOddLevels) { EXPECT_THROW(MorrisDesign(4, 3, 5, {}, 0), DesignError); }

TEST(GridDesign, EnumeratesEveryCombinationLastColumnFastest) {
  GridDesign g({3, 2}, LevelPlacement::kEndpoints);
  ASSERT_EQ(g.size(), 6u);
  std::vector<double> u(2);
  g.unit_point(0, u);
  EXPECT_NEAR(u[0], 0.0, 1e-15);
  EXPECT_NEAR(u[1], 0.0, 1e-15);
  EXPECT_GT(u[0], 0.0);
  g.unit_point(1, u);
  EXPECT_NEAR(u[0], 0.0, 1e-15);
  EXPECT_NEAR(u[1], 1.0, 1e-15);
  EXPECT_LT(u[1], 1.0);
  g.unit_point(3, u);
  EXPECT_EQ(u[0], 0.5);
  EXPECT_NEAR(u[1], 1.0, 1e-15);
  std::set<std::vector<double>> all;
  for (std::uint64_t i = 0; i < g.size(); ++i) {
    g.unit_point(i, u);
    all.insert(u);
  }
  EXPECT_EQ(all.size(), 6u);
  EXPECT_EQ(g.describe(), "grid(levels=[3, 2], placement=endpoints)");
}

}  // namespace
}  // namespace tmex::sampling
