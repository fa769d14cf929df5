// The campaign runner: rank 0 is the master (dispatch, store, progress, signals), the other
// ranks are workers; a single rank does both in one loop.
#include "driver/campaign_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/mpi.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <filesystem>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "driver/analysis_input.hpp"
#include "driver/checkpoint_monitor.hpp"
#include "driver/chunk_scheduler.hpp"
#include "driver/dispatch.hpp"
#include "driver/errors.hpp"
#include "driver/job_deadline.hpp"
#include "driver/provenance.hpp"
#include "driver/result_batch.hpp"
#include "driver/stop_signals.hpp"
#include "driver/task_evaluator.hpp"
#include "driver/version.hpp"
#include "models/model_registry.hpp"
#include "sampling/design_quality.hpp"
#include "storage/campaign_store.hpp"
#include "storage/run_reader.hpp"
#include "text/number_text.hpp"

namespace tmex::driver {

namespace mpi = boost::mpi;

namespace {

// Collects results on rank 0 and reports progress; a writer thread converts them to rows and
// commits them in batched transactions, so that receiving (and handing out work) overlaps with
// SQLite. The owning thread calls every public method; the store belongs to the writer thread
// from construction until stop() (or the destructor).
class ResultSink final : public ResultConsumer {
 public:
  /// `monitor` (a campaign that stops itself) sees every committed run, after its commit.
  ResultSink(storage::CampaignStore& store, const CampaignConfig& config,
             std::size_t trajectory_values, std::uint64_t pending_at_start,
             CheckpointMonitor* monitor = nullptr)
      : store_(store),
        config_(config),
        monitor_(monitor),
        trajectory_values_(trajectory_values),
        total_(config.total_runs()),
        stored_at_start_(total_ - pending_at_start),
        start_(Clock::now()),
        last_progress_(start_),
        writer_([this] { write_loop(); }) {}

  ~ResultSink() override { stop(); }
  ResultSink(const ResultSink&) = delete;
  ResultSink& operator=(const ResultSink&) = delete;

  /// Queues a batch for the writer; waits while the queue is full (bounded memory on rank 0).
  /// Throws the writer's error, if it had one.
  void add(ResultBatch&& batch) override {
    const std::size_t n = batch.size();
    if (n == 0) return;
    for (std::uint8_t s : batch.status) {
      if (s != static_cast<std::uint8_t>(models::EvalStatus::kOk)) ++failed_;
    }
    received_ += n;
    std::unique_lock lock(mutex_);
    space_cv_.wait(lock, [&] { return queued_rows_ < kMaxQueuedRows || error_ || stopping_; });
    rethrow_locked();
    queued_rows_ += n;
    queue_.push_back(std::move(batch));
    work_cv_.notify_one();
  }

  /// Returns when everything added so far is committed. Throws the writer's error.
  void commit() override {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = ++flush_requests_;
    work_cv_.notify_one();
    space_cv_.wait(lock, [&] { return flushes_done_ >= target || error_ || stopping_; });
    rethrow_locked();
  }

  std::uint64_t record_dispatch(const WorkChunk& chunk, int rank) override {
    std::lock_guard lock(mutex_);
    dispatched_.push_back({chunk.id, rank, chunk.ranges});
    work_cv_.notify_one();
    return ++tickets_issued_;
  }
  bool durable(std::uint64_t ticket) const override { return tickets_durable_.load() >= ticket; }
  void wait_durable(std::uint64_t ticket, double max_wait_s) override {
    std::unique_lock lock(mutex_);
    space_cv_.wait_for(lock, std::chrono::duration<double>(max_wait_s),
                       [&] { return durable(ticket) || error_ || stopping_; });
    rethrow_locked();
  }
  void record_finished(const std::vector<std::uint64_t>& chunks) override {
    if (chunks.empty()) return;
    std::lock_guard lock(mutex_);
    finished_.insert(finished_.end(), chunks.begin(), chunks.end());
    work_cv_.notify_one();
  }
  void check() override {
    if (!writer_failed_.load()) return;
    std::lock_guard lock(mutex_);
    rethrow_locked();
  }

  /// Queues a checkpoint's check for the store (any thread may call it). With `keep_runs_below`
  /// (the campaign converged), runs at and above it are never stored from now on and those
  /// stored go in the check's transaction.
  void record_check(storage::CheckRecord record, std::optional<std::uint64_t> keep_runs_below) {
    std::lock_guard lock(mutex_);
    checks_.push_back({std::move(record), keep_runs_below});
    work_cv_.notify_one();
  }
  /// Runs received but not kept because the campaign converged before them.
  std::uint64_t dropped() const { return dropped_.load(); }

  /// Ends the writer thread without committing what is still queued (after an error).
  void stop() noexcept {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_cv_.notify_one();
    space_cv_.notify_all();
    if (writer_.joinable()) writer_.join();
  }

