// Convergence checks: indices recomputed on growing leading subsamples, with a verdict.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "analysis/labels.hpp"
#include "analysis/rank_matrix.hpp"

namespace tmex::analysis {

/// Indices on the first N / 2^(steps - 1), ..., N / 2, N rows (or base rows) in sample order,
/// the largest change over the last doubling, and a verdict in words.
struct ConvergenceReport {
  std::vector<std::string> rows;           ///< what each matrix row is, e.g. "x1" or "ST(x1)"
  std::vector<std::string> outputs;        ///< matrix columns
  std::vector<Eigen::Index> sample_sizes;  ///< ascending; the last is N
  std::vector<Eigen::MatrixXd> values;     ///< one per sample size
  double max_change = 0.0;                 ///< max |value(N) - value(N / 2)| over finite entries
  std::string worst_row, worst_output;     ///< where max_change occurs
  double tolerance = 0.02;
  bool converged = false;  ///< max_change <= tolerance and every index of N rows is a number
  /// "converged: ...", "not converged: ...; increase samples", or "undefined: ..." when an
  /// index is not a number (a constant output)
  std::string verdict;
};

struct ConvergenceOptions {
  int steps = 4;            ///< sizes N/8, N/4, N/2, N by default; >= 2
  double tolerance = 0.02;  ///< largest acceptable change over the last doubling
  unsigned threads = 1;     ///< for ranks and correlation matrices (0: all cores); same result
};

/// prcc() coefficients on the leading rows of (inputs, outputs): for a random or Latin
/// hypercube design in sample order each leading block is itself a sample (a Latin hypercube
/// prefix is not a Latin hypercube, but still a random sample of the space). Throws
/// AnalysisError when steps < 2, when the smallest subsample has fewer than k + 4 rows, and
/// as prcc().
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

/// sobol_indices() (without intervals) on the leading base rows of a Saltelli design in the
/// layout of sobol_indices(); rows "S(x)" then "ST(x)" per parameter. Throws AnalysisError
/// when steps < 2, the smallest subsample has fewer than 2 base rows, and as sobol_indices().
ConvergenceReport sobol_convergence(const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                    Eigen::Index k, const Labels& labels = {},
                                    const ConvergenceOptions& options = {});

}  // namespace tmex::analysis
