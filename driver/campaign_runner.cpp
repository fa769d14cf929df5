// The campaign runner: rank 0 is the master (dispatch, store, progress, signals), the other
// ranks are workers; a single rank does both in one loop.
#include "driver/campaign_runner.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

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
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "driver/chunk_scheduler.hpp"
#include "driver/errors.hpp"
#include "driver/evaluation_engine.hpp"
#include "driver/job_deadline.hpp"
#include "driver/result_batch.hpp"
#include "driver/stop_signals.hpp"
#include "driver/task_evaluator.hpp"
#include "driver/version.hpp"
#include "models/model_registry.hpp"
#include "sampling/design_quality.hpp"
#include "storage/campaign_store.hpp"

namespace tmex::driver {

namespace mpi = boost::mpi;
using Clock = std::chrono::steady_clock;

namespace {

enum Tag : int { kTagWork = 1, kTagStop = 2, kTagResults = 3 };

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double process_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

// Peak resident memory of this process (getrusage reports kilobytes on Linux).
double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

std::string format_duration(double s) {
  char buf[64];
  if (!(s >= 0.0) || s > 1e8) return "?";
  const auto total = static_cast<long long>(s + 0.5);
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", total / 3600, (total % 3600) / 60);
  } else if (total >= 60) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", total / 60, total % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  }
  return buf;
}

// Polls with growing sleeps so that a waiting rank leaves its core to the others (a rank
// blocked in MPI_Recv busy-polls a whole core with OpenMPI).
class Backoff {
 public:
  void reset() { us_ = 0; }
  void wait() {
    us_ = us_ == 0 ? 20 : std::min(us_ * 2, 2000);
    std::this_thread::sleep_for(std::chrono::microseconds(us_));
  }

 private:
  int us_ = 0;
};

// Collects results on rank 0 and reports progress; a writer thread converts them to rows and
// commits them in batched transactions, so that receiving (and handing out work) overlaps with
// SQLite. The owning thread calls every public method; the store belongs to the writer thread
// from construction until stop() (or the destructor).
class ResultSink {
 public:
  ResultSink(storage::CampaignStore& store, const CampaignConfig& config,
             std::size_t trajectory_values, std::uint64_t pending_at_start)
      : store_(store),
        config_(config),
        trajectory_values_(trajectory_values),
        total_(config.total_runs()),
        stored_at_start_(total_ - pending_at_start),
        start_(Clock::now()),
        last_progress_(start_),
        writer_([this] { write_loop(); }) {}

  ~ResultSink() { stop(); }
  ResultSink(const ResultSink&) = delete;
  ResultSink& operator=(const ResultSink&) = delete;

  /// Queues a batch for the writer; waits while the queue is full (bounded memory on rank 0).
  /// Throws the writer's error, if it had one.
  void add(ResultBatch&& batch) {
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
  void commit() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = ++flush_requests_;
    work_cv_.notify_one();
    space_cv_.wait(lock, [&] { return flushes_done_ >= target || error_ || stopping_; });
    rethrow_locked();
  }

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

