// Morris (1991) elementary-effects trajectories on a p-level grid.
#pragma once

#include <cstdint>

#include "sampling/design.hpp"
#include "sampling/level_placement.hpp"

namespace tmex::sampling {

/// r trajectories of k + 1 points each on the p-level grid {0, 1/(p-1), ..., 1}^k (p even),
/// step delta = p / (2 (p - 1)), i.e. p/2 levels (Morris 1991).
///
/// Layout: trajectory t occupies indices t (k+1) .. t (k+1) + k; block(i) = t. Point 0 of a
/// trajectory is its base; point s >= 1 moves factor order_t[s-1] by +-delta, so consecutive
/// points differ in exactly one coordinate. Start levels are uniform on the p levels; a factor
/// starting below p/2 steps up, otherwise down (the distribution of Morris's B* with random
/// D*, so every level has the same probability); the factor order is a uniform random
/// permutation per trajectory. Everything is drawn from counter-based hashes of (seed, t):
/// index-addressable in O(k) per point. Unit coordinates follow `placement` (see
/// LevelPlacement); the analysis must divide output changes by the realised parameter change.
/// Thread-safe.
class MorrisDesign final : public Design {
 public:
  /// Throws DesignError unless r >= 1, k >= 1, p even and >= 2.
  MorrisDesign(std::uint64_t trajectories, std::size_t k, std::uint32_t levels,
               LevelPlacement placement, std::uint64_t seed);

  std::uint64_t size() const override { return trajectories_ * (k_ + 1); }
  std::size_t dimension() const override { return k_; }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::int64_t block(std::uint64_t i) const override {
    return static_cast<std::int64_t>(i / (k_ + 1));
  }
  std::uint64_t group_size() const override { return k_ + 1; }
  std::string describe() const override;

  /// The grid level (0..p-1) of point i in column j.
  std::uint32_t level(std::uint64_t i, std::size_t j) const;
  /// The step in levels, p / 2.
  std::uint32_t step_levels() const { return levels_ / 2; }

 private:
  void levels_of(std::uint64_t i, std::uint32_t* out) const;

  std::uint64_t trajectories_;
  std::size_t k_;
  std::uint32_t levels_;
  LevelPlacement placement_;
  std::uint64_t seed_;
};

}  // namespace tmex::sampling
