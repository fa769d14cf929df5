// The typed, validated campaign configuration, loaded from YAML at the edge.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/checkpoint_check.hpp"
#include "models/model.hpp"
#include "models/model_registry.hpp"
#include "sampling/design.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/distribution.hpp"
#include "sampling/latin_hypercube.hpp"
#include "sampling/parameter_space.hpp"
#include "storage/run_numbering.hpp"

namespace tmex::driver {

struct ExecutionConfig {
  std::uint64_t chunk_size = 0;       ///< 0: auto (sized from measured evaluation cost)
  std::uint32_t max_retries = 0;      ///< extra attempts of a failed evaluation
  double max_failure_fraction = 0.9;  ///< stop when more than this fraction fails (1: never)
  std::uint32_t per_rank = 1;         ///< evaluations at once on each evaluating rank
  double evaluation_timeout_s = 0.0;  ///< 0: none; cooperative deadline passed to the model
  double drain_timeout_s = 30.0;      ///< how long a stopping master waits for in-flight work
  double progress_interval_s = 10.0;  ///< seconds between progress lines on stderr
  double commit_interval_s = 1.0;     ///< longest time results wait in memory before a commit
  std::string scratch;                ///< where models that run programs work; empty: temp dir
  bool keep_failed_scratch = false;   ///< keep a failed evaluation's scratch directory
};

/// `convergence:`: a campaign that runs checkpoint by checkpoint (each twice the one before) and
/// stops at the first where its indices have converged (README, "Campaigns that stop by
/// themselves").
struct ConvergenceConfig {
  /// The first checkpoint: samples (lhs, sobol) or base rows (saltelli); campaign.samples is
  /// start x 2^levels, the last checkpoint.
  std::uint64_t start = 0;
  unsigned levels = 0;
  analysis::StoppingMeasure method = analysis::StoppingMeasure::kPrcc;
  std::vector<std::string> outputs;  ///< the outputs that must converge (never empty)
  analysis::ConvergenceCriteria criteria;
  /// Whether criteria.halfwidth and criteria.stable_top are judged: always without arms (with
  /// their defaults), only where written with arms (then of the PRCC of the paired
  /// differences, who benefits).
  bool judge_halfwidth = true;
  bool judge_stable_top = true;
  /// A campaign with arms: the contrasts judged, "ARM:REFERENCE" (default: every other arm
  /// against the first); empty without arms.
  std::vector<std::string> contrasts;
  /// A campaign with arms: per output (as `outputs`), the largest acceptable half-width of the
  /// mean paired difference's interval, in the output's units; NaN where not judged. Empty
  /// without arms or without `difference`.
  std::vector<double> difference;

  /// start x 2^c, the size of checkpoint c (c <= levels).
  std::uint64_t checkpoint_size(unsigned c) const { return start << c; }
};

/// A treatment arm: fixed settings and options that replace the model's (`model.settings`,
/// `model.options`) for every run of the arm. Every sample is evaluated under every arm.
struct ArmConfig {
  std::string name;  ///< an identifier, unique in the campaign
  std::map<std::string, double> settings;
  std::map<std::string, std::vector<double>> vector_settings;
  std::map<std::string, std::string> options;

  /// The overrides as one line of flow YAML, keys sorted, numbers exact:
  /// "{settings: {cxcr4_block: 0.97}, options: {cxcr4_block_schedule: pulsed}}", or "{}".
  std::string overrides() const;
};

/// A validated campaign. Every field is checked against the model it names.
struct CampaignConfig {
  std::string source;  ///< file the config came from (for messages)
  std::string name;
  std::uint64_t seed = 0;
  std::uint64_t samples = 0;  ///< as configured; the design decides the number of points
  std::uint32_t replicates = 1;
  sampling::DesignSpec design_spec;
  /// The design, built and validated while parsing (materialised designs are built once).
  std::shared_ptr<const sampling::Design> design;
  std::string model_name;
  int model_version = 1;  ///< the model's ModelInfo::version, part of the campaign's identity
  models::ModelSpec model_spec;
  std::vector<sampling::SampledParameter> parameters;  ///< design column order
  std::vector<std::string> dummies;  ///< sampled parameters the model ignores (`dummy: true`)
  std::vector<std::string> outputs;  ///< stored outputs
  std::optional<ConvergenceConfig> convergence;  ///< a campaign that stops itself
  /// Treatment arms in order (the first is the reference of contrasts); empty: a campaign
  /// without arms, whose runs use model_spec alone.
  std::vector<ArmConfig> arms;
  std::string storage_path;
  std::string storage_path_at;  ///< "file:line:column" of storage.path, for messages
  ExecutionConfig execution;

