// histogram(): bin-count rules and counting.
#include "analysis/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis/analysis_error.hpp"
#include "analysis/bootstrap.hpp"

namespace tmex::analysis {

Histogram histogram(const Eigen::Ref<const Eigen::VectorXd>& values, int bins) {
  if (values.size() == 0 || !values.allFinite()) {
    throw AnalysisError("histogram: need at least one value, all finite");
  }
  std::vector<double> sorted(values.data(), values.data() + values.size());
  std::sort(sorted.begin(), sorted.end());
  return histogram_of_sorted(sorted, bins);
}

Histogram histogram_of_sorted(std::span<const double> sorted, int bins) {
  if (sorted.empty() || !std::isfinite(sorted.front()) || !std::isfinite(sorted.back())) {
    throw AnalysisError("histogram: need at least one value, all finite");
  }
  if (bins < 0) throw AnalysisError("histogram: bins must be >= 0, got " + std::to_string(bins));
  const double lo = sorted.front();
  const double hi = sorted.back();
  Histogram h;
  if (hi == lo) {
    h.edges = {lo - 0.5, lo + 0.5};
    h.counts = {static_cast<Eigen::Index>(sorted.size())};
    return h;
  }
  const auto n = static_cast<double>(sorted.size());
  if (bins == 0) {
    const double iqr = sorted_quantile(sorted, 0.75) - sorted_quantile(sorted, 0.25);
    const double width = 2.0 * iqr / std::cbrt(n);
    const double chosen = width > 0.0 ? std::ceil((hi - lo) / width) : std::ceil(std::log2(n)) + 1;
    bins = static_cast<int>(std::clamp(chosen, 1.0, 10000.0));
  }
  const double width = (hi - lo) / bins;
  for (int b = 0; b <= bins; ++b) h.edges.push_back(b == bins ? hi : lo + b * width);
  h.counts.assign(static_cast<std::size_t>(bins), 0);
  for (double v : sorted) {
    const auto b = std::min(static_cast<int>((v - lo) / width), bins - 1);
    ++h.counts[static_cast<std::size_t>(b)];
  }
  return h;
}

}  // namespace tmex::analysis
