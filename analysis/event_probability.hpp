// The probability of an event over the runs, with a binomial confidence interval.
#pragma once

#include <Eigen/Core>

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

}  // namespace tmex::analysis
