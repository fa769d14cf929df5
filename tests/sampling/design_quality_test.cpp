// Tests of the design quality measures against published values and simple cases.
#include "sampling/design_quality.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sampling/latin_hypercube.hpp"
#include "sampling/materialised_design.hpp"

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
  const auto q =
      measure_quality(lhs, {.pairwise_points = 500, .correlation_points = 2000, .seed = 7});
  EXPECT_EQ(q.points_used, 500u);
  EXPECT_EQ(q.correlation_points_used, 2000u);
  const auto full = measure_quality(lhs, {.pairwise_points = 10000, .correlation_points = 10000});
  EXPECT_EQ(full.points_used, 5000u);
  EXPECT_EQ(full.correlation_points_used, 5000u);
  const auto exact = measure_quality(materialise(lhs), 3);
  EXPECT_EQ(full.min_distance, exact.min_distance);
  EXPECT_EQ(full.max_abs_rank_correlation, exact.max_abs_rank_correlation);
  // A subset of a space-filling design is sparser.
  EXPECT_GT(q.min_distance, full.min_distance);
}

TEST(DesignQuality, SubsetsAreRandomAndReproducible) {
  // Saltelli-like structure: the first points of the design are all in one corner, so a subset
  // that took the first points would show a tiny spread.
  std::vector<double> points;
  for (int i = 0; i < 4000; ++i) {
    const double u = i < 1000 ? 0.001 + 1e-6 * i : (i + 0.5) / 4000.0;
    points.insert(points.end(), {u, 1.0 - u});
  }
  const MaterialisedDesign design(2, points, "corner");
  const auto a = measure_quality(design, {.pairwise_points = 200, .seed = 3});
  const auto b = measure_quality(design, {.pairwise_points = 200, .seed = 3});
  EXPECT_EQ(a.min_distance, b.min_distance);
  EXPECT_EQ(a.centred_l2_discrepancy, b.centred_l2_discrepancy);
  // The first 200 points all sit in one corner; a random 200 spread over the square.
  const auto first = measure_quality(std::span<const double>(points.data(), 400), 2);
  EXPECT_LT(a.centred_l2_discrepancy, first.centred_l2_discrepancy / 10);
  EXPECT_EQ(a.correlation_points_used, 4000u);
}

TEST(DesignQuality, UsesTheCorrelationADesignKnows) {
  const MaterialisedDesign known(20, 2, "known", 1, [] {
    std::vector<double> points;
    for (int i = 0; i < 20; ++i) points.insert(points.end(), {(i + 0.5) / 20, (i + 0.5) / 20});
    return MaterialisedDesign::Built{points, 0.25};
  });
  const auto q = measure_quality(known);
  EXPECT_EQ(q.max_abs_rank_correlation, 0.25);  // not the measured 1
  EXPECT_EQ(q.correlation_points_used, 20u);
}

}  // namespace
}  // namespace tmex::sampling
