// Tests of the Sobol' sequence: published values, an independent implementation, scrambling.
#include "sampling/sobol_sequence.hpp"

#include <gtest/gtest.h>

#include <boost/random/sobol.hpp>
#include <cmath>
#include <vector>

namespace tmex::sampling {
namespace {

TEST(SobolSequence, FirstPointsMatchJoeKuo) {
  // Points 1..7 of the Joe-Kuo (new-joe-kuo-6.21201) sequence in Gray-code order, as printed by
  // their sobol.cc (and scipy.stats.qmc.Sobol(scramble=False), which skips nothing: its rows
  // 1..7). Column 3 follows from m = (1, 3) for x^2 + x + 1.
  const double expected[7][3] = {
      {0.5, 0.5, 0.5},       {0.75, 0.25, 0.25},    {0.25, 0.75, 0.75},   {0.375, 0.375, 0.625},
      {0.875, 0.875, 0.125}, {0.625, 0.125, 0.875}, {0.125, 0.625, 0.375}};
  SobolSequence s(7, 3, SobolScramble::kNone, 0);
  std::vector<double> u(3);
  for (int i = 0; i < 7; ++i) {
    s.unit_point(i, u);
    for (int j = 0; j < 3; ++j) EXPECT_EQ(u[j], expected[i][j]) << "point " << i + 1;
  }
}

TEST(SobolSequence, MatchesBoostRandomInManyDimensions) {
  // Boost's sobol_engine is an independent, sequential implementation on the same table.
  const std::size_t k = 40;
  const int n = 1000;
  boost::random::sobol_engine<std::uint32_t, 32> engine(k);
  SobolSequence s(n, k, SobolScramble::kNone, 0);
  std::vector<double> u(k);
  for (int i = 0; i < n; ++i) {
    s.unit_point(i, u);
    for (std::size_t j = 0; j < k; ++j) {
      ASSERT_EQ(u[j], static_cast<double>(engine()) * 0x1.0p-32) << i << "," << j;
    }
  }
}

// Every one of the 2^m equal intervals of each column holds exactly one of the first 2^m
// points: the (0, m, 1)-net property of each one-dimensional projection, kept by scrambling.
void expect_stratified(const SobolSequence& s, std::uint64_t first, unsigned m) {
  const std::uint64_t n = std::uint64_t{1} << m;
  std::vector<double> u(s.dimension());
  std::vector<std::vector<int>> count(s.dimension(), std::vector<int>(n, 0));
  for (std::uint64_t i = first; i < first + n; ++i) {
    s.unit_point(i, u);
    for (std::size_t j = 0; j < u.size(); ++j) {
      ASSERT_GT(u[j], 0.0);
      ASSERT_LT(u[j], 1.0);
      ++count[j][static_cast<std::uint64_t>(u[j] * static_cast<double>(n))];
    }
  }
  for (const auto& c : count) {
    for (int v : c) ASSERT_EQ(v, 1);
  }
}

TEST(SobolSequence, ScrambledPointsKeepTheNetProperty) {
  expect_stratified(SobolSequence(1024, 8, SobolScramble::kOwen, 3), 0, 10);
  expect_stratified(SobolSequence(1024, 8, SobolScramble::kShift, 3), 0, 10);
  // Two-dimensional elementary intervals: columns 0 and 1 of the Sobol' sequence have t = 0, so
  // 2^m points fill each of the 2^a x 2^(m-a) boxes once.
  SobolSequence s(256, 2, SobolScramble::kOwen, 11);
  std::vector<double> u(2);
  std::vector<int> box(256, 0);
  for (int i = 0; i < 256; ++i) {
    s.unit_point(i, u);
    ++box[static_cast<int>(u[0] * 16) * 16 + static_cast<int>(u[1] * 16)];
  }
  for (int b : box) EXPECT_EQ(b, 1);
}

TEST(SobolSequence, ScramblingDependsOnTheSeedAndIsUnbiased) {
  SobolSequence a(64, 4, SobolScramble::kOwen, 1), b(64, 4, SobolScramble::kOwen, 2);
  std::vector<double> ua(4), ub(4);
  a.unit_point(5, ua);
  b.unit_point(5, ub);
  EXPECT_NE(ua, ub);
  // Owen scrambling makes every point uniform: the mean of point 0 over many seeds is 1/2 with
  // standard error sqrt(1/12 / seeds).
  const int seeds = 4000;
  double sum = 0.0;
  for (int seed = 0; seed < seeds; ++seed) {
    SobolSequence s(1, 1, SobolScramble::kOwen, seed);
    std::vector<double> u(1);
    s.unit_point(0, u);
    sum += u[0];
  }
  EXPECT_NEAR(sum / seeds, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / seeds));
}

TEST(SobolSequence, RejectsUnsupportedSizes) {
  EXPECT_THROW(SobolSequence(10, 0, SobolScramble::kNone, 0), DesignError);
  EXPECT_THROW(SobolSequence(10, SobolSequence::max_dimension() + 1, SobolScramble::kNone, 0),
               DesignError);
  EXPECT_THROW(SobolSequence(0, 2, SobolScramble::kNone, 0), DesignError);
}

}  // namespace
}  // namespace tmex::sampling