  void maybe_progress(bool force = false) override {
    if (!force && seconds_since(last_progress_) < config_.execution.progress_interval_s) return;
    last_progress_ = Clock::now();
    const double el = seconds_since(start_);
    const double rate = el > 0 ? static_cast<double>(received_) / el : 0.0;
    const std::uint64_t done = stored_at_start_ + received_;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : -1.0;
    std::fprintf(stderr, "tmex: %llu/%llu runs (%.1f%%), %.4g runs/s, %llu failed, ETA %s\n",
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 100.0 * static_cast<double>(done) / static_cast<double>(total_), rate,
                 static_cast<unsigned long long>(failed_), format_duration(eta).c_str());
  }

  std::uint64_t received() const override { return received_; }
  std::uint64_t committed() const { return committed_.load(); }
  std::uint64_t failed() const override { return failed_; }
  double elapsed_s() const { return seconds_since(start_); }

 private:
  static constexpr std::size_t kCommitRows = 20000;
  // Rows waiting for the writer; beyond this the receiving thread waits (the workers' sends
  // then wait in MPI, and memory stays bounded).
  static constexpr std::size_t kMaxQueuedRows = 4 * 65536;

  void rethrow_locked() {
    if (error_) std::rethrow_exception(error_);
  }

  void write_loop() {
    std::vector<storage::RunRecord> buffer;
    std::deque<ResultBatch> taken;
    auto last_commit = Clock::now();
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(config_.execution.commit_interval_s));
    std::vector<storage::InFlightChunk> dispatched;
    std::vector<std::uint64_t> finished;
    std::vector<PendingCheck> checks;
    // The runs the first incomplete checkpoint lacks, and how many of them the buffer holds.
    CheckpointMonitor::Missing watch =
        monitor_ ? monitor_->first_incomplete() : CheckpointMonitor::Missing{};
    std::uint64_t watch_buffered = 0;
    const storage::RunNumbering numbering = config_.numbering();
    std::unique_lock lock(mutex_);
    while (true) {
      work_cv_.wait_until(lock, last_commit + interval, [&] {
        return stopping_ || !queue_.empty() || flush_requests_ > flushes_done_ ||
               !dispatched_.empty() || !finished_.empty() || !checks_.empty();
      });
      if (stopping_) return;
      const std::uint64_t flush_target = flush_requests_;
      taken.swap(queue_);
      dispatched.swap(dispatched_);
      finished.swap(finished_);
      checks.swap(checks_);
      const std::uint64_t tickets = tickets_issued_;
      lock.unlock();
      try {
        if (!dispatched.empty() || !finished.empty()) {
          // Before results: a chunk waits for its record before it is sent.
          store_.update_in_flight(dispatched, finished);
          dispatched.clear();
          finished.clear();
        }
        if (tickets > tickets_durable_.load()) {
          tickets_durable_ = tickets;
          std::lock_guard notify_lock(mutex_);
          space_cv_.notify_all();
        }
        // A convergence: from here on nothing at or beyond its checkpoint is stored.
        for (const PendingCheck& c : checks) {
          if (c.keep_runs_below) keep_below_ = std::min(keep_below_, *c.keep_runs_below);
        }
        for (const ResultBatch& batch : taken) {
          auto records = to_records(batch, config_, trajectory_values_);
          for (const storage::RunRecord& r : records) {
            const std::uint64_t task = numbering.id(r.sample, r.arm, r.replicate);
            if (task >= watch.begin && task < watch.end) ++watch_buffered;
          }
          std::move(records.begin(), records.end(), std::back_inserter(buffer));
        }
        if (keep_below_ != kKeepAll) {
          dropped_ += std::erase_if(buffer, [&](const storage::RunRecord& r) {
            return numbering.id(r.sample, r.arm, r.replicate) >= keep_below_;
          });
        }
        // The buffer completes a checkpoint: commit now, its check should not wait.
        const bool completes = monitor_ && watch.missing > 0 && watch_buffered >= watch.missing;
        const bool flush = flush_target > flushes_done_;
        if (!buffer.empty() &&
            (flush || buffer.size() >= kCommitRows || Clock::now() - last_commit >= interval ||
             !checks.empty() || completes)) {
          store_.append(buffer);
          committed_ += buffer.size();
          // After the commit: a checkpoint is complete when its runs are durable.
          if (monitor_) {
            monitor_->committed(buffer);
            watch = monitor_->first_incomplete();
            watch_buffered = 0;
          }
          buffer.clear();
        }
        if (buffer.empty()) last_commit = Clock::now();
        for (PendingCheck& c : checks) {
          dropped_ += store_.record_check(c.record, c.keep_runs_below);
        }
        checks.clear();
      } catch (...) {
        lock.lock();
        error_ = std::current_exception();
        writer_failed_ = true;
        space_cv_.notify_all();
        return;
      }
      std::size_t rows = 0;
      for (const ResultBatch& batch : taken) rows += batch.size();
      taken.clear();
      lock.lock();
      queued_rows_ -= rows;
      if (flush_target > flushes_done_) flushes_done_ = flush_target;
      space_cv_.notify_all();
    }
  }

  struct PendingCheck {
    storage::CheckRecord record;
    std::optional<std::uint64_t> keep_runs_below;
  };
  static constexpr std::uint64_t kKeepAll = std::numeric_limits<std::uint64_t>::max();

