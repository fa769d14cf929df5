// Tests of the design quality measures against published values and simple cases.
#include "sampling/design_quality.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sampling/latin_hypercube.hpp"

namespace tmex::sampling {
namespace {

TEST(DesignQuality, CentredDiscrepancyMatchesScipyExample) {
  // scipy.stats.qmc.discrepancy docstring: the 6 x 2 design below scaled from [0.5, 6.5]^2
  // has CD^2 = 0.008142039609053464.
  const double raw[6][2] = {{1, 3}, {2, 6}, {3, 2}, {4, 5}, {5, 1}, {6, 4}};
  std::vector<double> points;
  for (const auto& r : raw) {
    for (double v : r) points.push_back((v - 0.5) / 6.0);
  }
  const auto q = measure_quality(points, 2);
  EXPECT_NEAR(q.centred_l2_discrepancy, 0.008142039609053464, 1e-15);
  // The closest pairs, e.g. (1, 3) and (3, 2), are sqrt(5) grid steps of 1/6 apart.
  EXPECT_NEAR(q.min_distance, std::sqrt(5.0) / 6.0, 1e-15);
  EXPECT_EQ(q.points_used, 6u);
}

TEST(DesignQuality, OnePointDiscrepancyClosedForm) {
  // For n = 1, CD^2 = (13/12)^k - 2 prod(1 + z/2 - z^2/2) + prod(1 + z), z = |x - 1/2|;
  // at the centre that is (13/12)^k - 2 + 1. Two identical centre points have distance 0.
  std::vector<double> points = {0.5, 0.5, 0.5, 0.5};
  const auto q = measure_quality(points, 2);
  EXPECT_NEAR(q.centred_l2_discrepancy, 13.0 / 12.0 * 13.0 / 12.0 - 1.0, 1e-15);
  EXPECT_EQ(q.min_distance, 0.0);
}

TEST(DesignQuality, RankCorrelationOfMonotoneColumnsIsOne) {
  // A decreasing transform of column 0 has rank correlation -1 with it.
  std::vector<double> points;
  for (int i = 0; i < 20; ++i) {
    const double u = (i + 0.5) / 20.0;
    points.insert(points.end(), {u, 1.0 - u * u});
  }
  EXPECT_NEAR(measure_quality(points, 2).max_abs_rank_correlation, 1.0, 1e-12);
}

TEST(DesignQuality, LargeDesignsAreSubsampled) {
  LatinHypercube lhs(5000, 3, 1);
  const auto q = measure_quality(lhs, 500, 7);
  EXPECT_EQ(q.points_used, 500u);
  const auto full = measure_quality(lhs, 10000);
  EXPECT_EQ(full.points_used, 5000u);
  // A subset of a space-filling design is sparser.
  EXPECT_GT(q.min_distance, full.min_distance);
}

}  // namespace
}  // namespace tmex::sampling
