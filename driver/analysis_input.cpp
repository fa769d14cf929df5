// campaign_info() and read_run_table(): typed store metadata and run columns to analysis types.
#include "driver/analysis_input.hpp"

#include "analysis/analysis_error.hpp"
#include "models/model_registry.hpp"
#include "sampling/distribution.hpp"
#include "storage/run_reader.hpp"

namespace tmex::driver {

namespace {

analysis::ParameterInfo parameter_info(const storage::ParameterColumn& column) {
  analysis::ParameterInfo p;
  p.name = column.name;
  p.dummy = column.dummy;
  if (column.kind.empty()) return p;  // unknown (an unreadable schema-1 description)
  std::vector<double> values;
  for (const auto& a : column.arguments) values.push_back(a.value);
  try {
    const auto d = sampling::Distribution::from_parameters(column.kind, values);
    std::tie(p.lower, p.upper) = d.support();
    p.log_scaled = d.log_scaled();
  } catch (const sampling::DistributionError&) {
    // Written by a tmex that knew a distribution this one does not: range unknown.
  }
  return p;
}

}  // namespace

std::vector<analysis::Direction> output_directions(const storage::CampaignMeta& meta) {
  std::vector<analysis::Direction> out;
  bool declared = false;
  for (std::size_t i = 0; i < meta.outputs.size(); ++i) {
    const std::string b = i < meta.output_better.size() ? meta.output_better[i] : "";
    out.push_back(b == "lower"    ? analysis::Direction::kLower
                  : b == "higher" ? analysis::Direction::kHigher
                                  : analysis::Direction::kUnknown);
    declared = declared || !b.empty();
  }
  if (declared) return out;
  // A store made before directions were recorded: the built-in model of that name and version
  // declares them (a model that cannot be built without its settings declares none).
  try {
    models::ModelRegistry registry;
    models::register_builtin_models(registry);
    if (!registry.contains(meta.model)) return out;
    const auto model = registry.create(meta.model, {});
    const auto& info = model->info();
    if (info.version != meta.model_version) return out;
    for (std::size_t i = 0; i < meta.outputs.size(); ++i) {
      if (const auto o = info.output_index(meta.outputs[i])) {
        const auto better = info.outputs[*o].better;
        out[i] = better == models::Better::kLower    ? analysis::Direction::kLower
                 : better == models::Better::kHigher ? analysis::Direction::kHigher
                                                     : analysis::Direction::kUnknown;
      }
    }
  } catch (const std::exception&) {
    // No declarations to be had: the directions stay unknown.
  }
  return out;
}

analysis::CampaignInfo campaign_info(const storage::CampaignMeta& meta, const std::string& source) {
  analysis::CampaignInfo c;
  c.source = source;
  c.name = meta.name;
  c.model = meta.model;
  c.model_version = meta.model_version;
  c.design = meta.design;
  try {
    c.layout.kind = analysis::parse_design_kind(meta.layout.kind);
  } catch (const analysis::AnalysisError& e) {
    throw storage::StorageError(source + ": " + e.what());
  }
  c.layout.group_size = meta.layout.group_size;
  c.samples = meta.samples;
  c.replicates = meta.replicates;
  c.seed = meta.seed;
  for (const auto& p : meta.parameters) c.parameters.push_back(parameter_info(p));
  c.outputs = meta.outputs;
  c.better = output_directions(meta);
  for (const auto& a : meta.arms) {
    c.arms.push_back(a.name);
    c.arm_overrides.push_back(a.overrides);
  }
  if (!meta.trajectory_times.empty()) c.trajectory_variables = meta.trajectory_variables;
  return c;
}

std::optional<analysis::ConvergenceCriteria> stored_convergence_criteria(
    const storage::CampaignMeta& meta) {
  // The canonical configuration holds one "key: value" line each (CampaignConfig::canonical).
  const auto value = [&](const std::string& key) -> std::optional<std::string> {
    const std::string prefix = key + ": ";
    std::size_t at = meta.config.rfind("\n" + prefix);
    if (at == std::string::npos) {
      if (meta.config.rfind(prefix, 0) != 0) return std::nullopt;
      at = 0;
    } else {
      ++at;
    }
    const std::size_t begin = at + prefix.size();
    return meta.config.substr(begin, meta.config.find('\n', begin) - begin);
  };
  const auto halfwidth = value("convergence.halfwidth");
  const auto top = value("convergence.stable_top");
  if (!halfwidth || !top) return std::nullopt;
  analysis::ConvergenceCriteria c;
  try {
    c.halfwidth = std::stod(*halfwidth);
    c.stable_top = std::stoi(*top);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return c;
}

std::optional<analysis::CheckpointPath> checkpoint_path(
    const storage::CampaignMeta& meta, const std::vector<storage::CheckRecord>& checks) {
  if (checks.empty()) return std::nullopt;
  analysis::CheckpointPath path;
  path.unit = meta.layout.kind == "saltelli" ? "base rows" : "samples";
  path.cap = meta.layout.kind == "saltelli" && meta.layout.group_size > 0
                 ? meta.samples / meta.layout.group_size
                 : meta.samples;
  for (const auto& c : checks) {
    analysis::CheckpointEntry e;
    e.checkpoint = static_cast<unsigned>(c.checkpoint);
    e.size = c.samples;
    e.runs = c.runs;
    e.decision = c.decision;
    e.summary = c.summary;
    for (const auto& k : c.criteria) {
      e.criteria.push_back({k.output, k.criterion, k.value, k.target, k.met, k.detail, k.contrast});
    }
    path.checkpoints.push_back(std::move(e));
  }
  return path;
}

analysis::RunTable read_run_table(storage::CampaignStore& store,
                                  const analysis::AnalysisPlan& plan) {
  storage::RunColumns read = storage::read_run_columns(store, plan.columns);
  analysis::RunTable t;
  t.columns = std::move(read.columns);
  t.rows = read.rows;
  t.values = std::move(read.values);
  t.sample = std::move(read.sample);
  t.arm = std::move(read.arm);
  t.replicate = std::move(read.replicate);
  t.block = std::move(read.block);
  t.ok = std::move(read.ok);
  if (plan.trajectories) {
    const storage::RunNumbering numbering = store.meta().numbering();
    std::vector<std::int64_t> run_ids(t.rows);
    for (std::size_t r = 0; r < t.rows; ++r) {
      const std::uint32_t arm = t.arm.empty() ? 0 : t.arm[r];
      run_ids[r] = static_cast<std::int64_t>(numbering.id(t.sample[r], arm, t.replicate[r]));
    }
    for (auto& tc : storage::read_trajectories(store, run_ids)) {
      t.trajectories.push_back({tc.variable, std::move(tc.times), std::move(tc.values)});
    }
  }
  return t;
}

}  // namespace tmex::driver
