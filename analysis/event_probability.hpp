// The probability of an event over the runs, with a binomial confidence interval.
#pragma once

#include <Eigen/Core>
#include <span>
#include <vector>

namespace tmex::analysis {

/// How the interval of a binomial proportion is computed.
enum class ProportionInterval {
  kWilson,          ///< score interval (Wilson 1927): good coverage, never outside [0, 1]
  kClopperPearson,  ///< exact interval from beta quantiles (Clopper & Pearson 1934): conservative
};

/// Estimated P(event) = events / samples with its interval.
struct EventProbability {
  Eigen::Index events = 0;
  Eigen::Index samples = 0;
  double probability = 0.0;
  double ci_low = 0.0, ci_high = 0.0;
  double confidence = 0.95;
  ProportionInterval method = ProportionInterval::kWilson;
};

/// The share of true entries of `event` (one per run, e.g. `(y.array() > threshold)`), with
/// an interval at `confidence`. Throws AnalysisError for an empty mask or confidence outside
/// (0, 1).
EventProbability event_probability(
    const Eigen::Ref<const Eigen::Array<bool, Eigen::Dynamic, 1>>& event,
    ProportionInterval method = ProportionInterval::kWilson, double confidence = 0.95);

/// One bin of a parameter's values with the probability of an event among its runs.
struct ProbabilityBin {
  double x_low = 0.0;     ///< smallest parameter value in the bin
  double x_high = 0.0;    ///< largest
  double x_median = 0.0;  ///< median: where the bin is drawn
  EventProbability probability;
};

/// P(y = 1) in `bins` bins of equal counts of `x` (by sorted position; the first bins get one
/// value more when the count does not divide), each with a Wilson interval at `confidence`: how
/// the probability of a 0/1 outcome changes along a parameter, which a scatter plot of 0/1
/// values cannot show. `x` and `y` are matched and finite; y holds 0 or 1 (any non-zero counts
/// as 1). Fewer values than bins give one bin per value. Throws AnalysisError for empty or
/// unmatched inputs, bins < 1 or confidence outside (0, 1).
std::vector<ProbabilityBin> binned_event_probability(std::span<const double> x,
                                                     std::span<const double> y, int bins,
                                                     double confidence = 0.95);

}  // namespace tmex::analysis