  storage::CampaignStore& store_;
  const CampaignConfig& config_;
  CheckpointMonitor* monitor_;
  std::uint64_t keep_below_ = kKeepAll;  // writer thread
  std::atomic<std::uint64_t> dropped_{0};
  std::size_t trajectory_values_;
  std::uint64_t total_;
  std::uint64_t stored_at_start_;
  std::uint64_t received_ = 0, failed_ = 0;  // owner thread
  std::atomic<std::uint64_t> committed_{0};  // written by the writer thread
  Clock::time_point start_, last_progress_;

  std::mutex mutex_;                  // guards what follows
  std::condition_variable work_cv_;   // the writer waits for batches or a flush request
  std::condition_variable space_cv_;  // the owner waits for queue space or a finished flush
  std::deque<ResultBatch> queue_;
  std::vector<storage::InFlightChunk> dispatched_;  // in-flight records to add
  std::vector<std::uint64_t> finished_;             // and to remove
  std::vector<PendingCheck> checks_;                // checkpoint checks to record
  std::uint64_t tickets_issued_ = 0;
  std::atomic<std::uint64_t> tickets_durable_{0};
  std::atomic<bool> writer_failed_{false};  // error_ is set
  std::size_t queued_rows_ = 0;
  std::uint64_t flush_requests_ = 0, flushes_done_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread writer_;  // last: starts after everything it uses is initialised
};

std::size_t trajectory_value_count(const CampaignSetup& setup, const CampaignConfig& config) {
  return setup.model().info().trajectory_variables.size() *
         config.model_spec.trajectory_times.size();
}

// A store made by another version of the campaign's model is refused with a message naming
// both versions.
void refuse_other_model_version(const CampaignConfig& config, const storage::CampaignMeta& stored) {
  if (const auto conflict =
          model_version_conflict(config.storage_path, stored.model, stored.model_version, config)) {
    throw ConfigError(*conflict);
  }
}

// What the store records of the campaign `text` describes (everything but the design quality,
// which only a new store needs: add_design_quality).
storage::CampaignMeta make_meta(const CampaignConfig& config, const CampaignSetup& setup,
                                const ConfigText& text) {
  storage::CampaignMeta m;
  m.name = config.name;
  m.seed = config.seed;
  m.samples = setup.design->size();
  m.replicates = config.replicates;
  m.design = setup.design->describe();
  m.layout = {config.design_spec.method, setup.design->group_size()};
  m.model = config.model_name;
  m.model_version = config.model_version;
  for (const auto& p : config.parameters) {
    storage::ParameterColumn column;
    column.name = p.name;
    column.distribution = p.distribution.describe();
    column.kind = p.distribution.kind_name();
    const auto names = p.distribution.parameter_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
      column.arguments.push_back({names[i], p.distribution.params()[i]});
    }
    column.dummy =
        std::find(config.dummies.begin(), config.dummies.end(), p.name) != config.dummies.end();
    m.parameters.push_back(std::move(column));
  }
  m.outputs = config.outputs;
  for (const auto& o : config.outputs) {
    const auto& info = setup.model().info();
    m.output_better.push_back(models::to_string(info.outputs[*info.output_index(o)].better));
  }
  for (const auto& a : config.arms) m.arms.push_back({a.name, a.overrides()});
  if (!config.model_spec.trajectory_times.empty()) {
    m.trajectory_variables = setup.model().info().trajectory_variables;
    m.trajectory_times = config.model_spec.trajectory_times;
  }
  m.config = config.canonical();
  m.config_hash = fnv1a_hex(m.config);
  m.tmex_version = kVersion;
  m.config_yaml = text.yaml;
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(text.source, ec);
  m.config_file = ec ? text.source : absolute.lexically_normal().string();
  m.design_algorithm_version = setup.design->algorithm_version();
  return m;
}

// The leading points of a design: its first checkpoint, for a campaign that stops itself.
class LeadingPoints final : public sampling::Design {
 public:
  LeadingPoints(const sampling::Design& design, std::uint64_t n) : design_(design), n_(n) {}
  std::uint64_t size() const override { return n_; }
  std::size_t dimension() const override { return design_.dimension(); }
  void unit_point(std::uint64_t i, std::span<double> unit) const override {
    design_.unit_point(i, unit);
  }
  std::string describe() const override { return design_.describe(); }

 private:
  const sampling::Design& design_;
  std::uint64_t n_;
};

// Design quality for a new store's metadata, on a bounded subset of a large design
// (sampling::QualityBudget: 1000 points for distance and discrepancy, 20,000 for the rank
// correlation unless the design knows it exactly), so that it costs milliseconds at any size.
void add_design_quality(storage::CampaignMeta& m, const CampaignConfig& config,
                        const sampling::Design& whole) {
  // A campaign that stops itself is measured on its first checkpoint: the points it always
  // runs (and the later blocks of a decorrelated nested design are not built for it).
  std::optional<LeadingPoints> first;
  if (config.convergence) {
    first.emplace(whole, config.convergence->checkpoint_size(0) * config.design->group_size());
  }
  const sampling::Design& design = first ? *first : whole;
  if (design.size() < 2) return;
  const auto q = sampling::measure_quality(design, {.seed = config.seed});
  if (first) m.extra.emplace_back("design_quality_checkpoint", "0");
  m.extra.emplace_back("design_min_distance",
                       text::format_number(q.min_distance, text::NumberStyle::kExact));
  m.extra.emplace_back("design_centred_l2_discrepancy",
                       text::format_number(q.centred_l2_discrepancy, text::NumberStyle::kExact));
  m.extra.emplace_back("design_max_abs_rank_correlation",
                       text::format_number(q.max_abs_rank_correlation, text::NumberStyle::kExact));
  m.extra.emplace_back("design_quality_points", std::to_string(q.points_used));
  m.extra.emplace_back("design_correlation_points", std::to_string(q.correlation_points_used));
}

