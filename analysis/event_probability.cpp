// Wilson and Clopper-Pearson intervals of a proportion.
#include "analysis/event_probability.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>

#include "analysis/analysis_error.hpp"

namespace tmex::analysis {

EventProbability event_probability(
    const Eigen::Ref<const Eigen::Array<bool, Eigen::Dynamic, 1>>& event, ProportionInterval method,
    double confidence) {
  if (event.size() == 0) throw AnalysisError("event_probability: no runs");
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw AnalysisError("event_probability: confidence must be in (0, 1), got " +
                        std::to_string(confidence));
  }
  EventProbability e;
  e.samples = event.size();
  e.events = event.count();
  e.confidence = confidence;
  e.method = method;
  const auto n = static_cast<double>(e.samples);
  const auto x = static_cast<double>(e.events);
  const double p = x / n;
  e.probability = p;
  const double alpha = 1.0 - confidence;
  if (method == ProportionInterval::kWilson) {
    const double z =
        boost::math::quantile(boost::math::normal_distribution<double>(), 1.0 - alpha / 2.0);
    const double z2 = z * z;
    const double centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / (1.0 + z2 / n);
    e.ci_low = std::max(0.0, centre - half);
    e.ci_high = std::min(1.0, centre + half);
  } else {
    e.ci_low = e.events == 0 ? 0.0 : boost::math::ibeta_inv(x, n - x + 1.0, alpha / 2.0);
    e.ci_high =
        e.events == e.samples ? 1.0 : boost::math::ibeta_inv(x + 1.0, n - x, 1.0 - alpha / 2.0);
  }
  return e;
}

}  // namespace tmex::analysis
