// Summary statistics of one output's distribution with bootstrap confidence intervals.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/value_scale.hpp"

namespace tmex::analysis {

/// Mean, standard deviation and quantiles of an output, each with a percentile bootstrap
/// interval at `confidence`.
struct UncertaintySummary {
  std::string output;
  Eigen::Index samples = 0;
  double mean = 0.0, mean_low = 0.0, mean_high = 0.0;
  double sd = 0.0, sd_low = 0.0, sd_high = 0.0;  ///< denominator N - 1
  double min = 0.0, max = 0.0;
  std::vector<double> levels;  ///< probabilities of the quantiles, as requested
  std::vector<double> quantiles, quantile_low, quantile_high;  ///< type 7 (R, NumPy default)
  int resamples = 0;
  double confidence = 0.95;
  /// How the values read (set by the campaign pipeline; summarize() leaves kLinear).
  ValueScale scale = ValueScale::kLinear;
};

/// How the intervals of a summary are computed.
enum class SummaryIntervals {
  kBootstrap,  ///< percentile bootstrap with `resamples` resamples (0: none, NaN)
  /// Large-sample intervals: normal for the mean, the delta method with the fourth moment for
  /// the sd, distribution-free order statistics for the quantiles (ranks n p -/+ z sqrt(n p
  /// (1 - p))). As accurate as the bootstrap from a few ten thousand values, and O(N).
  kLargeSample,
};

struct UncertaintyOptions {
  std::vector<double> levels = {0.05, 0.25, 0.5, 0.75, 0.95};
  int resamples = 1000;  ///< bootstrap resamples; 0: no intervals (NaN)
  double confidence = 0.95;
  std::uint64_t seed = 0;
  SummaryIntervals intervals = SummaryIntervals::kBootstrap;
};

/// Summarises `values` (N >= 2, finite: drop failed runs first). A bootstrap resample is
/// drawn as counts over the sorted values, so each costs O(N) without sorting: about
/// 3 N resamples operations in all. Deterministic given the data and options.seed. Throws
/// AnalysisError for N < 2, non-finite values, a level outside [0, 1], or bad options.
UncertaintySummary summarize(const Eigen::Ref<const Eigen::VectorXd>& values,
                             const std::string& output = "y",
                             const UncertaintyOptions& options = {});

/// summarize() of values already sorted ascending, for a caller that sorted them once for
/// several uses (sort_values in ranks.hpp, histogram_of_sorted). Throws as summarize().
UncertaintySummary summarize_sorted(std::span<const double> sorted, const std::string& output = "y",
                                    const UncertaintyOptions& options = {});

/// summarize() of each column of `outputs` (N x m), named by `names` (empty: "y1".."ym").
/// Throws as summarize(), and AnalysisError when names has the wrong length.
std::vector<UncertaintySummary> summarize_columns(const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                                  const std::vector<std::string>& names = {},
                                                  const UncertaintyOptions& options = {});

}  // namespace tmex::analysis
