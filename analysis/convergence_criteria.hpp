// The criteria of a converged analysis, shared by reports and self-stopping campaigns.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace tmex::analysis {

/// What "converged" means for a campaign that stops itself at checkpoints: every interval
/// half-width of an index whose interval excludes 0 is at most `halfwidth`, and the top
/// `stable_top` parameters that matter are the same, in the same order, at two consecutive
/// checkpoints.
struct ConvergenceCriteria {
  double halfwidth = 0.05;  ///< largest acceptable half-width of a significant index's interval
  int stable_top = 5;       ///< how many of the top parameters must keep their order; >= 1
};

/// The widest interval among the indices whose interval excludes 0 (of one column or all).
struct HalfwidthCheck {
  bool met = true;               ///< every such half-width <= the criterion (true when none)
  double largest = 0.0;          ///< the largest such half-width (0 when none)
  Eigen::Index row = -1;         ///< where it is (-1 when none)
  Eigen::Index column = -1;      ///< its column
  Eigen::Index significant = 0;  ///< indices whose interval excludes 0
};

/// halfwidth_check() over column `column` of the matrices, or over all columns when `column` is
/// -1: half-width (high - low) / 2 of every entry whose finite interval [low, high] excludes 0,
/// the largest, and whether it is <= `halfwidth`. Entries with a NaN end are skipped. Pure.
HalfwidthCheck halfwidth_check(const Eigen::MatrixXd& low, const Eigen::MatrixXd& high,
                               double halfwidth, Eigen::Index column = -1);

/// The rows of column `column` of `values` in order of decreasing |value| (NaN last, ties by
/// row), the first `k` of them (all when k exceeds the rows). Pure.
std::vector<Eigen::Index> top_rows(const Eigen::MatrixXd& values, Eigen::Index column,
                                   Eigen::Index k);

/// Whether the top `k` rows of column `column` are the same rows in the same order in `before`
/// and `after` (both by |value|). Pure.
bool same_top(const Eigen::MatrixXd& before, const Eigen::MatrixXd& after, Eigen::Index column,
              Eigen::Index k);

/// The parameters that matter for the rank check of column `column`: the number of rows whose
/// interval [low, high] excludes 0, at most `stable_top`. Pure.
Eigen::Index ranked_count(const Eigen::MatrixXd& low, const Eigen::MatrixXd& high,
                          Eigen::Index column, int stable_top);

}  // namespace tmex::analysis
