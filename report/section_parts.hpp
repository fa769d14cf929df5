// Small pieces both report builders (analysis_report.cpp, arms_report.cpp) make sections of.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/report_model.hpp"
#include "text/number_text.hpp"

namespace tmex::report::parts {

/// `v` in `style` (text::format_number).
inline std::string number(double v, text::NumberStyle style) {
  return text::format_number(v, style);
}

/// A confidence level `c` (0.95) as "95%".
inline std::string percent(double c) {
  return number(100.0 * c, text::NumberStyle::kShortest) + "%";
}

/// A count as a table value.
inline std::int64_t as_int(std::uint64_t v) { return static_cast<std::int64_t>(v); }

/// Columns `low` and `high` of an interval of estimate `of`, headed by the confidence level.
inline std::vector<Column> interval(const std::string& of, double confidence,
                                    text::NumberStyle style, const std::string& low = "ci_low",
                                    const std::string& high = "ci_high",
                                    unsigned audience = kEveryone) {
  return {{low, percent(confidence) + " CI", Role::kLow, style, of, audience},
          {high, "", Role::kHigh, style, of, audience}};
}

/// Columns of a probability figure's data: per bin of a parameter, its median, range and the
/// probability (headed `probability_heading`) with its interval.
inline std::vector<Column> probability_bin_columns(const std::string& probability_heading) {
  return {{"parameter", "parameter", Role::kKey},
          {"x", "bin median", Role::kKey},
          {"x_low", "bin low", Role::kKey},
          {"x_high", "bin high", Role::kKey},
          {"probability", probability_heading},
          {"ci_low", "", Role::kLow, text::NumberStyle::kGeneral, "probability"},
          {"ci_high", "", Role::kHigh, text::NumberStyle::kGeneral, "probability"},
          {"log_x", "log x", Role::kDetail}};
}

}  // namespace tmex::report::parts