// True when `config` enlarges the stored campaign by design.extend_from: the only differences
// are the sample count and the design, and the stored design is exactly the one extended.
bool extends_stored_campaign(const CampaignConfig& config, const storage::CampaignMeta& stored,
                             const std::vector<std::string>& diff) {
  const auto& spec = config.design_spec;
  if (!spec.extend_from || *spec.extend_from != stored.samples) return false;
  for (const auto& d : diff) {
    if (d.rfind("campaign.samples: ", 0) != 0 && d.rfind("design: ", 0) != 0) return false;
  }
  sampling::DesignSpec original = spec;
  original.samples = *spec.extend_from;
  original.extend_from.reset();
  return sampling::make_design(original, config.parameters.size())->describe() == stored.design;
}

std::string joined_hosts(const std::vector<std::string>& names) {
  std::set<std::string> unique(names.begin(), names.end());
  std::string out;
  for (const auto& h : unique) out += (out.empty() ? "" : ",") + h;
  return out;
}

// The design algorithm version of the store the config's campaign goes to, or 0 when there is
// none yet or it cannot be read (stage 3 then reports why). A peek: the file is only read.
int stored_design_algorithm_version(const ConfigText& text, const std::string& db_override) {
  if (!text.ok) return 0;
  try {
    std::string path = db_override;
    if (path.empty()) {
      models::ModelRegistry registry;
      models::register_builtin_models(registry);
      path = parse_campaign_config(text.yaml, text.source, registry).storage_path;
    }
    if (!std::filesystem::exists(path)) return 0;
    return storage::CampaignStore::open_read_only(path).meta().design_algorithm_version;
  } catch (const std::exception&) {
    return 0;
  }
}

// Why a store whose design another design algorithm built is not resumed.
std::string design_algorithm_mismatch(const std::string& path, const storage::CampaignMeta& stored,
                                      const storage::CampaignMeta& current) {
  return path + ": its design was built by design algorithm version " +
         std::to_string(stored.design_algorithm_version) + " (tmex " + stored.tmex_version +
         "), which this tmex does not build (its version is " +
         std::to_string(current.design_algorithm_version) +
         " and gives other points). Resuming would mix two designs: finish the campaign with "
         "tmex " +
         stored.tmex_version + ", or start a new store (--db)";
}

// Stores the runs that were in flight when two sessions died (the last time alone) with
// status `crashed`, so that they stop killing every resume.
void store_crashed_runs(storage::CampaignStore& store, const CampaignContext& context,
                        const std::vector<storage::QuarantinedTask>& crashed) {
  TaskEvaluator recorder(context.config, context.setup, 0);
  ResultBatch batch;
  for (const auto& q : crashed) {
    recorder.record_failure(
        q.task, models::EvalStatus::kCrashed,
        "the process evaluating it died each time it ran (sessions " + q.sessions +
            ", the last time with nothing else running): a crash in the model (segmentation "
            "fault, abort, out of memory, SIGKILL) or of its node; `tmex run --retry-crashed` "
            "runs it again",
        0.0, batch);
  }
  store.append(
      to_records(batch, context.config, trajectory_value_count(context.setup, context.config)));
  std::fprintf(
      stderr,
      "tmex: %zu run%s in flight when two sessions died (the last time alone): stored "
      "with status 'crashed' (e.g. sample %llu); `tmex run --retry-crashed` runs them "
      "again\n",
      crashed.size(), crashed.size() == 1 ? " was" : "s were",
      static_cast<unsigned long long>(context.config.numbering().sample(crashed.front().task)));
}

