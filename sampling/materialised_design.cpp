// MaterialisedDesign storage and the generic materialise().
#include "sampling/materialised_design.hpp"

#include <algorithm>

namespace tmex::sampling {

MaterialisedDesign::MaterialisedDesign(std::size_t k, std::vector<double> points,
                                       std::string description)
    : n_(k == 0 ? 0 : points.size() / k),
      k_(k),
      points_(std::move(points)),
      description_(std::move(description)) {
  if (k == 0 || points_.size() % k != 0 || points_.empty()) {
    throw DesignError("materialised design: " + std::to_string(points_.size()) +
                      " values do not form rows of " + std::to_string(k) + " columns");
  }
  for (std::size_t v = 0; v < points_.size(); ++v) {
    if (!(points_[v] > 0.0 && points_[v] < 1.0)) {
      throw DesignError("materialised design: point " + std::to_string(v / k) + ", column " +
                        std::to_string(v % k) + " is " + std::to_string(points_[v]) +
                        ", outside (0, 1)");
    }
  }
}

void MaterialisedDesign::unit_point(std::uint64_t i, std::span<double> unit) const {
  std::copy_n(points_.begin() + static_cast<std::ptrdiff_t>(i * k_), k_, unit.begin());
}

std::vector<double> materialise(const Design& design) {
  const std::size_t k = design.dimension();
  std::vector<double> points(design.size() * k);
  for (std::uint64_t i = 0; i < design.size(); ++i) {
    design.unit_point(i, std::span<double>(points.data() + i * k, k));
  }
  return points;
}

}  // namespace tmex::sampling
