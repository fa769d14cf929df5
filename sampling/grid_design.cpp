// Mixed-radix indexing of GridDesign.
#include "sampling/grid_design.hpp"

namespace tmex::sampling {

GridDesign::GridDesign(std::vector<std::uint32_t> levels, LevelPlacement placement)
    : levels_(std::move(levels)), placement_(placement), size_(1) {
  if (levels_.empty()) throw DesignError("grid: dimension must be >= 1, got 0");
  for (std::size_t j = 0; j < levels_.size(); ++j) {
    if (levels_[j] == 0) {
      throw DesignError("grid: levels[" + std::to_string(j) + "] must be >= 1, got 0");
    }
    if (size_ > (std::uint64_t{1} << 63) / levels_[j]) {
      throw DesignError("grid: the product of levels exceeds 2^63 at levels[" + std::to_string(j) +
                        "]");
    }
    size_ *= levels_[j];
  }
}

void GridDesign::unit_point(std::uint64_t i, std::span<double> unit) const {
  for (std::size_t j = levels_.size(); j-- > 0;) {
    unit[j] = level_to_unit(i % levels_[j], levels_[j], placement_);
    i /= levels_[j];
  }
}

std::string GridDesign::describe() const {
  std::string s = "grid(levels=[";
  for (std::size_t j = 0; j < levels_.size(); ++j) {
    s += (j ? ", " : "") + std::to_string(levels_[j]);
  }
  return s + "], placement=" + placement_name(placement_) + ")";
}

}  // namespace tmex::sampling
