// Validation and inverse CDFs of Distribution.
#include "sampling/distribution.hpp"

#include <cmath>
#include <cstdio>

namespace tmex::sampling {

namespace {
std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

Distribution Distribution::uniform(double min, double max) {
  if (!std::isfinite(min) || !std::isfinite(max)) {
    throw DistributionError("uniform: min and max must be finite, got min=" + num(min) +
                            ", max=" + num(max));
  }
  if (!(min < max)) {
    throw DistributionError("uniform: min must be < max, got min=" + num(min) +
                            ", max=" + num(max));
  }
  return Distribution(DistributionKind::kUniform, {min, max});
}

Distribution Distribution::log_uniform(double min, double max) {
  if (!std::isfinite(min) || !std::isfinite(max) || !(min > 0.0)) {
    throw DistributionError("loguniform: min and max must be finite and > 0, got min=" + num(min) +
                            ", max=" + num(max));
  }
  if (!(min < max)) {
    throw DistributionError("loguniform: min must be < max, got min=" + num(min) +
                            ", max=" + num(max));
  }
  return Distribution(DistributionKind::kLogUniform, {min, max});
}

double Distribution::quantile(double u) const {
  switch (kind_) {
    case DistributionKind::kUniform:
      return params_[0] + u * (params_[1] - params_[0]);
    case DistributionKind::kLogUniform:
      return params_[0] * std::exp(u * std::log(params_[1] / params_[0]));
  }
  return std::nan("");
}

std::string Distribution::kind_name() const {
  switch (kind_) {
    case DistributionKind::kUniform:
      return "uniform";
    case DistributionKind::kLogUniform:
      return "loguniform";
  }
  return "?";
}

std::string Distribution::describe() const {
  return kind_name() + "(min=" + num(params_[0]) + ", max=" + num(params_[1]) + ")";
}

}  // namespace tmex::sampling
