// Where the p levels of a grid (Morris, full factorial) sit in the open unit interval.
#pragma once

#include <cstdint>

namespace tmex::sampling {

enum class LevelPlacement {
  /// Level l of p at l / (p - 1): the classic grid including both ends of the range; 0 and 1
  /// are moved inside by one unit in the last place (2^-53), so step lengths are exact to
  /// 1e-16 and bounded distributions reach their bounds. Unbounded distributions (normal,
  /// lognormal) then reach about 8 standard deviations: use kCentred for them.
  kEndpoints,
  /// Level l of p at (l + 1/2) / p: the centres of p equal-probability strata. Every level is
  /// a proper interior quantile; unit-space steps shrink by (p - 1) / p.
  kCentred,
};

/// The unit coordinate of level l in [0, p); p == 1 gives 1/2.
constexpr double level_to_unit(std::uint64_t l, std::uint64_t p, LevelPlacement placement) {
  if (p <= 1) return 0.5;
  if (placement == LevelPlacement::kCentred) {
    return (static_cast<double>(l) + 0.5) / static_cast<double>(p);
  }
  if (l == 0) return 0x1.0p-53;
  if (l + 1 >= p) return 1.0 - 0x1.0p-53;
  return static_cast<double>(l) / static_cast<double>(p - 1);
}

constexpr const char* placement_name(LevelPlacement placement) {
  return placement == LevelPlacement::kCentred ? "centred" : "endpoints";
}

}  // namespace tmex::sampling
