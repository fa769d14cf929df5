// A design stored as an explicit matrix of unit-cube points (optimised, correlated, file designs).
#pragma once

#include <cstdint>
#include <vector>

#include "sampling/design.hpp"

namespace tmex::sampling {

/// An n x k matrix of unit-cube points, row-major, built once (deterministically, by whoever
/// constructs it) and served by index. Thread-safe; immutable.
class MaterialisedDesign final : public Design {
 public:
  /// `points` holds n * k values, row-major, each in (0, 1); `description` is the canonical
  /// describe() text of the method that built it. Throws DesignError on a size mismatch or a
  /// value outside (0, 1).
  MaterialisedDesign(std::size_t k, std::vector<double> points, std::string description);

  std::uint64_t size() const override { return n_; }
  std::size_t dimension() const override { return k_; }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::string describe() const override { return description_; }

  /// The whole matrix, row-major.
  const std::vector<double>& points() const { return points_; }

 private:
  std::uint64_t n_;
  std::size_t k_;
  std::vector<double> points_;
  std::string description_;
};

/// Evaluates every point of `design` into an n x k row-major matrix.
std::vector<double> materialise(const Design& design);

}  // namespace tmex::sampling
