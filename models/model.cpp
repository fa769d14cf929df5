// Name lookups on ModelInfo and the text form of evaluation statuses.
#include "models/model.hpp"

#include <array>
#include <cmath>

#include "text/number_text.hpp"

namespace tmex::models {

namespace {
constexpr std::array<const char*, 7> kStatusNames = {
    "ok", "non_finite", "solver_failure", "timeout", "exception", "invalid_parameters", "crashed"};
}  // namespace

std::optional<std::size_t> ModelInfo::parameter_index(const std::string& n) const {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (parameters[i].name == n) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> ModelInfo::output_index(const std::string& n) const {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].name == n) return i;
  }
  return std::nullopt;
}

bool ParameterDomain::contains(double v) const {
  if (!std::isfinite(v)) return false;
  if (v < lower || (lower_open && v == lower)) return false;
  if (v > upper || (upper_open && v == upper)) return false;
  return !integer || v == std::floor(v);
}

std::string ParameterDomain::describe() const {
  const auto num = [](double v) { return text::format_number(v, text::NumberStyle::kShortest); };
  const bool low = std::isfinite(lower), high = std::isfinite(upper);
  std::string s;
  if (low && high) {
    s = std::string("in ") + (lower_open ? "(" : "[") + num(lower) + ", " + num(upper) +
        (upper_open ? ")" : "]");
  } else if (low) {
    s = (lower_open ? "> " : ">= ") + num(lower);
  } else if (high) {
    s = (upper_open ? "< " : "<= ") + num(upper);
  } else {
    s = "any number";
  }
  return integer ? "a whole number " + s : s;
}

const char* to_string(EvalStatus status) {
  return kStatusNames.at(static_cast<std::size_t>(status));
}

const char* to_string(Better better) {
  switch (better) {
    case Better::kLower:
      return "lower";
    case Better::kHigher:
      return "higher";
    case Better::kUnspecified:
      break;
  }
  return "";
}

std::optional<EvalStatus> status_from_string(const std::string& name) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (name == kStatusNames[i]) return static_cast<EvalStatus>(i);
  }
  return std::nullopt;
}

}  // namespace tmex::models
