// The sampled parameters of a campaign: names and marginal distributions, in column order.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sampling/distribution.hpp"

namespace tmex::sampling {

struct SampledParameter {
  std::string name;
  Distribution distribution;
};

/// An ordered list of sampled parameters; column j of a design maps to parameters()[j].
class ParameterSpace {
 public:
  ParameterSpace() = default;
  explicit ParameterSpace(std::vector<SampledParameter> parameters)
      : parameters_(std::move(parameters)) {}

  std::size_t dimension() const { return parameters_.size(); }
  const std::vector<SampledParameter>& parameters() const { return parameters_; }

  /// Maps a unit-cube point to parameter values (same length). Pure, thread-safe.
  void transform(std::span<const double> unit, std::span<double> values) const {
    for (std::size_t j = 0; j < parameters_.size(); ++j) {
      values[j] = parameters_[j].distribution.quantile(unit[j]);
    }
  }

 private:
  std::vector<SampledParameter> parameters_;
};

}  // namespace tmex::sampling
