// Implementations of tmex status, models, export and eval.
#include "driver/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analysis/analysis_error.hpp"
#include "analysis/sample_size.hpp"
#include "driver/campaign_config.hpp"
#include "driver/checkpoint_monitor.hpp"
#include "driver/errors.hpp"
#include "driver/output_file.hpp"
#include "models/model_registry.hpp"
#include "sampling/design_quality.hpp"
#include "sampling/design_spec.hpp"
#include "storage/campaign_store.hpp"
#include "storage/store_file.hpp"
#include "text/number_text.hpp"
#include "text/strings.hpp"

namespace tmex::driver {

namespace {

// The share of a distribution's mass outside `domain`, from its quantiles at 10000 evenly
// spaced probabilities (exact enough to warn; also right for discrete levels and whole numbers).
double share_outside(const sampling::Distribution& d, const models::ParameterDomain& domain) {
  constexpr int kPoints = 10000;
  int outside = 0;
  for (int i = 0; i < kPoints; ++i) {
    if (!domain.contains(d.quantile((i + 0.5) / kPoints))) ++outside;
  }
  return static_cast<double>(outside) / kPoints;
}

// What `check` warns about before a run: ranges that leave the model's domain (those runs fail
// as invalid_parameters) and designs too small for their sensitivity method.
std::vector<std::string> check_warnings(const CampaignConfig& config,
                                        const models::ModelRegistry& registry) {
  std::vector<std::string> out;
  const CampaignSetup setup = build_setup(config, registry);
  const auto& info = setup.model().info();
  for (const auto& p : config.parameters) {
    if (std::find(config.dummies.begin(), config.dummies.end(), p.name) != config.dummies.end()) {
      continue;
    }
    const auto index = info.parameter_index(p.name);
    if (!index) continue;
    const auto& domain = info.parameters[*index].domain;
    const double share = share_outside(p.distribution, domain);
    if (share <= 0.0) continue;
    const auto [lo, hi] = p.distribution.support();
    out.push_back(fmt::format(
        "{}: {} reaches [{}, {}], outside {}'s domain ({} must be {}): about {} of its values "
        "fall there, and those runs will fail as invalid_parameters",
        p.name, p.distribution.describe(text::NumberStyle::kShortest),
        text::format_number(lo, text::NumberStyle::kShortest),
        text::format_number(hi, text::NumberStyle::kShortest), config.model_name, p.name,
        domain.describe(),
        share >= 0.001 ? text::format_number(100.0 * share, text::NumberStyle::kBrief) + "%"
                       : "a few"));
  }
  try {
    const auto kind = analysis::parse_design_kind(config.design_spec.method);
    const bool grouped =
        kind == analysis::DesignKind::kSaltelli || kind == analysis::DesignKind::kMorris;
    const auto warnings = analysis::sample_size_warnings(
        kind, config.parameters.size(), grouped ? config.samples : config.design->size());
    out.insert(out.end(), warnings.begin(), warnings.end());
  } catch (const analysis::AnalysisError&) {
    // A design kind the analysis does not know: nothing to say about its sample size.
  }
  return out;
}

// Opens a store that a read-only command names; a path that cannot hold a store is a usage
// error (exit 2), before anything opens it.
storage::CampaignStore open_store_to_read(const std::string& db_path) {
  if (auto problem = storage::store_path_problem(db_path)) throw UsageError(*problem);
  if (!std::filesystem::exists(db_path)) throw UsageError("'" + db_path + "' does not exist");
  return storage::CampaignStore::open_read_only(db_path);
}

// The checkpoints of a campaign that stops itself, e.g. "250, 500, 1000, ..., 16000 samples (7)".
std::string checkpoint_list(const CampaignConfig& config) {
  const ConvergenceConfig& cc = *config.convergence;
  std::string list;
  for (unsigned c = 0; c <= cc.levels; ++c) {
    if (cc.levels > 4 && c == 3) {
      list += ", ...";
      c = cc.levels - 1;
      continue;
    }
    list += (c ? ", " : "") + std::to_string(cc.checkpoint_size(c));
  }
  return fmt::format("{} {} ({})", list, checkpoint_unit(config), cc.levels + 1);
}

// A check's criteria in one line per output (and contrast, "y (plus1:base)" in a campaign with
// arms), from the store's check_criteria rows.
std::vector<std::string> criteria_lines(const storage::CheckRecord& check) {
  std::vector<std::string> lines;
  std::string label;
  for (const auto& c : check.criteria) {
    std::string part;
    const auto number = [](double v) { return text::format_number(v, text::NumberStyle::kBrief); };
    const auto target = [](double v) {
      return text::format_number(v, text::NumberStyle::kShortest);
    };
    if (c.criterion == "halfwidth") {
      part = std::isnan(c.value) ? "no interval excludes 0"
                                 : fmt::format("widest +/- {} {} {} ({})", number(c.value),
                                               c.met ? "<=" : ">", target(c.target), c.detail);
    } else if (c.criterion == "stable_top") {
      part = fmt::format("top {}{}: {}", static_cast<long long>(c.value),
                         check.checkpoint == 0 ? ""
                         : c.met               ? " kept"
                                               : " not kept",
                         c.detail);
    } else if (c.criterion == "difference") {
      part = std::isnan(c.value) ? "difference: " + c.detail
                                 : fmt::format("difference +/- {} {} {} ({})", number(c.value),
                                               c.met ? "<=" : ">", target(c.target), c.detail);
    } else {
      part = c.detail;
    }
    const std::string of = c.contrast.empty() ? c.output : c.output + " (" + c.contrast + ")";
    if (lines.empty() || of != label) {
      lines.push_back(of + ": " + part);
      label = of;
    } else {
      lines.back() += "; " + part;
    }
  }
  return lines;
}

// The path of a campaign that stops itself: each checkpoint, its criteria and the decision.
void print_checkpoints(const storage::StoreStatus& s, const std::string& unit) {
  fmt::print("\ncheckpoints (a campaign that stops itself):\n  {:>3}  {:>12} {:>12}  {:<10} {}\n",
             "#", unit, "runs", "decision", "criteria");
  for (const auto& c : s.checks) {
    const auto lines = criteria_lines(c);
    fmt::print("  {:>3}  {:>12} {:>12}  {:<10} {}\n", c.checkpoint, c.samples, c.runs, c.decision,
               lines.empty() ? c.summary : lines.front());
    for (std::size_t i = 1; i < lines.size(); ++i) fmt::print("  {:>42} {}\n", "", lines[i]);
  }
  const auto& last = s.checks.back();
  // The summary begins with the verdict ("converged: ...", "not converged: ...").
  std::string why = last.summary;
  for (const char* prefix : {"converged: ", "not converged: "}) {
    if (why.starts_with(prefix)) why = why.substr(std::string_view(prefix).size());
  }
  if (last.decision == "converged") {
    fmt::print("verdict    converged at checkpoint {} ({} {}, {} runs): {}\n", last.checkpoint,
               last.samples, unit, last.runs, why);
  } else if (last.decision == "cap") {
    fmt::print("verdict    did not converge by campaign.samples ({} {}, checkpoint {}): {}\n",
               last.samples, unit, last.checkpoint, why);
  } else {
    fmt::print("verdict    not yet: the next checkpoint is checked when its runs are complete\n");
  }
}

}  // namespace

int check_command(const std::string& config_path, const std::string& db_override) {
  models::ModelRegistry registry;
  models::register_builtin_models(registry);
  CampaignConfig config = load_campaign_config(config_path, registry);
  if (!db_override.empty()) config.storage_path = db_override;
  check_store_path(config, !db_override.empty());
  const auto warnings = check_warnings(config, registry);
  fmt::print("{}: valid{}\n", config_path,
             warnings.empty()
                 ? ""
                 : fmt::format(" ({} warning{})", warnings.size(), warnings.size() > 1 ? "s" : ""));
  fmt::print("campaign   {}\n", config.name);
  fmt::print("model      {} (version {})\n", config.model_name, config.model_version);
  fmt::print("design     {}\n", config.design->describe());
  if (config.arms.empty()) {
    fmt::print("runs       {}{} ({} points x {} replicates)\n",
               config.convergence ? "at most " : "", config.total_runs(), config.design->size(),
               config.replicates);
  } else {
    fmt::print("runs       {}{} ({} points x {} arms x {} replicates)\n",
               config.convergence ? "at most " : "", config.total_runs(), config.design->size(),
               config.arms.size(), config.replicates);
    std::string arms;
    for (const auto& a : config.arms) arms += fmt::format("\n  {:<26} {}", a.name, a.overrides());
    fmt::print("arms       {} (contrasts against {}){}\n", config.arms.size(),
               config.arms.front().name, arms);
  }
  std::string params;
  for (const auto& p : config.parameters) {
    params +=
        fmt::format("\n  {:<26} {}", p.name, p.distribution.describe(text::NumberStyle::kShortest));
  }
  fmt::print("parameters {}{}\n", config.parameters.size(), params);
  std::string outs;
  for (const auto& o : config.outputs) outs += (outs.empty() ? "" : ", ") + o;
  fmt::print("outputs    {}\n", outs);
  if (config.convergence) {
    const ConvergenceConfig& cc = *config.convergence;
    const auto number = [](double v) {
      return text::format_number(v, text::NumberStyle::kShortest);
    };
    if (cc.contrasts.empty()) {
      fmt::print(
          "stops      at the first checkpoint of {} where, on {}, every {} interval that excludes "
          "0 is within +/- {} and the top {} parameters keep their order since the checkpoint "
          "before; else at the last\n",
          checkpoint_list(config), text::join(cc.outputs),
          cc.method == analysis::StoppingMeasure::kSobol ? "Sobol' index" : "PRCC",
          number(cc.criteria.halfwidth), cc.criteria.stable_top);
    } else {
      std::vector<std::string> criteria;
      if (!cc.difference.empty()) {
        std::vector<std::string> targets;
        for (std::size_t o = 0; o < cc.outputs.size(); ++o) {
          if (!std::isnan(cc.difference[o])) {
            targets.push_back("+/- " + number(cc.difference[o]) + " on " + cc.outputs[o]);
          }
        }
        criteria.push_back("the mean paired difference's interval is within " +
                           text::join(targets));
      }
      if (cc.judge_halfwidth) {
        criteria.push_back(
            "every PRCC interval of the paired differences that excludes 0 is "
            "within +/- " +
            number(cc.criteria.halfwidth));
      }
      if (cc.judge_stable_top) {
        criteria.push_back(fmt::format(
            "the top {} parameters of who benefits keep their order since the checkpoint before",
            cc.criteria.stable_top));
      }
      fmt::print(
          "stops      at the first checkpoint of {} where, for each contrast ({}) on {}: {}; else "
          "at the last\n",
          checkpoint_list(config), text::join(cc.contrasts), text::join(cc.outputs),
          text::join(criteria, "; "));
    }
  }
  for (const auto& w : warnings) fmt::print("warning    {}\n", w);
  if (!std::filesystem::exists(config.storage_path)) {
    fmt::print("store      {} (will be created)\n", config.storage_path);
    return kExitOk;
  }
  auto store = storage::CampaignStore::open_read_only(config.storage_path);
  // The model's version first: a store of another version says so in the model's terms.
  if (const auto conflict = model_version_conflict(config.storage_path, store.meta().model,
                                                   store.meta().model_version, config)) {
    throw ConfigError(*conflict);
  }
  if (store.schema_version() != storage::kSchemaVersion) {
    throw storage::StorageError(fmt::format(
        "{}: store schema version {} (made by tmex {}) can be read but not resumed by this tmex "
        "(schema version {})",
        config.storage_path, store.schema_version(), store.meta().tmex_version,
        storage::kSchemaVersion));
  }
  const auto diff = canonical_diff(store.meta().config, config.canonical());
  const auto change = convergence_change(config, store.meta(), diff);
  if (!diff.empty() && !change) {
    std::string msg = config.storage_path + " holds a campaign with a different configuration:";
    for (const auto& d : diff) msg += "\n  " + d;
    throw ConfigError(msg);
  }
  std::string design_note;
  if (store.meta().design_algorithm_version != config.design->algorithm_version()) {
    // run resumes with the version the store holds, where this tmex has it.
    sampling::DesignSpec spec = config.design_spec;
    spec.algorithm_version = store.meta().design_algorithm_version;
    try {
      sampling::make_design(spec, config.parameters.size());
      design_note = fmt::format("; its design is resumed with design algorithm version {}",
                                store.meta().design_algorithm_version);
    } catch (const sampling::DesignError& e) {
      throw ConfigError(fmt::format(
          "{}: its design was built by design algorithm version {} (tmex {}), which this tmex "
          "does not build ({}): it cannot be resumed here",
          config.storage_path, store.meta().design_algorithm_version, store.meta().tmex_version,
          e.what()));
    }
  }
  const auto s = store.status(0);
  if (change) {
    design_note += change->criteria
                       ? "; other convergence criteria: its checkpoints are checked again"
                       : "; a higher campaign.samples: it goes on from its last checkpoint";
    fmt::print("store      {} (the same campaign changed: {} runs stored{})\n", config.storage_path,
               s.stored, design_note);
    return kExitOk;
  }
  fmt::print("store      {} (same campaign: {} of {} runs stored, {} pending{})\n",
             config.storage_path, s.stored, s.total, s.total - s.stored, design_note);
  return kExitOk;
}

int sample_command(const std::string& config_path, const std::string& out) {
  models::ModelRegistry registry;
  models::register_builtin_models(registry);
  const CampaignConfig config = load_campaign_config(config_path, registry);
  const sampling::Design& design = *config.design;
  const sampling::ParameterSpace space(config.parameters);
  OutputFile file(out);
  std::ostream& os = file.stream();
  os << "sample,block";
  for (const auto& p : config.parameters) os << ',' << p.name;
  os << '\n';
  std::vector<double> unit(space.dimension()), values(space.dimension());
  for (std::uint64_t i = 0; i < design.size(); ++i) {
    design.unit_point(i, unit);
    space.transform(unit, values);
    os << i << ',' << design.block(i);
    for (double v : values) os << ',' << text::format_number(v, text::NumberStyle::kExact);
    os << '\n';
  }
  file.commit();
  if (design.size() < 2) return kExitOk;
  // Offline, so a larger budget than a campaign's start-up affords.
  const auto q = sampling::measure_quality(
      design, {.pairwise_points = 10000, .correlation_points = 1'000'000, .seed = config.seed});
  std::string subset;
  if (q.points_used < design.size()) {
    subset = fmt::format(" (distance and discrepancy of a random subset of {})", q.points_used);
  }
  std::string correlation_subset;
  if (q.correlation_points_used < design.size()) {
    correlation_subset = fmt::format(" (of a random subset of {})", q.correlation_points_used);
  }
  std::fprintf(stderr,
               "tmex: %s: %llu points x %zu parameters%s\n"
               "  min pairwise distance (unit cube)  %.6g\n"
               "  centred L2 discrepancy (squared)   %.6g\n"
               "  max |rank correlation| of inputs   %.6g%s\n",
               design.describe().c_str(), static_cast<unsigned long long>(design.size()),
               space.dimension(), subset.c_str(), q.min_distance, q.centred_l2_discrepancy,
               q.max_abs_rank_correlation, correlation_subset.c_str());
  return kExitOk;
}

int status_command(const std::string& db_path) {
  auto store = open_store_to_read(db_path);
  const auto& m = store.meta();
  const auto s = store.status(5);
  // A campaign that stopped itself is complete with the runs of its last checkpoint.
  const bool ended = !s.checks.empty() &&
                     (s.checks.back().decision == "converged" || s.checks.back().decision == "cap");
  const std::int64_t pending = ended ? 0 : s.total - s.stored;
  const std::string unit = m.layout.kind == "saltelli" ? "base rows" : "samples";
  fmt::print("campaign   {}\n", m.name);
  fmt::print("store      {}{}\n", db_path,
             store.schema_version() < storage::kSchemaVersion
                 ? fmt::format(" (schema version {}, made by an older tmex: read, not resumed)",
                               store.schema_version())
                 : "");
  fmt::print("model      {} (version {})\n", m.model, m.model_version);
  fmt::print("design     {}\n", m.design);
  fmt::print("runs       {} of {} stored ({:.1f}%): {} ok, {} failed; {} pending{}\n", s.stored,
             s.target,
             s.target ? 100.0 * static_cast<double>(s.stored) / static_cast<double>(s.target) : 0.0,
             s.ok, s.failed, pending,
             s.target != s.total ? fmt::format(" (at most {} had it not converged)", s.total)
                                 : std::string());
  if (!s.arms.empty()) {
    const std::int64_t per_arm = s.target / static_cast<std::int64_t>(s.arms.size());
    std::string arms;
    for (const auto& a : s.arms) {
      arms += fmt::format("\n  {:<26} {} of {} stored: {} ok, {} failed", a.name, a.stored, per_arm,
                          a.ok, a.stored - a.ok);
    }
    fmt::print("arms       {} (contrasts against {}){}\n", s.arms.size(), s.arms.front().name,
               arms);
  }
  if (!s.sessions.empty()) {
    const auto& last = s.sessions.back();
    const double rate =
        last.duration_s > 0 ? static_cast<double>(last.runs_stored) / last.duration_s : 0.0;
    fmt::print("rate       {:.4g} runs/s in the last session", rate);
    if (pending > 0 && rate > 0) {
      fmt::print(" (about {:.0f} s for what is pending at that rate)",
                 static_cast<double>(pending) / rate);
    }
    fmt::print("\n");
  }
  std::string state = pending == 0      ? "complete"
                      : s.writer_active ? "running (a tmex run is writing it now)"
                                        : "incomplete: run the campaign again to resume";
  if (ended) {
    state += s.checks.back().decision == "converged"
                 ? fmt::format(": converged at checkpoint {} ({} {})", s.checks.back().checkpoint,
                               s.checks.back().samples, unit)
                 : fmt::format(": did not converge by campaign.samples ({} {})",
                               s.checks.back().samples, unit);
  } else if (!s.checks.empty() && pending == 0) {
    state =
        "incomplete: every run is stored but the last checkpoints are not checked; run the "
        "campaign again to check them";
  }
  fmt::print("state      {}\n", state);
  if (s.quarantined > 0) {
    fmt::print(
        "quarantine {} pending run{} in flight when a session died: the next run runs {} first, "
        "alone\n",
        s.quarantined, s.quarantined == 1 ? " was" : "s were", s.quarantined == 1 ? "it" : "them");
  }
  if (!s.checks.empty()) print_checkpoints(s, unit);
  if (!s.failures.empty()) {
    // The largest groups; a store can hold as many groups as failures.
    constexpr std::size_t kGroupsShown = 20;
    fmt::print("\nfailures by reason:\n");
    for (std::size_t i = 0; i < s.failures.size() && i < kGroupsShown; ++i) {
      const auto& g = s.failures[i];
      std::string ex;
      for (auto id : g.example_samples) ex += (ex.empty() ? "" : ", ") + std::to_string(id);
      fmt::print("  {:>8}  {:<18} {}\n            e.g. samples {}\n", g.count, g.status, g.reason,
                 ex);
    }
    if (s.failures.size() > kGroupsShown) {
      std::int64_t rest = 0;
      for (std::size_t i = kGroupsShown; i < s.failures.size(); ++i) rest += s.failures[i].count;
      fmt::print(
          "  ... {} more groups with {} failures in all (sqlite3 {} 'SELECT * FROM failures')\n",
          s.failures.size() - kGroupsShown, rest, db_path);
    }
  }
  fmt::print("\nsessions:\n  {:>3}  {:<24} {:<12} {:>5} {:>10} {:>9}  {}\n", "id", "started",
             "outcome", "ranks", "runs", "seconds", "hosts / slurm job");
  for (const auto& r : s.sessions) {
    std::string where = r.hosts;
    if (!r.slurm_job_id.empty()) {
      where += " job " + r.slurm_job_id;
      // An array task has its own job id; SLURM names it ARRAYJOB_TASK (squeue, sacct, logs).
      if (!r.slurm_array_task_id.empty()) {
        where += r.slurm_array_job_id.empty()
                     ? " (array task " + r.slurm_array_task_id + ")"
                     : " (array " + r.slurm_array_job_id + "_" + r.slurm_array_task_id + ")";
      }
    }
    fmt::print("  {:>3}  {:<24} {:<12} {:>5} {:>10} {:>9.1f}  {}\n", r.id, r.started_at, r.outcome,
               r.ranks, r.runs_stored, r.duration_s, where);
  }
  // Provenance: the newest session's in full, and for earlier sessions what differs from it.
  const storage::SessionRow* newest = nullptr;
  for (const auto& r : s.sessions) {
    if (!r.provenance.empty()) newest = &r;
  }
  if (newest) {
    fmt::print("\nprovenance (session {}):\n", newest->id);
    for (const auto& [key, value] : newest->provenance) fmt::print("  {:<18} {}\n", key, value);
    for (const auto& r : s.sessions) {
      if (&r == newest || r.provenance.empty()) continue;
      std::string differs;
      for (const auto& [key, value] : r.provenance) {
        const auto it = std::find_if(newest->provenance.begin(), newest->provenance.end(),
                                     [&](const auto& kv) { return kv.first == key; });
        if (it == newest->provenance.end() || it->second != value) {
          differs += fmt::format("\n    {:<16} {}", key, value);
        }
      }
      if (!differs.empty()) fmt::print("  session {} differs:{}\n", r.id, differs);
    }
  } else if (!s.sessions.empty()) {
    fmt::print(
        "\nprovenance: not recorded (store made by tmex {}; sessions record it from "
        "schema version 2 on)\n",
        m.tmex_version);
  }
  return kExitOk;
}

int models_command(const std::string& only) {
  models::ModelRegistry registry;
  models::register_builtin_models(registry);
  if (!only.empty() && !registry.contains(only)) {
    std::string known;
    for (const auto& n : registry.names()) known += (known.empty() ? "" : ", ") + n;
    throw UsageError("unknown model '" + only + "'; known models: " + known);
  }
  bool first = true;
  for (const auto& name : registry.names()) {
    if (!only.empty() && name != only) continue;
    const auto model = registry.create(name, {});
    const auto& info = model->info();
    if (!first) fmt::print("\n");
    first = false;
    fmt::print("{} (version {}): {}\n", name, info.version, registry.description(name));
    fmt::print("  parameters (name, default, unit, description; where the model is defined):\n");
    for (const auto& p : info.parameters) {
      const std::string domain = p.domain.describe();
      fmt::print("    {:<24} {:>12.6g}  {:<10} {}{}\n", p.name, p.default_value, p.unit,
                 p.description, domain == "any number" ? "" : "; valid: " + domain);
    }
    if (!info.options.empty()) {
      fmt::print("  options (name, default, allowed):\n");
      for (const auto& o : info.options) {
        std::string allowed;
        for (const auto& a : o.allowed) allowed += (allowed.empty() ? "" : "|") + a;
        fmt::print("    {:<24} {:>12}  {:<24} {}\n", o.name, o.default_value, allowed,
                   o.description);
      }
    }
    fmt::print(
        "  outputs (name, unit, better: the direction arms' contrasts call a benefit, "
        "description):\n");
    std::size_t name_width = 24, unit_width = 10;
    for (const auto& o : info.outputs) {
      name_width = std::max(name_width, o.name.size());
      unit_width = std::max(unit_width, o.unit.size());
    }
    for (const auto& o : info.outputs) {
      const std::string better = models::to_string(o.better);
      fmt::print("    {:<{}} {:<{}} {:<6} {}\n", o.name, name_width, o.unit, unit_width,
                 better.empty() ? "-" : better, o.description);
    }
    if (!info.trajectory_variables.empty()) {
      std::string vars;
      for (const auto& v : info.trajectory_variables) vars += (vars.empty() ? "" : ", ") + v;
      fmt::print("  trajectories (model.trajectory_times): {}\n", vars);
    }
    if (info.stochastic) fmt::print("  stochastic: draws from a per-run random stream\n");
  }
  return kExitOk;
}

int export_command(const std::string& db_path, const std::string& format, const std::string& out) {
  if (format != "csv") throw UsageError("unknown export format '" + format + "'; expected csv");
  auto store = open_store_to_read(db_path);
  OutputFile file(out);
  store.export_csv(file.stream());
  file.commit();
  return kExitOk;
}

int eval_command(const std::string& model_name, const std::map<std::string, std::string>& sets,
                 const std::map<std::string, std::string>& options, const std::string& format) {
  if (format != "table" && format != "json") {
    throw UsageError("--format must be table or json, got '" + format + "'");
  }
  models::ModelRegistry registry;
  models::register_builtin_models(registry);
  models::ModelSpec spec;
  for (const auto& [k, v] : sets) {
    double d = 0.0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d)) {
      throw UsageError("--set " + k + "=" + v + ": expected a finite number");
    }
    spec.settings[k] = d;
  }
  spec.options = options;
  std::unique_ptr<models::Model> model;
  try {
    model = registry.create(model_name, spec);
  } catch (const models::ModelError& e) {
    throw UsageError(e.what());
  }
  const auto& info = model->info();
  std::vector<double> params;
  for (const auto& p : info.parameters) params.push_back(p.default_value);
  models::EvalResult result;
  models::EvalContext ctx;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    model->evaluate(params, ctx, result);
  } catch (const std::exception& e) {
    result.fail(models::EvalStatus::kException, std::string("model threw: ") + e.what());
  }
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  const bool ok = result.status == models::EvalStatus::kOk;
  if (format == "json") {
    nlohmann::ordered_json j;
    j["model"] = model_name;
    j["status"] = models::to_string(result.status);
    j["error"] = ok ? nlohmann::ordered_json() : nlohmann::ordered_json(result.reason);
    j["elapsed_us"] = std::round(us * 10.0) / 10.0;
    j["outputs"] = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < info.outputs.size(); ++i) {
      // NaN and infinities (a failed evaluation) are written as null.
      j["outputs"][info.outputs[i].name] =
          i < result.outputs.size() ? result.outputs[i] : std::nan("");
    }
    std::cout << j.dump() << '\n';
  } else {
    fmt::print("model    {}\nstatus   {}{}\nelapsed  {:.1f} us\n", model_name,
               models::to_string(result.status), ok ? "" : " (" + result.reason + ")", us);
    for (std::size_t i = 0; i < info.outputs.size(); ++i) {
      const double v = i < result.outputs.size() ? result.outputs[i] : std::nan("");
      fmt::print("  {:<26} {:>14.7g}  {}\n", info.outputs[i].name, v, info.outputs[i].unit);
    }
  }
  return ok ? kExitOk : kExitError;
}

}  // namespace tmex::driver
