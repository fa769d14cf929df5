// Marginal distributions of sampled parameters, applied by inverse CDF to unit-cube points.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text/number_text.hpp"

namespace tmex::sampling {

/// Thrown for invalid distribution parameters; the message names the offending value.
class DistributionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class DistributionKind {
  kUniform,          ///< min, max
  kLogUniform,       ///< min, max > 0; log-uniform
  kNormal,           ///< mean, sd
  kTruncatedNormal,  ///< mean, sd, min, max (the normal(mean, sd) restricted to [min, max])
  kLogNormal,        ///< meanlog, sdlog (of the underlying normal)
  kTriangular,       ///< min, mode, max
  kBeta,             ///< alpha, beta, min, max (Beta(alpha, beta) scaled to [min, max])
  kDiscrete,         ///< the levels, ascending; equal probability
  kConstant,         ///< value
};

/// One marginal distribution. Build through the named factories, which validate and throw
/// DistributionError with the offending value. Immutable; quantile() is pure and thread-safe.
class Distribution {
 public:
  /// Uniform on [min, max]; throws DistributionError unless min < max, both finite.
  static Distribution uniform(double min, double max);
  /// Log-uniform on [min, max]; throws unless 0 < min < max, both finite.
  static Distribution log_uniform(double min, double max);
  /// Normal(mean, sd); throws unless mean is finite and sd > 0 finite.
  static Distribution normal(double mean, double sd);
  /// Normal(mean, sd) conditioned on [min, max]; throws unless mean, sd as for normal(),
  /// min < max, and the interval holds a representable probability (> 1e-300).
  /// Infinite bounds are allowed (one side) for a half-truncated normal.
  static Distribution truncated_normal(double mean, double sd, double min, double max);
  /// Lognormal: exp(N(meanlog, sdlog)); throws unless meanlog finite and sdlog > 0 finite.
  static Distribution log_normal(double meanlog, double sdlog);
  /// Triangular on [min, max] with the given mode; throws unless min <= mode <= max, min < max.
  static Distribution triangular(double min, double mode, double max);
  /// Beta(alpha, beta) scaled to [min, max] (default [0, 1]); throws unless alpha, beta > 0
  /// finite and min < max finite.
  static Distribution beta(double alpha, double beta, double min = 0.0, double max = 1.0);
  /// Equal-probability levels. They are kept sorted ascending so that quantile() is monotone;
  /// throws unless there is at least one level, all finite and distinct.
  static Distribution discrete(std::vector<double> levels);
  /// A point mass; throws unless value is finite.
  static Distribution constant(double value);
  /// Rebuilds a distribution from its kind_name() and params(), as a store records them,
  /// through the factory of that kind. Throws DistributionError for an unknown kind, a wrong
  /// number of parameters, or values that factory refuses.
  static Distribution from_parameters(std::string_view kind_name, std::vector<double> params);

  /// Value at probability u in (0, 1): the (left-continuous) inverse CDF. Pure.
  double quantile(double u) const;

  DistributionKind kind() const { return kind_; }
  /// "uniform", "loguniform", "normal", "truncnormal", "lognormal", "triangular", "beta",
  /// "discrete", "constant".
  std::string kind_name() const;
  /// The defining parameters in declared order (see DistributionKind).
  const std::vector<double>& params() const { return params_; }
  /// The name of each of params(): {"min", "max"}, {"mean", "sd"}, ..., "level" for every level
  /// of a discrete distribution, {"value"} for a constant.
  std::vector<std::string> parameter_names() const;
  /// The smallest and largest values quantile() can return: [min, max] of the bounded kinds
  /// (beta: its scaled range), the lowest and highest level, [value, value] for a constant;
  /// -inf or +inf on an unbounded side (normal, lognormal above 0, a half-truncated normal).
  std::pair<double, double> support() const;
  /// True for loguniform and lognormal, whose values spread over orders of magnitude.
  bool log_scaled() const;
  /// A one-line canonical description with every parameter at full precision, e.g.
  /// "loguniform(min=0.1, max=10)"; equal descriptions mean equal distributions.
  std::string describe() const;
  /// describe() with its numbers in `style`: text::NumberStyle::kShortest for people (0.03,
  /// where describe() says 0.029999999999999999).
  std::string describe(text::NumberStyle style) const;

 private:
  Distribution(DistributionKind kind, std::vector<double> params)
      : kind_(kind), params_(std::move(params)) {}
  DistributionKind kind_;
  std::vector<double> params_;
  // Truncated normal: standard-normal CDF (or survival function, when mirrored) at the bounds.
  double lower_prob_ = 0.0;
  double upper_prob_ = 0.0;
  bool mirrored_ = false;
};

}  // namespace tmex::sampling
