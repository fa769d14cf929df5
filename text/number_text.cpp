// format_number(): printf's %.17g for exact text, fmt for the display styles.
#include "text/number_text.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace tmex::text {

std::string format_number(double value, NumberStyle style) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  switch (style) {
    case NumberStyle::kExact: {
      // snprintf, not fmt: this text is hashed into stored configs and must never change.
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", value);
      return buf;
    }
    case NumberStyle::kShortest:
      return fmt::format("{}", value);
    case NumberStyle::kCoefficient:
      return fmt::format("{:.4f}", value);
    case NumberStyle::kPValue:
      if (value == 0.0) return "<1e-300";
      if (value >= 0.001) return fmt::format("{:.3f}", value);
      return fmt::format("{:.1e}", value);
    case NumberStyle::kGeneral:
      return fmt::format("{:.4g}", value);
    case NumberStyle::kBrief:
      return fmt::format("{:.2g}", value);
  }
  return fmt::format("{}", value);
}

}  // namespace tmex::text
