// What the analysis knows of a campaign: its design's kind and layout, parameters and outputs.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tmex::analysis {

/// The design method of a campaign, which decides the methods that fit it.
enum class DesignKind {
  kLhs,       ///< Latin hypercube: a random sample of the space
  kSobol,     ///< Sobol' sequence: a quasi-random sample
  kSaltelli,  ///< A, A_B(i), B blocks for Sobol' indices
  kMorris,    ///< one-at-a-time trajectories
  kGrid,      ///< a full factorial grid: not a random sample
  kFile,      ///< a design of the user's own, treated as a sample
};

/// "lhs", "sobol", "saltelli", "morris", "grid", "file".
std::string design_kind_name(DesignKind kind);

/// The kind named `name`. Throws AnalysisError listing the known names.
DesignKind parse_design_kind(std::string_view name);

/// How a design's points are laid out.
struct DesignLayout {
  DesignKind kind = DesignKind::kLhs;
  /// Consecutive samples analysed together: k + 2 for Saltelli (base row j is samples
  /// j (k + 2) .. j (k + 2) + k + 1, whose run blocks say A = 0, A_B(i) = i, B = k + 1), k + 1 for
  /// Morris (a trajectory), 1 otherwise.
  std::uint64_t group_size = 1;

  /// True for designs whose points form a sample of the parameter space (all but Saltelli,
  /// Morris and grid), so that correlation measures and leading-row convergence apply.
  bool samples_the_space() const;
};

/// Which direction of an output is better: what a contrast between arms calls a benefit.
enum class Direction {
  kUnknown,  ///< not declared: contrasts report differences, not benefits
  kLower,    ///< lower is better (residual burden, relapse)
  kHigher,   ///< higher is better (log kill, cure)
};

/// "lower", "higher", or "" for kUnknown.
std::string direction_name(Direction direction);

/// The direction named "lower" or "higher" (also "" for kUnknown). Throws RequestError naming
/// the text.
Direction parse_direction(std::string_view name);

/// A sampled parameter as the analysis needs it.
struct ParameterInfo {
  std::string name{};
  /// The support of its distribution: what it can take (-inf / +inf on an unbounded side).
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  bool log_scaled = false;  ///< loguniform or lognormal: values over orders of magnitude
  bool dummy = false;       ///< not passed to the model: a yardstick for significance

  /// upper - lower when both are finite and differ; nullopt otherwise.
  std::optional<double> range() const;
};

/// A campaign: where its runs come from and what they are.
struct CampaignInfo {
  std::string source{};  ///< where the runs were read from (a store's path), for reports
  std::string name{};
  std::string model{};
  int model_version = 1;  ///< the version of the model that made the runs
  std::string design{};   ///< the design's canonical description
  DesignLayout layout{};
  std::uint64_t samples = 0;  ///< design points
  std::uint32_t replicates = 1;
  std::uint64_t seed = 0;
  std::vector<ParameterInfo> parameters{};  ///< in design column order
  std::vector<std::string> outputs{};       ///< stored outputs
  /// Per output: which direction is better, as the model declares it (empty: none declared).
  std::vector<Direction> better{};
  std::vector<std::string> arms{};  ///< treatment arms; empty: a campaign without arms
  /// Per arm: what it changes, as text (e.g. "{settings: {il6_block: 0.8}}"); may be empty.
  std::vector<std::string> arm_overrides{};
  std::vector<std::string> trajectory_variables{};  ///< recorded over time (PRCC over time)

  /// Runs of a complete campaign: samples x replicates (x arms).
  std::uint64_t total_runs() const;
  /// The parameter names in order.
  std::vector<std::string> parameter_names() const;
  /// The declared direction of `output` (kUnknown when none is declared or it is no output).
  Direction better_of(std::string_view output) const;
};

}  // namespace tmex::analysis
