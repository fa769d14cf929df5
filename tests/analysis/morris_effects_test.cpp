// Tests of Morris elementary effects on models with known effects.
#include "analysis/morris_effects.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "analysis/analysis_error.hpp"
#include "models/analytic_models.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

// r trajectories on a 4-level grid of [lo_i, hi_i]: each starts at a random grid point and
// moves every input once, by +-2/3 of its range, in a random order.
Eigen::MatrixXd trajectories(int r, const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                             unsigned seed) {
  const Eigen::Index k = lo.size();
  std::mt19937 gen(seed);
  Eigen::MatrixXd x(r * (k + 1), k);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(k));
  const double delta = 2.0 / 3.0;
  for (int t = 0; t < r; ++t) {
    Eigen::VectorXd u(k);
    for (Eigen::Index i = 0; i < k; ++i) u[i] = static_cast<double>(gen() % 4) / 3.0;
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), gen);
    const Eigen::Index row = t * (k + 1);
    x.row(row) = (lo.array() + u.array() * (hi - lo).array()).transpose();
    for (Eigen::Index s = 0; s < k; ++s) {
      const Eigen::Index i = order[static_cast<std::size_t>(s)];
      u[i] += u[i] + delta <= 1.0 ? delta : -delta;
      x.row(row + s + 1) = (lo.array() + u.array() * (hi - lo).array()).transpose();
    }
  }
  return x;
}

TEST(MorrisEffects, LinearModelHasMuStarOfSlopeTimesRangeAndNoSpread) {
  const std::vector<double> b = {1.0, -2.0, 0.5};
  models::ModelSpec spec;
  spec.vector_settings["coefficients"] = b;
  const Eigen::Vector3d lo(0.0, -2.0, 10.0);
  const Eigen::Vector3d hi(1.0, 3.0, 30.0);
  const Eigen::MatrixXd x = trajectories(20, lo, hi, 1);
  const Eigen::MatrixXd y = testing::evaluate(*models::make_linear(spec), x);
  const MorrisEffects m = morris_effects(x, y, hi - lo);
  EXPECT_EQ(m.trajectories, 20);
  for (Eigen::Index i = 0; i < 3; ++i) {
    const double slope = b[static_cast<std::size_t>(i)] * (hi[i] - lo[i]);
    EXPECT_NEAR(m.mu_star(i, 0), std::abs(slope), 1e-9 * std::abs(slope)) << "x" << i + 1;
    EXPECT_NEAR(m.mu(i, 0), slope, 1e-9 * std::abs(slope));
    EXPECT_NEAR(m.sigma(i, 0), 0.0, 1e-9 * std::abs(slope));
    EXPECT_NEAR(m.mu_star_low(i, 0), std::abs(slope), 1e-9 * std::abs(slope));
    EXPECT_NEAR(m.mu_star_high(i, 0), std::abs(slope), 1e-9 * std::abs(slope));
    EXPECT_EQ(m.effects[static_cast<std::size_t>(i)], 20);
  }
}

TEST(MorrisEffects, InteractionsShowAsSpreadAndSignChangesLowerMu) {
  const Eigen::Vector3d lo(-1.0, -1.0, 0.0);
  const Eigen::Vector3d hi(1.0, 1.0, 1.0);
  const Eigen::MatrixXd x = trajectories(40, lo, hi, 2);
  // y = x1 x2 + x3: the effect of x1 is 2 x2 per unit fraction of its range, of either sign.
  const Eigen::MatrixXd y = (x.col(0).array() * x.col(1).array() + x.col(2).array()).matrix();
  MorrisOptions options;
  options.seed = 3;
  const MorrisEffects m = morris_effects(x, y, hi - lo, {{"a", "b", "c"}, {"y"}}, options);
  EXPECT_GT(m.sigma(0, 0), 0.5);
  EXPECT_LT(std::abs(m.mu(0, 0)), m.mu_star(0, 0));
  EXPECT_NEAR(m.mu_star(2, 0), 1.0, 1e-12);
  EXPECT_NEAR(m.sigma(2, 0), 0.0, 1e-12);
  EXPECT_LE(m.mu_star_low(0, 0), m.mu_star(0, 0));
  EXPECT_GE(m.mu_star_high(0, 0), m.mu_star(0, 0));
  EXPECT_LT(m.mu_star_low(0, 0), m.mu_star_high(0, 0));
}

TEST(MorrisEffects, RejectsStepsThatMoveNoneOrSeveralInputs) {
  const Eigen::Vector2d lo(0.0, 0.0);
  const Eigen::Vector2d hi(1.0, 1.0);
  Eigen::MatrixXd x = trajectories(3, lo, hi, 4);
  const Eigen::MatrixXd y = x.rowwise().sum();
  Eigen::MatrixXd both = x;
  both(4, 0) += 0.1;  // trajectory 1, row 1: now its first step moves both inputs
  both(4, 1) += 0.1;
  EXPECT_THROW(morris_effects(both, y, hi - lo), AnalysisError);
  Eigen::MatrixXd none = x;
  none.row(7) = none.row(6);  // trajectory 2, step 0 moves nothing
  EXPECT_THROW(morris_effects(none, y, hi - lo), AnalysisError);
  EXPECT_THROW(morris_effects(x.topRows(5), y.topRows(5), hi - lo), AnalysisError);
  EXPECT_THROW(morris_effects(x, y, Eigen::Vector2d(1.0, 0.0)), AnalysisError);
}

}  // namespace
}  // namespace tmex::analysis
