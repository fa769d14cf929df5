// value_scale(): constant, binary, log-spread or linear, from the sorted values.
#include "analysis/value_scale.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tmex::analysis {

ValueScale value_scale_of_sorted(std::span<const double> sorted) {
  if (sorted.size() < 2 || sorted.front() == sorted.back()) return ValueScale::kConstant;
  if (sorted.front() == 0.0 && sorted.back() == 1.0 &&
      std::all_of(sorted.begin(), sorted.end(), [](double v) { return v == 0.0 || v == 1.0; })) {
    return ValueScale::kBinary;
  }
  if (sorted.front() > 0.0) {
    // Type-1 (inverse empirical CDF) quantiles: enough to judge a spread of decades.
    const auto at = [&](double p) {
      const auto i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
      return sorted[std::min(sorted.size() - 1, i == 0 ? 0 : i - 1)];
    };
    if (at(0.95) >= kLogSpreadRatio * at(0.05)) return ValueScale::kLog;
  }
  return ValueScale::kLinear;
}

ValueScale value_scale(std::span<const double> values) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (const double v : values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  return value_scale_of_sorted(sorted);
}

}  // namespace tmex::analysis
