// Name lookups on ModelInfo and the text form of evaluation statuses.
#include "models/model.hpp"

#include <array>

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
