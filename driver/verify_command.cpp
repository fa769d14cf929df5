// `tmex verify`: selection of stored runs, re-evaluation through the dispatch protocol, and the
// bit-for-bit comparison on rank 0.
#include "driver/verify_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/mpi.hpp>
#include <boost/serialization/string.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>

#include "driver/build_info.hpp"
#include "driver/dispatch.hpp"
#include "driver/errors.hpp"
#include "driver/provenance.hpp"
#include "driver/stop_signals.hpp"
#include "driver/version.hpp"
#include "sampling/counter_hash.hpp"
#include "storage/campaign_store.hpp"
#include "text/number_text.hpp"

namespace tmex::driver {

namespace mpi = boost::mpi;

namespace {

// Runs shown in full; the others are counted.
constexpr std::size_t kShownMismatches = 20;

// The stored runs whose id hashes below fraction x 2^64 under the seed: a deterministic,
// uniformly random subset, the same on every machine and rank count. Walks the stored ranges
// lazily; counting the selection up front costs one hash per stored id.
class SelectedStoredRuns final : public PendingTasks {
 public:
  SelectedStoredRuns(std::vector<storage::IdRange> stored, double fraction, std::uint64_t seed)
      : stored_(std::move(stored)), key_(sampling::hash64(seed, 0x7e41f1)) {
    all_ = fraction >= 1.0;
    threshold_ = all_ ? 0 : static_cast<std::uint64_t>(fraction * 18446744073709551616.0);
    for (const auto& r : stored_) {
      if (all_) {
        total_ += r.end - r.begin;
      } else {
        for (std::uint64_t id = r.begin; id < r.end; ++id) total_ += selected(id);
      }
    }
    if (!stored_.empty()) cursor_ = stored_[0].begin;
  }

  std::uint64_t total() const override { return total_; }

  std::uint64_t take(std::uint64_t want, std::vector<std::uint64_t>& ranges) override {
    std::uint64_t taken = 0;
    while (taken < want && range_ < stored_.size()) {
      if (cursor_ >= stored_[range_].end) {
        if (++range_ < stored_.size()) cursor_ = stored_[range_].begin;
        continue;
      }
      if (!selected(cursor_)) {
        ++cursor_;
        continue;
      }
      const std::uint64_t begin = cursor_;
      while (cursor_ < stored_[range_].end && taken < want && selected(cursor_)) {
        ++cursor_;
        ++taken;
      }
      ranges.push_back(begin);
      ranges.push_back(cursor_);
    }
    return taken;
  }

 private:
  bool selected(std::uint64_t id) const {
    return all_ || sampling::mix64(key_ + (id + 1) * 0x9e3779b97f4a7c15ULL) < threshold_;
  }

  std::vector<storage::IdRange> stored_;
  std::uint64_t key_;
  bool all_ = false;
  std::uint64_t threshold_ = 0;
  std::uint64_t total_ = 0;
  std::size_t range_ = 0;
  std::uint64_t cursor_ = 0;
};

// A value as the store keeps it: NaN and infinities as NULL (read back as NaN), -0 as +0 (SQLite
// writes a REAL with an integral value as an integer).
double as_stored(double v) {
  if (!std::isfinite(v)) return std::numeric_limits<double>::quiet_NaN();
  return v == 0.0 ? 0.0 : v;
}

bool same_bits(double stored, double recomputed) {
  const double r = as_stored(recomputed);
  if (std::isnan(stored) || std::isnan(r)) return std::isnan(stored) && std::isnan(r);
  return std::memcmp(&stored, &r, sizeof stored) == 0;
}

std::string shown(double v) {
  return std::isnan(v) ? "NULL" : text::format_number(v, text::NumberStyle::kExact);
}

struct Mismatch {
  std::uint64_t id = 0;  ///< the run id
  std::uint64_t sample = 0;
  std::uint32_t replicate = 0;
  std::string arm;  ///< the arm's name; empty without arms
  std::string column;
  std::string stored, recomputed;
};

// Compares re-evaluated batches with the stored rows on rank 0 (reads only).
class Comparison final : public ResultConsumer {
 public:
  Comparison(storage::CampaignStore& store, const CampaignConfig& config,
             std::size_t trajectory_values, std::uint64_t selected)
      : store_(store),
        config_(config),
        trajectory_values_(trajectory_values),
        selected_(selected),
        start_(Clock::now()),
        last_progress_(start_) {}

