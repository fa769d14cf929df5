// Sobol' first-order and total indices from a Saltelli design, with bootstrap intervals.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/labels.hpp"

namespace tmex::analysis {

/// Sobol' indices of k parameters for m outputs, with percentile bootstrap intervals.
struct SobolIndices {
  std::vector<std::string> parameters;
  std::vector<std::string> outputs;
  Eigen::MatrixXd first;  ///< k x m, S_i
  Eigen::MatrixXd first_low, first_high;
  Eigen::MatrixXd total;  ///< k x m, ST_i
  Eigen::MatrixXd total_low, total_high;
  Eigen::VectorXd variance;    ///< m, V(Y) from the A and B rows
  Eigen::Index base_rows = 0;  ///< N
  int resamples = 0;
  double confidence = 0.95;
};

struct SobolOptions {
  int resamples = 1000;  ///< bootstrap resamples of the base rows; 0: no intervals (NaN)
  double confidence = 0.95;
  std::uint64_t seed = 0;  ///< the intervals depend only on the data and this seed
  unsigned threads = 1;    ///< for the resamples (0: all cores); the result is the same
};

/// Indices from the outputs of a Saltelli design in the project-wide layout: row
/// i = j (k + 2) + b for base row j = 0..N-1, where b = 0 is A_j, b = 1..k is A_B^(b) (A_j with
/// column b - 1 taken from B_j) and b = k + 1 is B_j. `outputs` has N (k + 2) rows and m
/// columns, all finite (a failed run spoils its whole base row: drop those blocks first).
/// With f centred by the mean of the A and B rows and V their variance (denominator 2N):
///   S_i  = mean_j f(B_j) (f(A_B^i_j) - f(A_j)) / V      (Saltelli et al. 2010, table 2 (b))
///   ST_i = mean_j (f(A_j) - f(A_B^i_j))^2 / 2 / V       (Jansen 1999; Saltelli 2010 (f)).
/// Intervals resample the N base rows with replacement. Cost O(N k m (1 + resamples)).
/// Throws AnalysisError when the row count is not a multiple of k + 2, N < 2, a value is not
/// finite, or the options are out of range. A constant output gets NaN indices.
SobolIndices sobol_indices(const Eigen::Ref<const Eigen::MatrixXd>& outputs, Eigen::Index k,
                           const Labels& labels = {}, const SobolOptions& options = {});

}  // namespace tmex::analysis
