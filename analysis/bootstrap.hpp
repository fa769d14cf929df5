// Reproducible bootstrap resampling: a counter-based index stream and percentile intervals.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace tmex::analysis {

/// Uniform indices for one bootstrap resample. The stream depends only on (seed, resample),
/// so resample r is the same whichever order or thread computes it, on every platform (no
/// std:: distributions, whose output is implementation-defined).
class BootstrapStream {
 public:
  BootstrapStream(std::uint64_t seed, std::uint64_t resample);

  /// A uniform integer in [0, n), n >= 1 (Lemire's unbiased multiply-shift).
  std::uint64_t below(std::uint64_t n);

 private:
  std::uint64_t next();
  std::uint64_t state_;
};

/// Quantile at probability p in [0, 1] of ascending `sorted` values (linear interpolation
/// between order statistics: Hyndman & Fan 1996 type 7, the default of R and NumPy).
/// NaN for an empty span.
double sorted_quantile(std::span<const double> sorted, double p);

/// Percentile bootstrap interval (Efron & Tibshirani 1993, ch. 13): the (1 - confidence) / 2
/// and (1 + confidence) / 2 quantiles of the replicates, NaN replicates ignored (NaN, NaN when
/// none is left). Sorts `replicates` in place.
std::pair<double, double> percentile_interval(std::vector<double>& replicates, double confidence);

}  // namespace tmex::analysis
