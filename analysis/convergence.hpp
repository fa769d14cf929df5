// Convergence checks: indices recomputed on growing leading subsamples, judged by the parameters
// that matter (rank stability of the top ones, interval half-widths of the significant ones).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/convergence_criteria.hpp"
#include "analysis/labels.hpp"
#include "analysis/rank_matrix.hpp"

namespace tmex::analysis {

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

/// The parameters that matter for the rank check of column `column`: the number of rows of
/// `after` whose interval [low, high] excludes 0, at most `stable_top`. Pure.
Eigen::Index ranked_count(const Eigen::MatrixXd& low, const Eigen::MatrixXd& high,
                          Eigen::Index column, int stable_top);

/// Rows of a finite-sample estimator needed for an interval of half-width `halfwidth`, from
/// one of half-width `current` on `rows` rows, assuming half-widths shrink as 1/sqrt(rows):
/// ceil(rows (current / halfwidth)^2), at least `rows`. Pure.
std::uint64_t rows_for_halfwidth(std::uint64_t rows, double current, double halfwidth);

/// One output's verdict.
struct OutputConvergence {
  std::string output;
  Eigen::Index ranked = 0;        ///< parameters that matter, checked for their order (<= k)
  std::vector<std::string> top;   ///< their names, in order, at N rows
  bool top_stable = true;         ///< the same order at N / 2
  std::string top_before;         ///< the order at N / 2 when it differs ("x2, x1")
  bool overlapping = false;       ///< the rows that swapped have overlapping intervals at N
  HalfwidthCheck halfwidths;      ///< of the indices whose interval excludes 0, at N
  std::string widest;             ///< the row name of halfwidths.row
  std::uint64_t rows_needed = 0;  ///< rows (base rows) for the half-width criterion (1/sqrt(N))
  bool converged() const { return top_stable && halfwidths.met; }
};

/// Indices on the first N / 2^(steps - 1), ..., N / 2, N rows (or base rows) in sample order,
/// their intervals where they are known, and the verdict of the criteria per output.
struct ConvergenceReport {
  std::vector<std::string> rows;           ///< what each matrix row is, e.g. "x1" or "ST(x1)"
  std::vector<std::string> outputs;        ///< matrix columns
  std::vector<Eigen::Index> sample_sizes;  ///< ascending; the last is N
  std::vector<Eigen::MatrixXd> values;     ///< one per sample size
  /// Interval ends per sample size (NaN where not computed: Sobol' indices below N).
  std::vector<Eigen::MatrixXd> low, high;
  double max_change = 0.0;              ///< max |value(N) - value(N / 2)| over finite entries
  std::string worst_row, worst_output;  ///< where max_change occurs
  ConvergenceCriteria criteria{};
  std::vector<OutputConvergence> per_output;
  bool converged = false;  ///< every output meets the criteria and every index is a number
  /// "converged: ...", "not converged: ...", or "undefined: ..." when an index is not a number
  /// (a constant output).
  std::string verdict;
  /// Rows (base rows) that would likely meet the half-width criterion everywhere: the largest of
  /// the outputs' rows_needed (N when it is met).
  std::uint64_t rows_needed = 0;
  /// What to do about it, in words (set by the campaign pipeline, which knows the design):
  /// how many more runs, and how to add them (an LHS extension).
  std::string advice;
};

struct ConvergenceOptions {
  int steps = 4;  ///< sizes N/8, N/4, N/2, N by default; >= 2
  ConvergenceCriteria criteria{};
  double confidence = 0.95;  ///< of the PRCC intervals at each step (Fisher z)
  unsigned threads = 1;      ///< for ranks and correlation matrices (0: all cores); same result
};

/// prcc() coefficients and Fisher-z intervals on the leading rows of (inputs, outputs): for a
/// random or Latin hypercube design in sample order each leading block is itself a sample (a
/// Latin hypercube prefix is not a Latin hypercube, but still a random sample of the space).
/// Ranks by PRCC. Throws AnalysisError when steps < 2, when the smallest subsample has fewer
/// than k + 4 rows, for criteria out of range, and as prcc().
ConvergenceReport prcc_convergence(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                   const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                   const Labels& labels = {},
                                   const ConvergenceOptions& options = {});

/// prcc_convergence() from ranks made beforehand (columns 0..k-1 the inputs), which it consumes:
/// each smaller subsample's ranks come from the larger one's by counting, without sorting again.
/// `full` may hold PRCC of all rows when the caller has it already (it is not recomputed).
/// Throws as prcc_convergence().
ConvergenceReport prcc_convergence(RankMatrix ranks, Eigen::Index k, const Labels& labels = {},
                                   const ConvergenceOptions& options = {},
                                   const Eigen::MatrixXd* full = nullptr);

/// sobol_indices() on the leading base rows of a Saltelli design in the layout of
/// sobol_indices(); rows "S(x)" then "ST(x)" per parameter. Intervals only at N: `low` and `high`
/// are those of the full analysis (2k x m, first then total; NaN when not given). Ranks by ST;
/// half-widths of S and ST. Throws AnalysisError when steps < 2, the smallest subsample has
/// fewer than 2 base rows, for criteria out of range, and as sobol_indices().
ConvergenceReport sobol_convergence(const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                    Eigen::Index k, const Labels& labels = {},
                                    const ConvergenceOptions& options = {},
                                    const Eigen::MatrixXd* low = nullptr,
                                    const Eigen::MatrixXd* high = nullptr);

}  // namespace tmex::analysis