  void maybe_progress(bool force = false) {
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

  std::uint64_t received() const { return received_; }
  std::uint64_t committed() const { return committed_.load(); }
  std::uint64_t failed() const { return failed_; }
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
    std::unique_lock lock(mutex_);
    while (true) {
      work_cv_.wait_until(lock, last_commit + interval, [&] {
        return stopping_ || !queue_.empty() || flush_requests_ > flushes_done_;
      });
      if (stopping_) return;
      const std::uint64_t flush_target = flush_requests_;
      taken.swap(queue_);
      lock.unlock();
      try {
        for (const ResultBatch& batch : taken) {
          auto records = to_records(batch, config_, trajectory_values_);
          std::move(records.begin(), records.end(), std::back_inserter(buffer));
        }
        const bool flush = flush_target > flushes_done_;
        if (!buffer.empty() &&
            (flush || buffer.size() >= kCommitRows || Clock::now() - last_commit >= interval)) {
          store_.append(buffer);
          committed_ += buffer.size();
          buffer.clear();
        }
        if (buffer.empty()) last_commit = Clock::now();
      } catch (...) {
        lock.lock();
        error_ = std::current_exception();
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

  storage::CampaignStore& store_;
  const CampaignConfig& config_;
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
  std::size_t queued_rows_ = 0;
  std::uint64_t flush_requests_ = 0, flushes_done_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread writer_;  // last: starts after everything it uses is initialised
};

// The configuration text, read by rank 0 for every rank.
struct ConfigText {
  bool ok = false;
  std::string yaml;
  std::string source;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    // clang-format off
    ar & ok & yaml & source;
    // clang-format on
  }
};

// What rank 0 tells every rank once the store is open.
struct SetupMessage {
  int code = kExitOk;  ///< non-zero: everyone exits with it
  bool nothing_to_do = false;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    // clang-format off
    ar & code & nothing_to_do;
    // clang-format on
  }
};

enum class StopReason { kNone, kComplete, kSignal, kDeadline, kFailureLimit };

const char* outcome_name(StopReason r) {
  switch (r) {
    case StopReason::kComplete:
      return "complete";
    case StopReason::kFailureLimit:
      return "failure_limit";
    default:
      return "interrupted";
  }
}

// Set when an evaluation thread is stuck in a model: the process must not run destructors
// under it, so main() leaves with _Exit after MPI is finalised.
std::atomic<bool> g_hard_exit{false};

std::size_t trajectory_value_count(const CampaignSetup& setup, const CampaignConfig& config) {
  return setup.model->info().trajectory_variables.size() *
         config.model_spec.trajectory_times.size();
}

storage::CampaignMeta make_meta(const CampaignConfig& config, const CampaignSetup& setup) {
  storage::CampaignMeta m;
  m.name = config.name;
  m.seed = config.seed;
  m.samples = setup.design->size();
  m.replicates = config.replicates;
  m.design = setup.design->describe();
  m.model = config.model_name;
  for (const auto& p : config.parameters) {
    m.parameters.push_back({p.name, p.distribution.describe()});
  }
  m.outputs = config.outputs;
  if (!config.model_spec.trajectory_times.empty()) {
    m.trajectory_variables = setup.model->info().trajectory_variables;
    m.trajectory_times = config.model_spec.trajectory_times;
  }
  if (setup.design->size() >= 2) {
    // Design quality, measured once on (a random subset of at most 10,000 of) its points.
    const auto q = sampling::measure_quality(*setup.design, 10000, config.seed);
    m.extra.emplace_back("design_min_distance", fmt::format("{:.17g}", q.min_distance));
    m.extra.emplace_back("design_centred_l2_discrepancy",
                         fmt::format("{:.17g}", q.centred_l2_discrepancy));
    m.extra.emplace_back("design_max_abs_rank_correlation",
                         fmt::format("{:.17g}", q.max_abs_rank_correlation));
    m.extra.emplace_back("design_quality_points", std::to_string(q.points_used));
  }
  m.config = config.canonical();
  m.config_hash = fnv1a_hex(m.config);
  m.tmex_version = kVersion;
  return m;
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

struct MasterState {
  std::shared_ptr<CampaignContext> context;
  std::optional<storage::CampaignStore> store;
  std::vector<bool> done;
};

// Watches the fraction of failed evaluations of this session.
class FailureLimit {
 public:
  explicit FailureLimit(double max_fraction) : max_(max_fraction) {}
  /// True when, after enough runs to judge, more than the allowed fraction failed.
  bool exceeded(std::uint64_t received, std::uint64_t failed) const {
    if (max_ >= 1.0 || received < kMinRuns) return false;
    return static_cast<double>(failed) > max_ * static_cast<double>(received);
  }

 private:
  static constexpr std::uint64_t kMinRuns = 50;
  double max_;
};

// How long a rank lets an evaluation run before the watchdog gives up on it: the model's own
// deadline plus a grace period in which a cooperative model reports its time-out itself.
double watchdog_seconds(const ExecutionConfig& ex) {
  if (ex.evaluation_timeout_s <= 0.0) return 0.0;
  return ex.evaluation_timeout_s + std::max(1.0, 0.1 * ex.evaluation_timeout_s);
}

// Single rank: evaluation threads of this process, dispatch and storage on the main thread.
StopReason run_single(MasterState& st, ResultSink& sink, Clock::time_point deadline) {
  const CampaignConfig& config = st.context->config;
  ChunkScheduler sched(std::move(st.done), config.execution.chunk_size,
                       static_cast<int>(config.execution.per_rank), 0.2, config.execution.per_rank);
  EvaluationEngine engine(st.context, 0, static_cast<int>(config.execution.per_rank),
                          watchdog_seconds(config.execution));
  FailureLimit limit(config.execution.max_failure_fraction);
  std::size_t in_flight = 0;
  auto top_up = [&] {
    while (in_flight < 2 && !sched.exhausted()) {
      engine.submit(sched.next());
      ++in_flight;
    }
  };
  top_up();
  StopReason reason = StopReason::kNone;
  while (reason == StopReason::kNone) {
    engine.wait(0.05);
    for (auto& batch : engine.take_completed()) {
      --in_flight;
      sched.record_cost(batch.size(), batch.busy_s);
      sink.add(std::move(batch));
    }
    engine.check_watchdog();
    top_up();
    sink.maybe_progress();
    if (limit.exceeded(sink.received(), sink.failed())) {
      reason = StopReason::kFailureLimit;
    } else if (caught_stop_signal()) {
      reason = StopReason::kSignal;
    } else if (Clock::now() > deadline) {
      reason = StopReason::kDeadline;
    } else if (in_flight == 0 && sched.exhausted()) {
      reason = StopReason::kComplete;
    }
  }
  if (reason != StopReason::kComplete) sink.add(engine.cancel());
  if (engine.abandoned_threads() > 0) g_hard_exit = true;
  return reason;
}

struct WorkerSlot {
  std::uint64_t chunks_sent = 0;
  int outstanding = 0;
  bool final = false;
};

// Master of P-1 workers: dispatch, storage, progress, signals; it evaluates nothing.
StopReason run_master(const mpi::communicator& world, MasterState& st, ResultSink& sink,
                      Clock::time_point deadline, bool& drain_timed_out) {
  const CampaignConfig& config = st.context->config;
  const int workers = world.size() - 1;
  ChunkScheduler sched(std::move(st.done), config.execution.chunk_size,
                       workers * static_cast<int>(config.execution.per_rank), 0.2,
                       config.execution.per_rank);
  FailureLimit limit(config.execution.max_failure_fraction);
  std::vector<WorkerSlot> slots(static_cast<std::size_t>(world.size()));
  std::list<mpi::request> sends;
  StopReason reason = StopReason::kNone;
  Clock::time_point stop_time{};

  auto send_chunk = [&](int r) {
    if (sched.exhausted()) return;
    WorkChunk chunk = sched.next();
    sends.push_back(world.isend(r, kTagWork, chunk));
    ++slots[r].chunks_sent;
    ++slots[r].outstanding;
  };
  auto all_idle = [&] {
    return std::all_of(slots.begin() + 1, slots.end(),
                       [](const WorkerSlot& s) { return s.outstanding == 0; });
  };
  auto begin_stop = [&](StopReason why) {
    if (reason != StopReason::kNone) return;
    reason = why;
    stop_time = Clock::now();
    sink.commit();
    for (int r = 1; r <= workers; ++r) {
      sends.push_back(world.isend(r, kTagStop, StopOrder{slots[r].chunks_sent}));
    }
  };

  // Two chunks in flight per worker: it never waits on the master between chunks.
  for (int k = 0; k < 2; ++k) {
    for (int r = 1; r <= workers; ++r) send_chunk(r);
  }
  if (sched.exhausted() && all_idle()) begin_stop(StopReason::kComplete);
  Backoff backoff;
  while (true) {
    if (reason == StopReason::kNone) {
      if (caught_stop_signal()) {
        begin_stop(StopReason::kSignal);
      } else if (Clock::now() > deadline) {
        begin_stop(StopReason::kDeadline);
      }
    }
    if (auto status = world.iprobe(mpi::any_source, kTagResults)) {
      backoff.reset();
      ResultBatch batch;
      const int src = status->source();
      world.recv(src, kTagResults, batch);
      const bool final = batch.final;
      const bool interrupted = batch.interrupted;
      if (batch.size() > 0) sched.record_cost(batch.size(), batch.busy_s);
      // The next chunk goes out before the batch is queued for storage (which may wait).
      if (!final) {
        --slots[src].outstanding;
        if (reason == StopReason::kNone) send_chunk(src);
      }
      sink.add(std::move(batch));
      if (final) {
        slots[src].final = true;
        if (interrupted) begin_stop(StopReason::kSignal);
      }
      if (reason == StopReason::kNone) {
        if (limit.exceeded(sink.received(), sink.failed())) {
          begin_stop(StopReason::kFailureLimit);
        } else if (sched.exhausted() && all_idle()) {
          begin_stop(StopReason::kComplete);
        }
      }
    } else {
      backoff.wait();
    }
    sends.remove_if([](mpi::request& q) { return q.test().has_value(); });
    sink.maybe_progress();
    if (reason != StopReason::kNone) {
      if (std::all_of(slots.begin() + 1, slots.end(),
                      [](const WorkerSlot& s) { return s.final; })) {
        break;
      }
      if (seconds_since(stop_time) > config.execution.drain_timeout_s) {
        drain_timed_out = true;
        break;
      }
    }
  }
  if (!drain_timed_out) {
    for (auto& q : sends) q.wait();
  }
  return reason;
}

// A worker: receives chunks, evaluates them on its engine's threads, returns one batch per
// chunk; on a stop order or a signal it returns what it has and drains the master's messages.
void run_worker(const mpi::communicator& world, std::shared_ptr<const CampaignContext> context) {
  const ExecutionConfig& ex = context->config.execution;
  EvaluationEngine engine(context, world.rank(), static_cast<int>(ex.per_rank),
                          watchdog_seconds(ex));
  std::uint64_t received = 0;
  std::optional<std::uint64_t> expected;
  bool final_sent = false;
  // Results go out with isend (the request keeps the packed copy): a blocking send of a large
  // batch waits for the master's receive and busy-polls a core meanwhile (OpenMPI).
  std::list<mpi::request> sends;
  Backoff backoff;

  while (true) {
    bool activity = false;
    while (auto status = world.iprobe(0, mpi::any_tag)) {
      activity = true;
      if (status->tag() == kTagWork) {
        WorkChunk chunk;
        world.recv(0, kTagWork, chunk);
        ++received;
        if (!final_sent) engine.submit(std::move(chunk));
      } else if (status->tag() == kTagStop) {
        StopOrder order;
        world.recv(0, kTagStop, order);
        expected = order.chunks_sent;
      } else {
        world.recv(0, status->tag());  // unknown: consume so that it cannot block the loop
      }
    }
    if (!final_sent) {
      for (auto& batch : engine.take_completed()) {
        activity = true;
        sends.push_back(world.isend(0, kTagResults, batch));
      }
      engine.check_watchdog();
      if (expected || caught_stop_signal()) {
        // Finished rows of unfinished chunks go back with the final message; evaluations still
        // running are abandoned (they are redone on resume).
        ResultBatch last = engine.cancel();
        last.final = true;
        last.interrupted = !expected.has_value();
        last.rank = world.rank();
        sends.push_back(world.isend(0, kTagResults, last));
        final_sent = true;
        activity = true;
      }
    }
    sends.remove_if([](mpi::request& q) { return q.test().has_value(); });
    if (final_sent && expected && received >= *expected && sends.empty()) break;
    if (activity) {
      backoff.reset();
    } else if (!final_sent && engine.chunks_in_flight() > 0) {
      engine.wait(0.002);
    } else {
      backoff.wait();
    }
  }
  if (engine.abandoned_threads() > 0) g_hard_exit = true;
}

std::string joined_hosts(const std::vector<std::string>& names) {
  std::set<std::string> unique(names.begin(), names.end());
  std::string out;
  for (const auto& h : unique) out += (out.empty() ? "" : ",") + h;
  return out;
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

bool needs_hard_exit() { return g_hard_exit.load(); }

int run_campaign(const RunOptions& options) {
  // Only the main thread of each rank calls MPI; evaluation threads never do.
  mpi::environment env(mpi::threading::funneled, /*abort_on_exception=*/true);
  mpi::communicator world;
  install_stop_signal_handlers();
  // Only rank 0 decides when to stop; it alone asks SLURM for the job's end time.
  const double stop_after_s =
      world.rank() == 0
          ? resolve_stop_after_s(options.stop_after_s, options.deadline, options.deadline_margin_s,
                                 options.read_slurm_end_time)
          : 0.0;
  const auto deadline = stop_after_s > 0
                            ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(stop_after_s))
                            : Clock::time_point::max();

  std::vector<std::string> hosts;
  mpi::gather(world, env.processor_name(), hosts, 0);

  models::ModelRegistry registry;
  models::register_builtin_models(registry);

  // Stage 1: rank 0 reads the file and every rank receives its text.
  ConfigText text;
  if (world.rank() == 0) {
    try {
      text.yaml = read_config_file(options.config_path);
      text.source = options.config_path;
      text.ok = true;
    } catch (const ConfigError& e) {
      std::fprintf(stderr, "tmex: error: %s\n", e.what());
    }
  }
  mpi::broadcast(world, text, 0);
  if (!text.ok) return kExitUsage;

  // Stage 2: every rank parses the same text and builds the model and the design at the same
  // time (a materialised design can take a while); only rank 0 reports what is wrong.
  auto context = std::make_shared<CampaignContext>();
  int local_code = kExitOk;
  std::string local_error;
  try {
    context->config = parse_campaign_config(text.yaml, text.source, registry);
    if (!options.db_override.empty()) context->config.storage_path = options.db_override;
    context->setup = build_setup(context->config, registry);
  } catch (const ConfigError& e) {
    local_code = kExitUsage;
    local_error = e.what();
  } catch (const std::exception& e) {
    local_code = kExitError;
    local_error = e.what();
  }

  if (world.rank() != 0) {
    SetupMessage setup_msg;
    mpi::broadcast(world, setup_msg, 0);
    if (setup_msg.code != kExitOk || setup_msg.nothing_to_do) return setup_msg.code;
    if (local_code != kExitOk) {
      // Rank 0 accepted what this rank could not build (a file missing on this node, say).
      std::fprintf(stderr, "tmex: rank %d: fatal: %s\n", world.rank(), local_error.c_str());
      env.abort(kExitError);
    }
    try {
      run_worker(world, context);
    } catch (const std::exception& e) {
      // Workers never unwind across pending communication: report and abort the job.
      std::fprintf(stderr, "tmex: rank %d: fatal: %s\n", world.rank(), e.what());
      env.abort(kExitError);
    }
    return kExitOk;
  }

  // Stage 3, rank 0: open or create the store before any worker starts evaluating.
  SetupMessage setup_msg;
  MasterState st;
  st.context = context;
  CampaignConfig& config = st.context->config;
  try {
    if (local_code == kExitUsage) throw ConfigError(local_error);
    if (local_code != kExitOk) throw std::runtime_error(local_error);
    const storage::CampaignMeta meta = make_meta(config, st.context->setup);
    if (std::filesystem::exists(config.storage_path)) {
      st.store.emplace(storage::CampaignStore::open_for_writing(config.storage_path));
      const auto diff = canonical_diff(st.store->meta().config, meta.config);
      if (!diff.empty() && extends_stored_campaign(config, st.store->meta(), diff)) {
        std::fprintf(stderr, "tmex: extending campaign '%s' from %llu to %llu samples\n",
                     config.name.c_str(), static_cast<unsigned long long>(st.store->meta().samples),
                     static_cast<unsigned long long>(meta.samples));
        st.store->extend(meta);
      } else if (!diff.empty()) {
        std::string msg = config.storage_path +
                          ": holds a campaign with a different configuration; refusing to mix "
                          "results. Differences (stored -> " +
                          options.config_path + "):";
        for (const auto& d : diff) msg += "\n  " + d;
        msg += "\nUse another --db (or storage.path) to start a new campaign.";
        throw ConfigError(msg);
      }
    } else {
      st.store.emplace(storage::CampaignStore::create(config.storage_path, meta));
    }
    st.done = st.store->stored_mask();
    if (std::find(st.done.begin(), st.done.end(), false) == st.done.end()) {
      setup_msg.nothing_to_do = true;
      const auto s = st.store->status(0);
      std::fprintf(stderr,
                   "tmex: campaign '%s' is complete: %lld runs stored (%lld failed) in '%s'; "
                   "nothing to do\n",
                   config.name.c_str(), static_cast<long long>(s.stored),
                   static_cast<long long>(s.failed), config.storage_path.c_str());
    }
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    setup_msg.code = kExitUsage;
  } catch (const storage::StorageError& e) {
    std::fprintf(stderr, "tmex: storage error: %s\n", e.what());
    setup_msg.code = kExitError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    setup_msg.code = kExitError;
  }
  mpi::broadcast(world, setup_msg, 0);
  if (setup_msg.code != kExitOk || setup_msg.nothing_to_do) return setup_msg.code;

  storage::SessionInfo info;
  info.ranks = world.size();
  info.hosts = joined_hosts(hosts);
  info.command = options.command_line;
  info.slurm_job_id = env_or_empty("SLURM_JOB_ID");
  info.slurm_array_task_id = env_or_empty("SLURM_ARRAY_TASK_ID");
  info.slurm_array_job_id = env_or_empty("SLURM_ARRAY_JOB_ID");
  const auto pending =
      static_cast<std::uint64_t>(std::count(st.done.begin(), st.done.end(), false));
  std::int64_t session = 0;
  double setup_cpu_s = 0.0;  // rank 0's CPU before dispatch (config, design, store)
  try {
    session = st.store->begin_session(info);
    setup_cpu_s = process_cpu_s();
    std::fprintf(stderr, "tmex: campaign '%s': %llu of %llu runs to do on %d rank%s -> %s\n",
                 config.name.c_str(), static_cast<unsigned long long>(pending),
                 static_cast<unsigned long long>(config.total_runs()), world.size(),
                 world.size() == 1 ? "" : "s", config.storage_path.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tmex: storage error: %s\n", e.what());
    env.abort(kExitError);
  }

  ResultSink sink(*st.store, config, trajectory_value_count(st.context->setup, config), pending);
  StopReason reason = StopReason::kNone;
  bool drain_timed_out = false;
  try {
    reason = world.size() == 1 ? run_single(st, sink, deadline)
                               : run_master(world, st, sink, deadline, drain_timed_out);
    sink.commit();
    sink.stop();  // the store is the main thread's again
    st.store->end_session(session, outcome_name(reason));
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
    sink.stop();
    try {
      st.store->end_session(session, "failed");
    } catch (...) {
      // The store is failing (disk full, I/O error): what was committed stays committed.
    }
    if (world.size() > 1) env.abort(kExitError);
    return kExitError;
  }
  sink.maybe_progress(/*force=*/true);
  const double el = sink.elapsed_s();
  std::fprintf(stderr,
               "tmex: %s: %llu runs stored this session (%llu failed) in %.2f s (%.4g runs/s), "
               "master CPU %.2f s (+%.2f s start-up), peak RSS %.0f MB\n",
               outcome_name(reason), static_cast<unsigned long long>(sink.committed()),
               static_cast<unsigned long long>(sink.failed()), el,
               el > 0 ? static_cast<double>(sink.committed()) / el : 0.0,
               process_cpu_s() - setup_cpu_s, setup_cpu_s, peak_rss_mb());
  if (reason == StopReason::kFailureLimit) {
    const auto s = st.store->status(3);
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
  } else if (reason != StopReason::kComplete) {
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
    st.store.reset();
    env.abort(kExitInterrupted);
  }
  switch (reason) {
    case StopReason::kComplete:
      return kExitOk;
    case StopReason::kFailureLimit:
      return kExitFailureLimit;
    default:
      return kExitInterrupted;
  }
}

}  // namespace tmex::driver
