// Marginal distributions of sampled parameters, applied by inverse CDF to unit-cube points.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace tmex::sampling {

/// Thrown for invalid distribution parameters; the message names the offending value.
class DistributionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class DistributionKind {
  kUniform,     ///< min, max
  kLogUniform,  ///< min, max > 0; log-uniform
};

/// One marginal distribution. Build through the named factories, which validate.
class Distribution {
 public:
  /// Uniform on [min, max]; throws DistributionError unless min < max, both finite.
  static Distribution uniform(double min, double max);
  /// Log-uniform on [min, max]; throws unless 0 < min < max, both finite.
  static Distribution log_uniform(double min, double max);

  /// Value at probability u in (0, 1). Pure.
  double quantile(double u) const;

  DistributionKind kind() const { return kind_; }
  /// "uniform", "loguniform", ...
  std::string kind_name() const;
  /// The defining parameters in declared order (min, max for uniform).
  const std::vector<double>& params() const { return params_; }
  /// A one-line canonical description, e.g. "loguniform(min=0.1, max=10)".
  std::string describe() const;

 private:
  Distribution(DistributionKind kind, std::vector<double> params)
      : kind_(kind), params_(std::move(params)) {}
  DistributionKind kind_;
  std::vector<double> params_;
};

}  // namespace tmex::sampling
