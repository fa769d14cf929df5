// Mean and median of several columns with intervals from one set of shared bootstrap resamples.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "analysis/uncertainty_summary.hpp"

namespace tmex::analysis {

/// The centre of one column: mean and median (type 7) with intervals, and the sd.
struct CentreSummary {
  double mean = 0.0, mean_low = 0.0, mean_high = 0.0;
  double median = 0.0, median_low = 0.0, median_high = 0.0;
  double sd = 0.0;  ///< denominator N - 1
};

struct CentreOptions {
  double confidence = 0.95;
  int resamples = 1000;  ///< bootstrap resamples; 0: no intervals (NaN)
  std::uint64_t seed = 0;
  SummaryIntervals intervals = SummaryIntervals::kBootstrap;
  unsigned threads = 1;  ///< 0: all cores; the result does not depend on it
};

/// Mean and median of each column of `values` (N x m, N >= 2, finite). Bootstrap intervals are
/// percentile intervals over resamples of the rows, each drawn once (BootstrapStream(seed, r))
/// and shared by every column, so that the columns' intervals come from the same resamples.
/// A block of 64 resamples is a matrix of draw counts: the means of all columns come from one
/// matrix product with the centred values, and each median from a walk over the column's
/// sorted values that starts a few standard deviations of the median's rank below it (the
/// count of draws below the start comes from the same product). About 2 N m flops and N
/// draws per resample. Large-sample intervals: normal for the mean, order statistics for the
/// median (as summarize()). Deterministic given values and options, whatever the threads.
/// Throws AnalysisError for N < 2, non-finite values, or bad options.
std::vector<CentreSummary> summarize_centres(const Eigen::Ref<const Eigen::MatrixXd>& values,
                                             const CentreOptions& options = {});

}  // namespace tmex::analysis
