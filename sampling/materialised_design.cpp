// MaterialisedDesign storage, lazy building, and the generic materialise().
#include "sampling/materialised_design.hpp"

#include <algorithm>

namespace tmex::sampling {

namespace {

void check_points(const std::vector<double>& points, std::uint64_t n, std::size_t k) {
  if (k == 0 || points.empty() || points.size() != n * k) {
    throw DesignError("materialised design: " + std::to_string(points.size()) +
                      " values do not form " + std::to_string(n) + " rows of " + std::to_string(k) +
                      " columns");
  }
  for (std::size_t v = 0; v < points.size(); ++v) {
    if (!(points[v] > 0.0 && points[v] < 1.0)) {
      throw DesignError("materialised design: point " + std::to_string(v / k) + ", column " +
                        std::to_string(v % k) + " is " + std::to_string(points[v]) +
                        ", outside (0, 1)");
    }
  }
}

}  // namespace

MaterialisedDesign::MaterialisedDesign(std::size_t k, std::vector<double> points,
                                       std::string description)
    : n_(k == 0 ? 0 : points.size() / k), k_(k), description_(std::move(description)) {
  check_points(points, n_, k_);
  data_.points = std::move(points);
  std::call_once(built_, [] {});
}

MaterialisedDesign::MaterialisedDesign(std::uint64_t n, std::size_t k, std::string description,
                                       int algorithm_version, std::function<Built()> build)
    : n_(n),
      k_(k),
      description_(std::move(description)),
      algorithm_version_(algorithm_version),
      build_(std::move(build)) {}

void MaterialisedDesign::prepare() const {
  std::call_once(built_, [this] {
    Built b = build_();
    check_points(b.points, n_, k_);
    data_ = std::move(b);
  });
}

const std::vector<double>& MaterialisedDesign::points() const {
  prepare();
  return data_.points;
}

std::optional<double> MaterialisedDesign::known_max_abs_rank_correlation() const {
  prepare();
  return data_.max_abs_rank_correlation;
}

void MaterialisedDesign::unit_point(std::uint64_t i, std::span<double> unit) const {
  prepare();
  std::copy_n(data_.points.begin() + static_cast<std::ptrdiff_t>(i * k_), k_, unit.begin());
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