// Sorted, disjoint ranges of `stored` and `tasks` together (quarantined tasks are kept out of
// the ordinary walk as if stored).
std::vector<storage::IdRange> with_tasks(std::vector<storage::IdRange> stored,
                                         const std::vector<std::uint64_t>& tasks) {
  for (std::uint64_t t : tasks) stored.push_back({t, t + 1});
  std::sort(stored.begin(), stored.end(),
            [](const storage::IdRange& a, const storage::IdRange& b) { return a.begin < b.begin; });
  std::vector<storage::IdRange> out;
  for (const auto& r : stored) {
    if (!out.empty() && r.begin <= out.back().end) {
      out.back().end = std::max(out.back().end, r.end);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Stage 1: rank 0 reads the file (and the design algorithm version an existing store holds);
// every rank receives its text.
ConfigText broadcast_config_text(mpi::communicator& world, const RunOptions& options) {
  ConfigText text;
  if (world.rank() == 0) {
    try {
      text.yaml = read_config_file(options.config_path);
      text.source = options.config_path;
      text.ok = true;
    } catch (const ConfigError& e) {
      std::fprintf(stderr, "tmex: error: %s\n", e.what());
    }
    text.design_algorithm_version = stored_design_algorithm_version(text, options.db_override);
  }
  mpi::broadcast(world, text, 0);
  return text;
}

// A worker rank after stage 2: waits for rank 0's verdict on the store, then evaluates.
int run_worker_rank(mpi::environment& env, mpi::communicator& world,
                    const PreparedCampaign& prepared) {
  SetupMessage setup_msg;
  mpi::broadcast(world, setup_msg, 0);
  if (setup_msg.code != kExitOk || setup_msg.nothing_to_do) return setup_msg.code;
  // Stage 4 (see rank 0): start the evaluation threads, or say why not and stop everyone.
  std::optional<EvaluationEngine> engine;
  std::string error = prepared.error;
  if (prepared.code == kExitOk) {
    try {
      const ExecutionConfig& ex = prepared.context->config.execution;
      engine.emplace(prepared.context, world.rank(), static_cast<int>(ex.per_rank),
                     watchdog_seconds(ex));
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  if (!engine) {
    // Rank 0 accepted what this rank could not build (a file missing on this node, say).
    std::fprintf(stderr, "tmex: rank %d: fatal: %s\n", world.rank(), error.c_str());
  }
  if (!ready_everywhere(world, engine.has_value())) return kExitError;
  try {
    serve_as_worker(world, *engine);
  } catch (const std::exception& e) {
    // Workers never unwind across pending communication: report and abort the job.
    std::fprintf(stderr, "tmex: rank %d: fatal: %s\n", world.rank(), e.what());
    env.abort(kExitError);
  }
  return kExitOk;
}

// What rank 0's stage 3 hands to the dispatch.
struct MasterStart {
  std::unique_ptr<PendingTasks> pending;
  std::vector<std::uint64_t> alone;  ///< quarantined runs, run alone first
  std::int64_t session = 0;
  std::vector<storage::CheckRecord> checks;  ///< a campaign that stops itself: recorded checks
};

// Why a campaign that stopped itself is complete, in words.
std::string convergence_outcome(const CampaignConfig& config, const storage::CheckRecord& check) {
  if (check.decision == "converged") {
    return fmt::format("it converged at checkpoint {} ({} {})", check.checkpoint, check.samples,
                       checkpoint_unit(config));
  }
  return fmt::format(
      "it reached campaign.samples ({} {}, checkpoint {}) without converging ({}); to go on from "
      "there, raise campaign.samples (to {}, ...) and run it again on this store",
      check.samples, checkpoint_unit(config), check.checkpoint, check.summary, 2 * check.samples);
}

// Rank 0, stage 3: opens or creates the store (or refuses a store of another campaign, before
// anything in it changes) before any worker starts evaluating, turns what dead sessions had in
// flight into the quarantine, finds what is left to do and begins the session. The message says
// whether to go on.
SetupMessage open_master_store(const RunOptions& options, const ConfigText& text,
                               const PreparedCampaign& prepared, storage::SessionInfo& info,
                               const std::vector<std::string>& hosts,
                               std::optional<storage::CampaignStore>& store, MasterStart& start) {
  SetupMessage setup_msg;
  const std::shared_ptr<CampaignContext>& context = prepared.context;
  CampaignConfig& config = context->config;
  try {
    if (prepared.code == kExitUsage) throw ConfigError(prepared.error);
    if (prepared.code != kExitOk) throw std::runtime_error(prepared.error);
    // Here, on rank 0 only: the store's folder exists where rank 0 runs, not necessarily on
    // every node.
    check_store_path(config, !options.db_override.empty());
    storage::CampaignMeta meta = make_meta(config, context->setup, text);
    std::error_code ec;
    if (!std::filesystem::exists(config.storage_path, ec) ||
        std::filesystem::file_size(config.storage_path, ec) == 0) {
      // Only a new store needs it (an empty file is built into one).
      add_design_quality(meta, config, *context->setup.design);
    }
    auto check_stored = [&](const storage::CampaignMeta& stored) {
      refuse_other_model_version(config, stored);
      const auto diff = canonical_diff(stored.config, meta.config);
      if (!diff.empty() && (extends_stored_campaign(config, stored, diff) ||
                            convergence_change(config, stored, diff))) {
        return;
      }
      if (!diff.empty()) {
        std::string msg = config.storage_path +
                          ": holds a campaign with a different configuration; refusing to mix "
                          "results. Differences (stored -> " +
                          options.config_path + "):";
        for (const auto& d : diff) msg += "\n  " + d;
        msg += "\nUse another --db (or storage.path) to start a new campaign.";
        throw ConfigError(msg);
      }
      if (stored.design_algorithm_version != meta.design_algorithm_version) {
        // prepare_campaign built the store's version where this tmex has it; here it has not.
        throw ConfigError(design_algorithm_mismatch(config.storage_path, stored, meta));
      }
    };
    bool created = false;
    try {
      store.emplace(
          storage::CampaignStore::open_or_create(config.storage_path, meta, created, check_stored));
    } catch (const storage::StorageError&) {
      // Where the store's schema alone refuses it (every store of emdr version 1 has schema 1),
      // a store of another model version is still named as such.
      std::optional<storage::CampaignMeta> stored;
      try {
        stored = storage::CampaignStore::open_read_only(config.storage_path).meta();
      } catch (const storage::StorageError&) {
        // Not readable either: the first error says why.
      }
      if (stored) refuse_other_model_version(config, *stored);
      throw;
    }
    if (const auto diff = canonical_diff(store->meta().config, meta.config);
        !created && !diff.empty()) {
      if (const auto change = convergence_change(config, store->meta(), diff)) {
        // Other criteria: every check is made again from the stored runs. A higher cap: the
        // check that stopped the campaign at the old one is made again (the campaign goes on).
        const auto checks = store->checks();
        int forget = static_cast<int>(checks.size());
        if (change->criteria) {
          forget = 0;
        } else if (!checks.empty() && checks.back().decision == "cap") {
          forget = checks.back().checkpoint;
        }
        std::string what;
        for (const auto& d : diff) {
          if (d.rfind("design: ", 0) != 0) what += (what.empty() ? "" : "; ") + d;
        }
        std::fprintf(stderr, "tmex: campaign '%s' changed (%s): %s\n", config.name.c_str(),
                     what.c_str(),
                     change->criteria ? "its checkpoints are checked again from the stored runs"
                                      : "it goes on from its last checkpoint");
        store->change_convergence(meta, forget);
      } else {
        std::fprintf(stderr, "tmex: extending campaign '%s' from %llu to %llu samples\n",
                     config.name.c_str(), static_cast<unsigned long long>(store->meta().samples),
                     static_cast<unsigned long long>(meta.samples));
        store->extend(meta);
      }
    }
    // The crash quarantine: what was in flight when earlier sessions died.
    std::vector<storage::QuarantinedTask> quarantine = store->recover_in_flight();
    if (options.retry_crashed) {
      const auto n = store->retry_crashed();
      std::fprintf(stderr, "tmex: --retry-crashed: %lld run%s stored as crashed will run again\n",
                   static_cast<long long>(n), n == 1 ? "" : "s");
      // Again: retry_crashed also set back runs whose second crash was just recovered.
      quarantine = store->recover_in_flight();
    }
    std::vector<storage::QuarantinedTask> crashed;
    for (const auto& q : quarantine) {
      if (q.task >= config.total_runs()) continue;
      if (q.crashes >= 2) {
        crashed.push_back(q);
      } else {
        start.alone.push_back(q.task);
      }
    }
    std::vector<std::uint64_t> set_aside = start.alone;
    for (const auto& q : crashed) set_aside.push_back(q.task);
    start.pending = std::make_unique<UnstoredTasks>(config.total_runs(),
                                                    with_tasks(store->stored_ranges(), set_aside));
    std::optional<storage::CheckRecord> ended;
    if (config.convergence) {
      start.checks = store->checks();
      ended = final_check(start.checks);
    }
    // A campaign that stops itself is complete when a check ended it (not when every run is
    // stored: the last checks may be missing after a crash).
    if (config.convergence ? ended.has_value() : start.pending->total() == 0 && set_aside.empty()) {
      setup_msg.nothing_to_do = true;
      const auto s = store->status(0);
      std::fprintf(stderr,
                   "tmex: campaign '%s' is complete%s: %lld runs stored (%lld failed) in '%s'; "
                   "nothing to do\n",
                   config.name.c_str(),
                   ended ? (": " + convergence_outcome(config, *ended)).c_str() : "",
                   static_cast<long long>(s.stored), static_cast<long long>(s.failed),
                   config.storage_path.c_str());
    } else {
      // Before any worker starts: a store that cannot record the session stops everyone here,
      // cleanly, with nothing left running.
      info.provenance = collect_provenance(context->setup.model(), hosts);
      start.session = store->begin_session(info);
      if (!crashed.empty()) store_crashed_runs(*store, *context, crashed);
      if (!start.alone.empty()) {
        std::fprintf(stderr,
                     "tmex: quarantine: %zu run%s in flight when an earlier session died; "
                     "%s first, one at a time, with nothing else running\n",
                     start.alone.size(), start.alone.size() == 1 ? " was" : "s were",
                     start.alone.size() == 1 ? "it runs" : "they run");
      }
    }
  } catch (const std::exception&) {
    setup_msg.code = report_setup_failure();
  }
  return setup_msg;
}

// Rank 0 after the session: the summary line, why it stopped, and the exit status (a drain that
// timed out aborts the workers that did not answer).
int finish_session(mpi::environment& env, StopReason reason, bool drain_timed_out, ResultSink& sink,
                   std::optional<storage::CampaignStore>& store, const CampaignConfig& config,
                   double setup_cpu_s, double setup_wall_s, const CheckpointMonitor* monitor) {
  sink.maybe_progress(/*force=*/true);
  const double el = sink.elapsed_s();
  if (monitor) {
    if (const auto ended = monitor->final_check()) {
      std::fprintf(
          stderr, "tmex: campaign '%s' is complete: %s; %llu runs kept%s\n", config.name.c_str(),
          convergence_outcome(config, *ended).c_str(), static_cast<unsigned long long>(ended->runs),
          sink.dropped() > 0
              ? fmt::format(" ({} computed beyond the checkpoint were dropped)", sink.dropped())
                    .c_str()
              : "");
    }
    std::fprintf(stderr,
                 "tmex: checkpoint analyses: %d this session, %.3f s CPU and %.3f s wall on rank "
                 "0's analysis thread (%.2f%% of the session's %.2f s)\n",
                 monitor->checks_made(), monitor->analysis_cpu_s(), monitor->analysis_wall_s(),
                 el > 0 ? 100.0 * monitor->analysis_cpu_s() / el : 0.0, el);
  }
  std::fprintf(stderr,
               "tmex: %s: %llu runs stored this session (%llu failed) in %.2f s (%.4g runs/s), "
               "master CPU %.2f s (+%.2f s start-up, %.3f s wall), peak RSS %.0f MB\n",
               outcome_name(reason), static_cast<unsigned long long>(sink.committed()),
               static_cast<unsigned long long>(sink.failed()), el,
               el > 0 ? static_cast<double>(sink.committed()) / el : 0.0,
               process_cpu_s() - setup_cpu_s, setup_cpu_s, setup_wall_s, peak_rss_mb());
  if (reason == StopReason::kFailureLimit) {
    const auto s = store->status(3);
    std::string top;
    if (!s.failures.empty()) {
      top = "; most common: " + s.failures[0].status + " '" + s.failures[0].reason + "' (" +
            std::to_string(s.failures[0].count) + " runs, e.g. sample " +
            std::to_string(
                s.failures[0].example_samples.empty() ? 0 : s.failures[0].example_samples[0]) +
            ")";
    }
    std::fprintf(stderr,
                 "tmex: stopped: %llu of %llu evaluations failed this session, more than "
                 "execution.max_failure_fraction = %g%s. Fix the model or its ranges (tmex status "
                 "shows every reason), or raise the limit.\n",
                 static_cast<unsigned long long>(sink.failed()),
                 static_cast<unsigned long long>(sink.received()),
                 config.execution.max_failure_fraction, top.c_str());
  } else if (reason != StopReason::kComplete && reason != StopReason::kConverged) {
    std::fprintf(stderr,
                 "tmex: interrupted (%s); everything received is committed. Run the same command "
                 "again to resume.\n",
                 reason == StopReason::kDeadline ? "time limit" : "signal");
  }
  if (drain_timed_out) {
    std::fprintf(stderr,
                 "tmex: some workers did not answer within %.0f s; aborting them (their runs "
                 "will be redone on resume)\n",
                 config.execution.drain_timeout_s);
    store.reset();
    env.abort(kExitInterrupted);
  }
  switch (reason) {
    case StopReason::kComplete:
    case StopReason::kConverged:
      return kExitOk;
    case StopReason::kFailureLimit:
      return kExitFailureLimit;
    default:
      return kExitInterrupted;
  }
}

}  // namespace

bool needs_hard_exit() { return evaluations_abandoned(); }

int run_campaign(const RunOptions& options) {
  const auto entered = Clock::now();
  // Only the main thread of each rank calls MPI; evaluation threads never do.
  mpi::environment env(mpi::threading::funneled, /*abort_on_exception=*/true);
  mpi::communicator world;
  const auto mpi_started = Clock::now();
  install_stop_signal_handlers();
  // Only rank 0 decides when to stop; it alone asks SLURM for the job's end time.
  const double stop_after_s =
      world.rank() == 0
          ? resolve_stop_after_s(options.stop_after_s, options.deadline, options.deadline_margin_s,
                                 options.read_slurm_end_time)
          : 0.0;
  const auto deadline = steady_deadline_after(stop_after_s);

  std::vector<std::string> hosts;
  mpi::gather(world, env.processor_name(), hosts, 0);

  models::ModelRegistry registry;
  models::register_builtin_models(registry);

  const ConfigText text = broadcast_config_text(world, options);
  if (!text.ok) return kExitUsage;

  // Stage 2: every rank parses the same text and builds the model and the design at the same
  // time (a materialised design can take a while), in the version an existing store was built
  // with; only rank 0 reports what is wrong.
  PreparedCampaign prepared = prepare_campaign(text, options.db_override, registry);

  if (world.rank() != 0) return run_worker_rank(env, world, prepared);

  if (!prepared.note.empty()) std::fprintf(stderr, "tmex: note: %s\n", prepared.note.c_str());
  // Stage 3, rank 0: open or create the store before any worker starts evaluating.
  std::optional<storage::CampaignStore> store;
  std::shared_ptr<CampaignContext> context = prepared.context;
  CampaignConfig& config = context->config;
  storage::SessionInfo info;
  info.ranks = world.size();
  info.hosts = joined_hosts(hosts);
  info.command = options.command_line;
  info.slurm_job_id = env_or_empty("SLURM_JOB_ID");
  info.slurm_array_task_id = env_or_empty("SLURM_ARRAY_TASK_ID");
  info.slurm_array_job_id = env_or_empty("SLURM_ARRAY_JOB_ID");
  MasterStart start;
  SetupMessage setup_msg = open_master_store(options, text, prepared, info, hosts, store, start);
  mpi::broadcast(world, setup_msg, 0);
  if (setup_msg.code != kExitOk || setup_msg.nothing_to_do) return setup_msg.code;
  const std::int64_t session = start.session;

  // Stage 4: every evaluating rank starts its threads; if one cannot, everyone stops here.
  std::optional<EvaluationEngine> engine;
  std::string engine_error;
  if (world.size() == 1) {
    try {
      engine.emplace(context, 0, static_cast<int>(config.execution.per_rank),
                     watchdog_seconds(config.execution));
    } catch (const std::exception& e) {
      engine_error = e.what();
    }
  }
  if (!ready_everywhere(world, world.size() > 1 || engine.has_value())) {
    std::fprintf(stderr, "tmex: error: %s\n",
                 engine_error.empty() ? "a rank could not start (its message is above)"
                                      : engine_error.c_str());
    try {
      store->end_session(session, "failed");
    } catch (const std::exception&) {
      // The store is failing as well: the session reads crashed to the next run.
    }
    return kExitError;
  }

  const std::uint64_t pending_runs = start.pending->total() + start.alone.size();
  ChunkScheduler sched(std::move(start.pending), config.execution.chunk_size,
                       std::max(1, world.size() - 1) * static_cast<int>(config.execution.per_rank),
                       0.2, config.execution.per_rank, std::move(start.alone));
  const double setup_cpu_s = process_cpu_s();  // rank 0's CPU before dispatch
  // Rank 0's wall time from MPI's start to the first work message.
  const double setup_wall_s = seconds_since(mpi_started);
  std::fprintf(stderr,
               "tmex: campaign '%s': %llu of %llu runs to do on %d rank%s -> %s (start-up "
               "%.3f s, after %.2f s starting MPI)\n",
               config.name.c_str(), static_cast<unsigned long long>(pending_runs),
               static_cast<unsigned long long>(config.total_runs()), world.size(),
               world.size() == 1 ? "" : "s", config.storage_path.c_str(), setup_wall_s,
               std::chrono::duration<double>(mpi_started - entered).count());

  // A campaign that stops itself: its checkpoints' runs in memory and the analysis thread. The
  // analysis thread records through the sink, and the sink's writer feeds the monitor: the
  // monitor's thread ends first (monitor_stop), the monitor itself after the sink.
  std::unique_ptr<CheckpointMonitor> monitor;
  ResultSink* recording_sink = nullptr;
  if (config.convergence) {
    try {
      monitor = std::make_unique<CheckpointMonitor>(
          config, campaign_info(store->meta(), config.storage_path), start.checks,
          [&recording_sink](storage::CheckRecord r, std::optional<std::uint64_t> keep) {
            recording_sink->record_check(std::move(r), keep);
          });
      monitor->load(storage::read_run_columns(*store, monitor->columns()));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tmex: error: %s\n", e.what());
      store->end_session(session, "failed");
      if (world.size() > 1) env.abort(kExitError);
      return kExitError;
    }
  }
  ResultSink sink(*store, config, trajectory_value_count(context->setup, config), pending_runs,
                  monitor.get());
  struct MonitorStop {
    CheckpointMonitor* monitor;
    ~MonitorStop() {
      if (monitor) monitor->stop();
    }
  } monitor_stop{monitor.get()};
  recording_sink = &sink;
  if (monitor) monitor->start();
  DispatchOptions dispatch;
  dispatch.deadline = deadline;
  dispatch.max_failure_fraction = config.execution.max_failure_fraction;
  dispatch.gate = monitor.get();
  StopReason reason = StopReason::kNone;
  bool drain_timed_out = false;
  try {
    reason = world.size() == 1
                 ? dispatch_single(*engine, sched, sink, dispatch)
                 : dispatch_master(world, config, sched, sink, dispatch, drain_timed_out);
    sink.commit();
    if (monitor) {
      // Every run is committed: the checks of the checkpoints they completed come first.
      if (reason == StopReason::kComplete || reason == StopReason::kConverged) {
        monitor->wait_settled();
        monitor->check();
      }
      monitor->stop();
      sink.commit();  // the checks it recorded
    }
    sink.stop();  // the store is the main thread's again
    store->end_session(session, outcome_name(reason));
  } catch (const std::exception& e) {
    if (dynamic_cast<const storage::StorageError*>(&e)) {
      std::fprintf(stderr,
                   "tmex: storage error: %s\ntmex: every run committed before this error is "
                   "intact; fix the cause (disk space, permissions) and run the same command to "
                   "resume.\n",
                   e.what());
    } else {
      std::fprintf(stderr, "tmex: error: %s\n", e.what());
    }
    if (monitor) monitor->stop();
    sink.stop();
    try {
      store->end_session(session, "failed");
    } catch (...) {
      // The store is failing (disk full, I/O error): what was committed stays committed.
    }
    if (world.size() > 1) env.abort(kExitError);
    return kExitError;
  }
  return finish_session(env, reason, drain_timed_out, sink, store, config, setup_cpu_s,
                        setup_wall_s, monitor.get());
}

}  // namespace tmex::driver
