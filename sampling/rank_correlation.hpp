// Rank-correlation control of a design (Iman & Conover 1982): rearrange columns, keep marginals.
#pragma once

#include <cstdint>
#include <vector>

#include "sampling/design.hpp"

namespace tmex::sampling {

/// Version of the rearrangement below. A store records it with a design built by it, so that a
/// tmex whose rearrangement gives other points never resumes that campaign silently.
/// 1: ten passes, the best kept (tmex 0.1.0). 2: the same passes, stopping early (see below).
inline constexpr int kImanConoverVersion = 2;

/// Checks that `target` (k x k, row-major) is a valid rank-correlation matrix: symmetric,
/// unit diagonal, off-diagonal entries in (-1, 1), positive definite. Throws DesignError
/// naming the offending entry otherwise.
void validate_correlation_matrix(const std::vector<double>& target, std::size_t k);

/// What impose_rank_correlation achieved.
struct RankCorrelationResult {
  /// Largest absolute difference between achieved and target rank correlations.
  double max_error = 0.0;
  /// The achieved Spearman matrix (k x k, row-major; ties in a column ranked by row).
  std::vector<double> achieved;
  int passes = 0;  ///< rearrangement passes run
};

/// Rearranges, column by column, the rows of `points` (n x k row-major) so that the Spearman
/// rank correlations between columns approach `target` (k x k row-major; identity removes the
/// spurious correlations of a random design). Each column keeps exactly its values, so a Latin
/// hypercube stays one.
///
/// Method: Iman & Conover (1982). Pass 0 uses van der Waerden scores a_r = Phi^-1(r / (n + 1))
/// in the order of each column's ranks and the sample-correlation correction (T = S F^-T P^T
/// with E = corr(S) = F F^T, so T has Pearson correlation exactly R = P P^T = 2 sin(pi target /
/// 6), the normal-scores correlation of the Spearman target); each column is rearranged in the
/// rank order of T. Later passes repeat the step on the centred ranks themselves towards the
/// target (Pearson correlation of ranks is Spearman's), a fixed-point refinement that removes
/// most of the rank-versus-score error of a single pass (0.08 -> 0.006 at n = 200, k = 5).
/// The arrangement with the smallest largest Spearman error is kept. Version 2 stops after at
/// most 10 passes as soon as the error is within 0.01 / sqrt(n) of the target (a hundredth of
/// the standard error of a sample correlation; from about n = 10^4 on, one refinement pass
/// reaches it) or when a refinement pass leaves the arrangement unchanged (every further pass
/// would too). Version 1 always ran 10 passes. Both do the same arithmetic, so they give the
/// same points whenever the tolerance is not reached (in practice below about 10^4 points).
/// Deterministic; O(k^2 n) per pass plus ranking each column (a bucket sort: expected O(n)),
/// O(k n) memory besides `points`.
/// Throws DesignError if target is invalid or n <= k.
/// `version` (1 or kImanConoverVersion) chooses the stopping rule; a DesignError for another.
RankCorrelationResult impose_rank_correlation(std::vector<double>& points, std::size_t k,
                                              const std::vector<double>& target,
                                              int version = kImanConoverVersion);

/// As impose_rank_correlation, for points whose column ranks are known: `ranks[j * n + i]` is
/// the rank (0..n-1) of points[i * k + j] in column j, e.g. the strata of a Latin hypercube.
/// Saves ranking each column first.
RankCorrelationResult impose_rank_correlation(std::vector<double>& points, std::size_t k,
                                              const std::vector<double>& target,
                                              std::vector<std::uint32_t> ranks,
                                              int version = kImanConoverVersion);

/// Spearman rank correlation matrix (k x k row-major) of the n x k row-major `points`
/// (average ranks for ties).
std::vector<double> rank_correlation_matrix(const std::vector<double>& points, std::size_t k);

}  // namespace tmex::sampling
