// Trajectory construction of MorrisDesign.
#include "sampling/morris_design.hpp"

#include <numeric>
#include <vector>

#include "sampling/counter_hash.hpp"

namespace tmex::sampling {

namespace {
// Uniform integer in [0, range) from 64 random bits (bias <= range / 2^64).
std::uint64_t below(std::uint64_t bits, std::uint64_t range) {
  return static_cast<std::uint64_t>((static_cast<double>(bits >> 11) * 0x1.0p-53) *
                                    static_cast<double>(range));
}
}  // namespace

MorrisDesign::MorrisDesign(std::uint64_t trajectories, std::size_t k, std::uint32_t levels,
                           LevelPlacement placement, std::uint64_t seed)
    : trajectories_(trajectories), k_(k), levels_(levels), placement_(placement), seed_(seed) {
  if (trajectories == 0) throw DesignError("morris: samples (trajectories) must be >= 1, got 0");
  if (k == 0) throw DesignError("morris: dimension must be >= 1, got 0");
  if (levels < 2 || levels % 2 != 0) {
    throw DesignError(
        "morris: levels must be even and >= 2 (delta = p/(2(p-1)) is then a whole "
        "number of levels), got " +
        std::to_string(levels));
  }
}

void MorrisDesign::levels_of(std::uint64_t i, std::uint32_t* out) const {
  const std::uint64_t t = i / (k_ + 1);
  const std::uint64_t s = i % (k_ + 1);
  const std::uint32_t h = levels_ / 2;
  for (std::size_t j = 0; j < k_; ++j) {
    out[j] = static_cast<std::uint32_t>(below(hash64(seed_, 0x303215, t, j), levels_));
  }
  // The first s factors of a Fisher-Yates order of the k factors.
  std::vector<std::size_t> order(k_);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t m = 0; m < s; ++m) {
    const std::size_t pick = m + below(hash64(seed_, 0x0bde7, t, m), k_ - m);
    std::swap(order[m], order[pick]);
    const std::size_t j = order[m];
    out[j] = out[j] < h ? out[j] + h : out[j] - h;
  }
}

std::uint32_t MorrisDesign::level(std::uint64_t i, std::size_t j) const {
  std::vector<std::uint32_t> l(k_);
  levels_of(i, l.data());
  return l[j];
}

void MorrisDesign::unit_point(std::uint64_t i, std::span<double> unit) const {
  thread_local std::vector<std::uint32_t> l;
  l.resize(k_);
  levels_of(i, l.data());
  for (std::size_t j = 0; j < k_; ++j) unit[j] = level_to_unit(l[j], levels_, placement_);
}

std::string MorrisDesign::describe() const {
  return "morris(r=" + std::to_string(trajectories_) + ", k=" + std::to_string(k_) +
         ", levels=" + std::to_string(levels_) + ", placement=" + placement_name(placement_) +
         ", seed=" + std::to_string(seed_) + ")";
}

}  // namespace tmex::sampling