  void add(ResultBatch&& batch) override {
    const std::size_t np = config_.parameters.size();
    const std::size_t no = config_.outputs.size();
    std::map<std::uint32_t, const std::string*> errors;
    for (std::size_t e = 0; e < batch.error_rows.size(); ++e) {
      errors[batch.error_rows[e]] = &batch.error_texts[e];
    }
    for (std::size_t r = 0; r < batch.size(); ++r) {
      const std::uint64_t task = batch.tasks[r];
      const auto status = static_cast<models::EvalStatus>(batch.status[r]);
      if (status != models::EvalStatus::kOk) ++failed_;
      ++received_;
      Mismatch m;
      const storage::RunNumbering numbering = config_.numbering();
      m.id = task;
      m.sample = numbering.sample(task);
      m.replicate = numbering.replicate(task);
      if (!config_.arms.empty()) m.arm = config_.arms[numbering.arm(task)].name;
      const auto stored = store_.read_run(task);
      if (!stored) {
        m.column = "(row)";
        m.stored = "missing";
        m.recomputed = "present";
        record(std::move(m));
        continue;
      }
      const std::string recomputed_status = models::to_string(status);
      if (stored->block != batch.blocks[r]) {
        m.column = "block";
        m.stored = std::to_string(stored->block);
        m.recomputed = std::to_string(batch.blocks[r]);
      } else if (stored->status != recomputed_status) {
        m.column = "status";
        m.stored = stored->status + (stored->error.empty() ? "" : " (" + stored->error + ")");
        const auto e = errors.find(static_cast<std::uint32_t>(r));
        m.recomputed = recomputed_status + (e == errors.end() ? "" : " (" + *e->second + ")");
      } else if (stored->attempts != batch.attempts[r]) {
        m.column = "attempts";
        m.stored = std::to_string(stored->attempts);
        m.recomputed = std::to_string(batch.attempts[r]);
      } else {
        compare_values(*stored, batch, r, np, no, m);
      }
      if (!m.column.empty()) record(std::move(m));
    }
  }

  void commit() override {}

  void maybe_progress(bool force = false) override {
    if (!force && seconds_since(last_progress_) < config_.execution.progress_interval_s) return;
    last_progress_ = Clock::now();
    std::fprintf(stderr, "tmex: verified %llu/%llu runs, %llu differ\n",
                 static_cast<unsigned long long>(received_),
                 static_cast<unsigned long long>(selected_),
                 static_cast<unsigned long long>(mismatches_));
  }

  std::uint64_t received() const override { return received_; }
  std::uint64_t failed() const override { return failed_; }
  std::uint64_t mismatches() const { return mismatches_; }
  double elapsed_s() const { return seconds_since(start_); }
  /// The first kShownMismatches differences by sample and replicate (independent of the order
  /// in which ranks returned them).
  const std::map<std::uint64_t, Mismatch>& shown_mismatches() const { return shown_; }

 private:
  void compare_values(const storage::RunRecord& stored, const ResultBatch& batch, std::size_t r,
                      std::size_t np, std::size_t no, Mismatch& m) {
    for (std::size_t j = 0; j < np; ++j) {
      const double v = batch.parameters[r * np + j];
      if (!same_bits(stored.parameters[j], v)) {
        m.column = config_.parameters[j].name;
        m.stored = shown(stored.parameters[j]);
        m.recomputed = shown(as_stored(v));
        return;
      }
    }
    for (std::size_t j = 0; j < no; ++j) {
      const double v = batch.outputs[r * no + j];
      if (!same_bits(stored.outputs[j], v)) {
        m.column = config_.outputs[j];
        m.stored = shown(stored.outputs[j]);
        m.recomputed = shown(as_stored(v));
        return;
      }
    }
    // Trajectories are stored for successful runs only.
    if (trajectory_values_ == 0 || stored.status != "ok") return;
    const auto& vars = store_.meta().trajectory_variables;
    const auto& times = store_.meta().trajectory_times;
    for (std::size_t k = 0; k < trajectory_values_ && k < stored.trajectories.size(); ++k) {
      const double v = batch.trajectories[r * trajectory_values_ + k];
      if (!same_bits(stored.trajectories[k], v)) {
        m.column =
            fmt::format("trajectory {} at t = {}", vars[k / times.size()], times[k % times.size()]);
        m.stored = shown(stored.trajectories[k]);
        m.recomputed = shown(as_stored(v));
        return;
      }
    }
  }