  /// Arms of the campaign, at least 1 (a campaign without arms has one implicit arm).
  std::uint32_t arm_count() const {
    return arms.empty() ? 1u : static_cast<std::uint32_t>(arms.size());
  }
  /// Design points x arms x replicates: the number of runs.
  std::uint64_t total_runs() const { return design->size() * arm_count() * replicates; }
  /// How run ids number (sample, arm, replicate).
  storage::RunNumbering numbering() const { return {arm_count(), replicates}; }
  /// The model spec of arm `arm` (model_spec with the arm's overrides); model_spec itself for a
  /// campaign without arms.
  models::ModelSpec arm_spec(std::size_t arm) const;

  /// Canonical text of everything that defines the campaign's results (not storage or
  /// execution): one "path: value" line each, in a fixed order.
  std::string canonical() const;
};

/// Parses and validates YAML text. `source` names the file in messages. Throws ConfigError
/// with "source:line:column: key: problem (got VALUE)" for anything wrong.
CampaignConfig parse_campaign_config(const std::string& yaml_text, const std::string& source,
                                     const models::ModelRegistry& registry);

/// Refuses a store path that cannot hold a store (storage::store_path_problem: ":memory:", a URI,
/// a folder, a FIFO, a device, a missing folder, ...): throws ConfigError located at
/// storage.path, or naming --db when the path came from the command line.
void check_store_path(const CampaignConfig& config, bool from_command_line);

/// Reads and parses a file; throws ConfigError when it cannot be read or is invalid.
CampaignConfig load_campaign_config(const std::string& path, const models::ModelRegistry& registry);

/// Reads a whole file into a string; throws ConfigError naming the path on failure.
std::string read_config_file(const std::string& path);

/// The model of one arm, and how a sample becomes its parameter vector.
struct ArmSetup {
  std::unique_ptr<models::Model> model;
  /// Model parameter index of each sampled column (CampaignSetup::kDummy for a dummy).
  std::vector<std::size_t> parameter_slots;
  std::vector<std::size_t> output_slots;  ///< model output index of each stored output
  std::vector<double> base_parameters;    ///< model defaults with the arm's fixed settings
};

/// The objects a campaign runs with, built from a validated config.
struct CampaignSetup {
  static constexpr std::size_t kDummy = static_cast<std::size_t>(-1);
  std::shared_ptr<const sampling::Design> design;
  sampling::ParameterSpace space;
  /// One per arm (config.arm_count()); arms[0] alone for a campaign without arms.
  std::vector<ArmSetup> arms;

  /// The first arm's model: what every arm shares (outputs, trajectories, version).
  const models::Model& model() const { return *arms.front().model; }
};

CampaignSetup build_setup(const CampaignConfig& config, const models::ModelRegistry& registry);

/// Lines "key: stored -> new" for every difference between two canonical texts; empty when
/// they are equal.
std::vector<std::string> canonical_diff(const std::string& stored, const std::string& current);

/// Why a store made by another version of the model cannot take this campaign's runs, naming
/// both versions; nullopt when the store's model and version are the config's (a store of
/// another model is left to canonical_diff).
std::optional<std::string> model_version_conflict(const std::string& store_path,
                                                  const std::string& stored_model,
                                                  int stored_version, const CampaignConfig& config);

/// FNV-1a 64-bit digest of a text as 16 hex digits (change detection, not security).
std::string fnv1a_hex(const std::string& text);

}  // namespace tmex::driver
