// Design kinds by name, parameter ranges, run counts.
#include "analysis/campaign.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "analysis/analysis_error.hpp"

namespace tmex::analysis {

namespace {

constexpr std::array<std::pair<DesignKind, std::string_view>, 6> kKinds = {{
    {DesignKind::kLhs, "lhs"},
    {DesignKind::kSobol, "sobol"},
    {DesignKind::kSaltelli, "saltelli"},
    {DesignKind::kMorris, "morris"},
    {DesignKind::kGrid, "grid"},
    {DesignKind::kFile, "file"},
}};

}  // namespace

std::string design_kind_name(DesignKind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return std::string(name);
  }
  return "?";
}

DesignKind parse_design_kind(std::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (n == name) return k;
  }
  throw AnalysisError("unknown design kind '" + std::string(name) +
                      "'; known: lhs, sobol, saltelli, morris, grid, file");
}

bool DesignLayout::samples_the_space() const {
  return kind != DesignKind::kSaltelli && kind != DesignKind::kMorris && kind != DesignKind::kGrid;
}

std::optional<double> ParameterInfo::range() const {
  if (std::isfinite(lower) && std::isfinite(upper) && upper > lower) return upper - lower;
  return std::nullopt;
}

std::uint64_t CampaignInfo::total_runs() const {
  return samples * replicates * std::max<std::uint64_t>(1, arms.size());
}

std::vector<std::string> CampaignInfo::parameter_names() const {
  std::vector<std::string> names;
  for (const auto& p : parameters) names.push_back(p.name);
  return names;
}

std::string direction_name(Direction direction) {
  switch (direction) {
    case Direction::kLower:
      return "lower";
    case Direction::kHigher:
      return "higher";
    case Direction::kUnknown:
      break;
  }
  return "";
}

Direction parse_direction(std::string_view name) {
  if (name == "lower") return Direction::kLower;
  if (name == "higher") return Direction::kHigher;
  if (name.empty()) return Direction::kUnknown;
  throw RequestError("unknown direction '" + std::string(name) + "'; expected lower or higher");
}

Direction CampaignInfo::better_of(std::string_view output) const {
  for (std::size_t i = 0; i < outputs.size() && i < better.size(); ++i) {
    if (outputs[i] == output) return better[i];
  }
  return Direction::kUnknown;
}

}  // namespace tmex::analysis