  void record(Mismatch m) {
    ++mismatches_;
    const std::uint64_t id = m.id;
    shown_.emplace(id, std::move(m));
    if (shown_.size() > kShownMismatches) shown_.erase(std::prev(shown_.end()));
  }

  storage::CampaignStore& store_;
  const CampaignConfig& config_;
  std::size_t trajectory_values_;
  std::uint64_t selected_;
  std::uint64_t received_ = 0, failed_ = 0, mismatches_ = 0;
  std::map<std::uint64_t, Mismatch> shown_;
  Clock::time_point start_, last_progress_;
};

// The provenance value `key` of the newest session that has one, or "".
std::string stored_provenance(const storage::StoreStatus& status, const std::string& key) {
  for (auto s = status.sessions.rbegin(); s != status.sessions.rend(); ++s) {
    for (const auto& [k, v] : s->provenance) {
      if (k == key) return v;
    }
  }
  return "";
}

// Stage 1 on rank 0: opens the store read-only and finds the campaign's YAML (the store's, or
// --config for a store that does not hold it). `text.ok` is false, with `early_code`, when the
// input is wrong.
ConfigText open_store_and_config(const VerifyOptions& options,
                                 std::optional<storage::CampaignStore>& store, int& early_code) {
  ConfigText text;
  try {
    if (!std::filesystem::exists(options.db_path)) {
      throw UsageError("'" + options.db_path + "' does not exist");
    }
    store.emplace(storage::CampaignStore::open_read_only(options.db_path));
    if (!options.config_path.empty()) {
      text.yaml = read_config_file(options.config_path);
      text.source = options.config_path;
    } else if (!store->meta().config_yaml.empty()) {
      text.yaml = store->meta().config_yaml;
      text.source = store->meta().config_file;
    } else {
      throw UsageError(options.db_path +
                       ": the store holds no campaign configuration (it was "
                       "made by tmex " +
                       store->meta().tmex_version +
                       "); give the campaign's YAML with --config FILE");
    }
    text.design_algorithm_version = store->meta().design_algorithm_version;
    text.ok = true;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    early_code = kExitUsage;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    early_code = kExitUsage;
  } catch (const storage::StorageError& e) {
    // A missing, foreign, damaged or newer store: the input is wrong, nothing ran.
    std::fprintf(stderr, "tmex: storage error: %s\n", e.what());
    early_code = kExitUsage;
  }
  return text;
}

// Stage 3 on rank 0: checks that the rebuilt campaign is the stored one, then chooses the runs
// to re-evaluate. The message says whether to go on.
SetupMessage choose_runs(const VerifyOptions& options, const ConfigText& text,
                         const PreparedCampaign& prepared, storage::CampaignStore* store, int ranks,
                         std::unique_ptr<PendingTasks>& selection) {
  SetupMessage setup_msg;
  const std::shared_ptr<CampaignContext>& context = prepared.context;
  const CampaignConfig& config = context->config;
  double fraction = 0.0;
  std::uint64_t stored_runs = 0;
  storage::StoreStatus status;
  try {
    if (prepared.code == kExitUsage) throw ConfigError(prepared.error);
    if (prepared.code != kExitOk) throw std::runtime_error(prepared.error);
    const auto& meta = store->meta();
    if (const auto conflict =
            model_version_conflict(options.db_path, meta.model, meta.model_version, config)) {
      throw ConfigError(*conflict +
                        " tmex verify re-evaluates with the model this tmex has, so it cannot "
                        "check these runs.");
    }
    const auto diff = canonical_diff(meta.config, config.canonical());
    if (!diff.empty()) {
      std::string msg = options.db_path + ": " + text.source +
                        " does not describe the stored campaign with this tmex; differences "
                        "(stored -> rebuilt):";
      for (const auto& d : diff) msg += "\n  " + d;
      throw ConfigError(msg);
    }
    if (meta.design_algorithm_version != context->setup.design->algorithm_version()) {
      throw ConfigError(fmt::format(
          "{}: its design was built by design algorithm version {}, this tmex builds version {} "
          "(other points): verify with the tmex that made the store ({})",
          options.db_path, meta.design_algorithm_version,
          context->setup.design->algorithm_version(), meta.tmex_version));
    }
    std::vector<storage::IdRange> stored = store->stored_ranges();
    for (const auto& r : stored) stored_runs += r.end - r.begin;
    fraction = options.fraction.value_or(
        stored_runs == 0 ? 1.0 : std::clamp(1000.0 / static_cast<double>(stored_runs), 0.01, 1.0));
    selection = std::make_unique<SelectedStoredRuns>(std::move(stored), fraction, options.seed);
    status = store->status(0);
    const std::string stored_commit = stored_provenance(status, "tmex_commit");
    const std::string stored_by =
        meta.tmex_version + (stored_commit.empty() ? "" : " (" + stored_commit + ")");
    const std::string stored_model = stored_provenance(status, "model_version");
    const std::string model_now = model_version(context->setup.model());
    std::fprintf(stderr,
                 "tmex: verifying %llu of %llu stored runs of '%s' (fraction %g, seed %llu) on %d "
                 "rank%s; stored by tmex %s, checked by tmex %s (%s)\n",
                 static_cast<unsigned long long>(selection->total()),
                 static_cast<unsigned long long>(stored_runs), config.name.c_str(), fraction,
                 static_cast<unsigned long long>(options.seed), ranks, ranks == 1 ? "" : "s",
                 stored_by.c_str(), kVersion, build_info::kSourceCommit);
    if (!stored_model.empty() && stored_model != model_now) {
      std::fprintf(stderr,
                   "tmex: note: the runs were made by model %s, this tmex has %s; differences "
                   "are expected\n",
                   stored_model.c_str(), model_now.c_str());
    }
    if (selection->total() == 0) {
      setup_msg.nothing_to_do = true;
      std::fprintf(stderr, "tmex: no stored run selected%s; nothing to compare\n",
                   stored_runs == 0 ? " (the store holds none)" : "; raise --fraction");
    }
  } catch (const std::exception&) {
    setup_msg.code = report_setup_failure();
  }
  return setup_msg;
}

}  // namespace

int verify_campaign(const VerifyOptions& options) {
  mpi::environment env(mpi::threading::funneled, /*abort_on_exception=*/true);
  mpi::communicator world;
  install_stop_signal_handlers();
  std::vector<std::string> hosts;
  mpi::gather(world, env.processor_name(), hosts, 0);
  models::ModelRegistry registry;
  models::register_builtin_models(registry);

  // Stage 1: rank 0 opens the store (read-only) and sends every rank the campaign's YAML.
  ConfigText text;
  std::optional<storage::CampaignStore> store;
  int early_code = kExitOk;
  if (world.rank() == 0) text = open_store_and_config(options, store, early_code);
  mpi::broadcast(world, text, 0);
  if (!text.ok) return world.rank() == 0 ? early_code : kExitUsage;

  // Stage 2: every rank rebuilds the campaign at the same time.
  PreparedCampaign prepared = prepare_campaign(text, options.db_path, registry);

  if (world.rank() != 0) {
    SetupMessage setup_msg;
    mpi::broadcast(world, setup_msg, 0);
    if (setup_msg.code != kExitOk || setup_msg.nothing_to_do) return setup_msg.code;
    if (prepared.code != kExitOk) {
      std::fprintf(stderr, "tmex: rank %d: fatal: %s\n", world.rank(), prepared.error.c_str());
      env.abort(kExitError);
    }
    try {
      serve_as_worker(world, prepared.context);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tmex: rank %d: fatal: %s\n", world.rank(), e.what());
      env.abort(kExitError);
    }
    return kExitOk;
  }

  if (!prepared.note.empty()) std::fprintf(stderr, "tmex: note: %s\n", prepared.note.c_str());
  // Stage 3, rank 0: check that this is the stored campaign, then choose the runs.
  std::unique_ptr<PendingTasks> selection;
  std::shared_ptr<CampaignContext> context = prepared.context;
  const CampaignConfig& config = context->config;
  SetupMessage setup_msg =
      choose_runs(options, text, prepared, store ? &*store : nullptr, world.size(), selection);
  mpi::broadcast(world, setup_msg, 0);
  if (setup_msg.code != kExitOk || setup_msg.nothing_to_do) return setup_msg.code;

  const std::uint64_t selected = selection->total();
  ChunkScheduler sched(std::move(selection), config.execution.chunk_size,
                       std::max(1, world.size() - 1) * static_cast<int>(config.execution.per_rank),
                       0.2, config.execution.per_rank);
  const std::size_t trajectory_values = context->setup.model().info().trajectory_variables.size() *
                                        config.model_spec.trajectory_times.size();
  Comparison comparison(*store, config, trajectory_values, selected);
  DispatchOptions dispatch;  // no deadline, no failure limit: failed runs are compared too
  StopReason reason = StopReason::kNone;
  bool drain_timed_out = false;
  try {
    reason = world.size() == 1
                 ? dispatch_single(context, sched, comparison, dispatch)
                 : dispatch_master(world, config, sched, comparison, dispatch, drain_timed_out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    if (world.size() > 1) env.abort(kExitError);
    return kExitError;
  }
  for (const auto& [id, m] : comparison.shown_mismatches()) {
    const std::string arm = m.arm.empty() ? "" : " arm " + m.arm;
    std::fprintf(stderr,
                 "tmex: differs: sample %llu%s replicate %u: %s: stored %s, recomputed %s\n",
                 static_cast<unsigned long long>(m.sample), arm.c_str(), m.replicate,
                 m.column.c_str(), m.stored.c_str(), m.recomputed.c_str());
  }
  if (comparison.mismatches() > comparison.shown_mismatches().size()) {
    std::fprintf(stderr, "tmex: ... and %llu more runs differ\n",
                 static_cast<unsigned long long>(comparison.mismatches() -
                                                 comparison.shown_mismatches().size()));
  }
  const double el = comparison.elapsed_s();
  if (drain_timed_out) {
    std::fprintf(stderr, "tmex: some ranks did not answer within %.0f s; aborting them\n",
                 config.execution.drain_timeout_s);
    store.reset();
    env.abort(kExitError);
  }
  if (reason != StopReason::kComplete) {
    std::fprintf(stderr,
                 "tmex: verification interrupted after %llu of %llu runs (%llu differ so far)\n",
                 static_cast<unsigned long long>(comparison.received()),
                 static_cast<unsigned long long>(selected),
                 static_cast<unsigned long long>(comparison.mismatches()));
    return kExitError;
  }
  if (comparison.mismatches() > 0) {
    std::fprintf(stderr,
                 "tmex: %llu of %llu re-evaluated runs differ from the store (%.2f s); see the "
                 "README on what may legitimately differ between machines\n",
                 static_cast<unsigned long long>(comparison.mismatches()),
                 static_cast<unsigned long long>(comparison.received()), el);
    return kExitError;
  }
  std::fprintf(stderr,
               "tmex: identical: %llu re-evaluated runs (%llu failed ones among them) match the "
               "store bit for bit (%.2f s)\n",
               static_cast<unsigned long long>(comparison.received()),
               static_cast<unsigned long long>(comparison.failed()), el);
  return kExitOk;
}

}  // namespace tmex::driver
