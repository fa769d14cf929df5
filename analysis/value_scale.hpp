// How an output's values are best drawn and read: on a linear axis, a log axis, or as 0/1 events.
#pragma once

#include <span>

namespace tmex::analysis {

/// The scale of a set of values.
enum class ValueScale {
  kLinear,    ///< ordinary values
  kLog,       ///< all positive and spread over orders of magnitude: read on a log axis
  kBinary,    ///< every value 0 or 1 (an event indicator): read as a probability
  kConstant,  ///< all values equal: no sensitivity index of it is defined
};

/// Values at least this many times apart between the 5% and 95% quantiles (two decades), all
/// positive, are drawn on a log axis.
inline constexpr double kLogSpreadRatio = 100.0;

/// The scale of finite `sorted` values (ascending): kConstant when all are equal (or fewer than
/// 2), kBinary when every value is 0 or 1, kLog when all are positive and the 95% quantile is at
/// least kLogSpreadRatio times the 5% quantile, else kLinear. O(N) (O(1) when not binary).
ValueScale value_scale_of_sorted(std::span<const double> sorted);

/// value_scale_of_sorted() of a copy of the finite `values`, sorted. O(N log N).
ValueScale value_scale(std::span<const double> values);

}  // namespace tmex::analysis
