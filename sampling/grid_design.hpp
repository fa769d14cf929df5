// Full factorial grid with given levels per dimension.
#pragma once

#include <cstdint>
#include <vector>

#include "sampling/design.hpp"
#include "sampling/level_placement.hpp"

namespace tmex::sampling {

/// Every combination of levels[j] levels per column, prod(levels) points. Point i is the
/// mixed-radix number (l_0, ..., l_{k-1}) with the last column varying fastest (nested loops
/// in column order); level l of p sits at level_to_unit(l, p, placement). Index-addressable.
/// Thread-safe.
class GridDesign final : public Design {
 public:
  /// Throws DesignError unless every level count is >= 1 and the product is < 2^63.
  GridDesign(std::vector<std::uint32_t> levels, LevelPlacement placement);

  std::uint64_t size() const override { return size_; }
  std::size_t dimension() const override { return levels_.size(); }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::string describe() const override;

 private:
  std::vector<std::uint32_t> levels_;
  LevelPlacement placement_;
  std::uint64_t size_;
};

}  // namespace tmex::sampling
