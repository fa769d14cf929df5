// The Design interface: an index-addressable map from sample index to a unit-cube point.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

namespace tmex::sampling {

/// Thrown for an invalid design specification; the message names the option and its value.
class DesignError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A sampling design. Point i depends only on the design's construction arguments (method,
/// size, dimension, seed) and i, so any rank can generate any point on its own.
class Design {
 public:
  virtual ~Design() = default;

  /// Number of points.
  virtual std::uint64_t size() const = 0;
  /// Number of columns.
  virtual std::size_t dimension() const = 0;
  /// Fills `unit` (dimension() values, each in (0, 1)) with point i < size(). Thread-safe.
  virtual void unit_point(std::uint64_t i, std::span<double> unit) const = 0;
  /// A design-defined group label of point i, stored with each run (0 where the design has
  /// no blocks; e.g. the A / B / A_B(j) block of a Saltelli design).
  virtual std::int64_t block(std::uint64_t /*i*/) const { return 0; }
  /// Short canonical description, e.g. "lhs(n=1000, k=21, seed=42, jitter=random)".
  virtual std::string describe() const = 0;

  /// Builds whatever the design computes once (a materialised design is otherwise built on its
  /// first unit_point); a no-op for index-addressable designs. Thread-safe.
  virtual void prepare() const {}
  /// Version of the algorithm that computes the points from the description: two tmex builds
  /// whose designs have equal describe() and equal algorithm_version() give the same points. A
  /// store records it and refuses to resume under another one.
  virtual int algorithm_version() const { return 1; }
  /// The largest |Spearman rank correlation| between two columns over all points, where the
  /// design knows it from its construction (rank-correlation control); nullopt otherwise.
  /// May prepare the design.
  virtual std::optional<double> known_max_abs_rank_correlation() const { return std::nullopt; }
};

}  // namespace tmex::sampling
