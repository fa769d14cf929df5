// Parameter vectors of emdr over a Latin hypercube of its default ranges: the virtual population
// of the emdr tests and of bench/emdr_population (no test framework here).
#pragma once

#include <cstdint>
#include <vector>

#include "models/emdr_parameters.hpp"
#include "models/model.hpp"
#include "sampling/distribution.hpp"
#include "sampling/latin_hypercube.hpp"

namespace tmex::models::emdr_testing {

/// Parameter vectors of `model` at n points of a Latin hypercube (seeded) over emdr's default
/// ranges (emdr_sampled_ranges()); the other parameters keep the model's defaults.
inline std::vector<std::vector<double>> emdr_lhs(const Model& model, std::uint64_t n,
                                                 std::uint64_t seed) {
  const auto ranges = emdr_sampled_ranges();
  std::vector<sampling::Distribution> marginals;
  for (const auto& r : ranges) {
    marginals.push_back(r.log_uniform ? sampling::Distribution::log_uniform(r.min, r.max)
                                      : sampling::Distribution::uniform(r.min, r.max));
  }
  std::vector<double> base;
  for (const auto& p : model.info().parameters) base.push_back(p.default_value);
  const sampling::LatinHypercube lhs(n, ranges.size(), seed);
  std::vector<std::vector<double>> points;
  std::vector<double> unit(ranges.size());
  for (std::uint64_t i = 0; i < n; ++i) {
    lhs.unit_point(i, unit);
    std::vector<double> values = base;
    for (std::size_t j = 0; j < ranges.size(); ++j) values[j] = marginals[j].quantile(unit[j]);
    points.push_back(std::move(values));
  }
  return points;
}

}  // namespace tmex::models::emdr_testing
