// Wilson and Clopper-Pearson intervals of a proportion.
#include "analysis/event_probability.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <numeric>

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

std::vector<ProbabilityBin> binned_event_probability(std::span<const double> x,
                                                     std::span<const double> y, int bins,
                                                     double confidence) {
  if (x.empty() || x.size() != y.size()) {
    throw AnalysisError("binned_event_probability: " + std::to_string(x.size()) +
                        " parameter values and " + std::to_string(y.size()) +
                        " outcomes; expected as many, at least one");
  }
  if (bins < 1) {
    throw AnalysisError("binned_event_probability: bins must be >= 1, got " + std::to_string(bins));
  }
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  const std::size_t n = x.size();
  const std::size_t count = std::min<std::size_t>(static_cast<std::size_t>(bins), n);
  std::vector<ProbabilityBin> out;
  out.reserve(count);
  std::size_t begin = 0;
  for (std::size_t b = 0; b < count; ++b) {
    const std::size_t size = n / count + (b < n % count ? 1 : 0);
    Eigen::Array<bool, Eigen::Dynamic, 1> hit(static_cast<Eigen::Index>(size));
    for (std::size_t i = 0; i < size; ++i)
      hit[static_cast<Eigen::Index>(i)] = y[order[begin + i]] != 0.0;
    ProbabilityBin bin;
    bin.x_low = x[order[begin]];
    bin.x_high = x[order[begin + size - 1]];
    bin.x_median = size % 2 ? x[order[begin + size / 2]]
                            : 0.5 * (x[order[begin + size / 2 - 1]] + x[order[begin + size / 2]]);
    bin.probability = event_probability(hit, ProportionInterval::kWilson, confidence);
    out.push_back(std::move(bin));
    begin += size;
  }
  return out;
}

}  // namespace tmex::analysis
