// The campaign runner: rank 0 is the master (dispatch, store, progress, signals), the other
// ranks are workers; a single rank does both in one loop.
#include "driver/campaign_runner.hpp"

#include <sys/resource.h>

#include <boost/mpi.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <list>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "driver/chunk_scheduler.hpp"
#include "driver/errors.hpp"
#include "driver/result_batch.hpp"
#include "driver/stop_signals.hpp"
#include "driver/task_evaluator.hpp"
#include "driver/version.hpp"
#include "models/model_registry.hpp"
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

// Collects results on rank 0, commits them in batched transactions and reports progress.
class ResultSink {
 public:
  ResultSink(storage::CampaignStore& store, const CampaignConfig& config,
             std::size_t trajectory_values, std::uint64_t pending_at_start)
      : store_(store),
        config_(config),
        trajectory_values_(trajectory_values),
        total_(config.samples * config.replicates),
        stored_at_start_(total_ - pending_at_start),
        start_(Clock::now()),
        last_commit_(start_),
        last_progress_(start_) {}

  void add(const ResultBatch& batch) {
    auto records = to_records(batch, config_, trajectory_values_);
    for (auto& r : records) {
      if (r.status != "ok") ++failed_;
      buffer_.push_back(std::move(r));
    }
    received_ += batch.size();
    if (buffer_.size() >= kCommitRows ||
        seconds_since(last_commit_) >= config_.execution.commit_interval_s) {
      commit();
    }
  }

  void commit() {
    if (!buffer_.empty()) {
      store_.append(buffer_);
      committed_ += buffer_.size();
      buffer_.clear();
    }
    last_commit_ = Clock::now();
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
  std::uint64_t committed() const { return committed_; }
  std::uint64_t failed() const { return failed_; }
  double elapsed_s() const { return seconds_since(start_); }

 private:
  static constexpr std::size_t kCommitRows = 20000;
  storage::CampaignStore& store_;
  const CampaignConfig& config_;
  std::size_t trajectory_values_;
  std::uint64_t total_;
  std::uint64_t stored_at_start_;
  std::vector<storage::RunRecord> buffer_;
  std::uint64_t received_ = 0, committed_ = 0, failed_ = 0;
  Clock::time_point start_, last_commit_, last_progress_;
};

// What rank 0 tells every rank after setting up.
struct SetupMessage {
  int code = kExitOk;  ///< non-zero: everyone exits with it
  bool nothing_to_do = false;
  std::string yaml_text;
  std::string source;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& code& nothing_to_do& yaml_text& source;
  }
};

enum class StopReason { kNone, kComplete, kSignal, kDeadline };

const char* outcome_name(StopReason r) {
  return r == StopReason::kComplete ? "complete" : "interrupted";
}

std::size_t trajectory_value_count(const CampaignSetup& setup, const CampaignConfig& config) {
  return setup.model->info().trajectory_variables.size() *
         config.model_spec.trajectory_times.size();
}

storage::CampaignMeta make_meta(const CampaignConfig& config, const CampaignSetup& setup) {
  storage::CampaignMeta m;
  m.name = config.name;
  m.seed = config.seed;
  m.samples = config.samples;
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
  m.config = config.canonical();
  m.config_hash = fnv1a_hex(m.config);
  m.tmex_version = kVersion;
  return m;
}

struct MasterState {
  CampaignConfig config;
  CampaignSetup setup;
  std::optional<storage::CampaignStore> store;
  std::vector<bool> done;
};

// Single rank: evaluate, store and watch for signals in one loop.
StopReason run_single(MasterState& st, ResultSink& sink, Clock::time_point deadline) {
  ChunkScheduler sched(std::move(st.done), st.config.execution.chunk_size, 1);
  TaskEvaluator eval(st.config, st.setup, 0);
  while (!sched.exhausted()) {
    WorkChunk chunk = sched.next();
    ResultBatch batch;
    const auto t0 = Clock::now();
    bool stop = false;
    StopReason reason = StopReason::kNone;
    for (std::size_t r = 0; r + 1 < chunk.ranges.size() && !stop; r += 2) {
      for (std::uint64_t t = chunk.ranges[r]; t < chunk.ranges[r + 1]; ++t) {
        eval.evaluate(t, batch);
        if (caught_stop_signal()) {
          reason = StopReason::kSignal;
          stop = true;
          break;
        }
        if (Clock::now() > deadline) {
          reason = StopReason::kDeadline;
          stop = true;
          break;
        }
      }
    }
    sched.record_cost(batch.size(), seconds_since(t0));
    sink.add(batch);
    sink.maybe_progress();
    if (stop) return reason;
  }
  return StopReason::kComplete;
}

struct WorkerSlot {
  std::uint64_t chunks_sent = 0;
  int outstanding = 0;
  bool final = false;
};

// Master of P-1 workers.
StopReason run_master(const mpi::communicator& world, MasterState& st, ResultSink& sink,
                      Clock::time_point deadline, bool& drain_timed_out) {
  const int workers = world.size() - 1;
  ChunkScheduler sched(std::move(st.done), st.config.execution.chunk_size, workers);
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
  if (sched.exhausted() && std::all_of(slots.begin() + 1, slots.end(),
                                       [](const WorkerSlot& s) { return s.outstanding == 0; })) {
    begin_stop(StopReason::kComplete);
  }
  Backoff backoff;
  while (true) {
    if (reason == StopReason::kNone) {
      if (caught_stop_signal())
        begin_stop(StopReason::kSignal);
      else if (Clock::now() > deadline)
        begin_stop(StopReason::kDeadline);
    }
    if (auto status = world.iprobe(mpi::any_source, kTagResults)) {
      backoff.reset();
      ResultBatch batch;
      world.recv(status->source(), kTagResults, batch);
      const int src = status->source();
      if (batch.size() > 0) {
        sched.record_cost(batch.size(), batch.busy_s);
        sink.add(batch);
      }
      if (batch.final) {
        slots[src].final = true;
        if (batch.interrupted) begin_stop(StopReason::kSignal);
      } else {
        --slots[src].outstanding;
        if (reason == StopReason::kNone) send_chunk(src);
      }
      if (reason == StopReason::kNone && sched.exhausted() &&
          std::all_of(slots.begin() + 1, slots.end(),
                      [](const WorkerSlot& s) { return s.outstanding == 0; })) {
        begin_stop(StopReason::kComplete);
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
      if (seconds_since(stop_time) > st.config.execution.drain_timeout_s) {
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

void run_worker(const mpi::communicator& world, const CampaignConfig& config,
                const CampaignSetup& setup) {
  TaskEvaluator eval(config, setup, world.rank());
  std::deque<WorkChunk> queue;
  std::uint64_t received = 0;
  std::optional<std::uint64_t> expected;
  bool final_sent = false;
  Backoff backoff;

  auto drain = [&] {
    while (auto status = world.iprobe(0, mpi::any_tag)) {
      if (status->tag() == kTagWork) {
        WorkChunk chunk;
        world.recv(0, kTagWork, chunk);
        ++received;
        if (!final_sent) queue.push_back(std::move(chunk));
      } else if (status->tag() == kTagStop) {
        StopOrder order;
        world.recv(0, kTagStop, order);
        expected = order.chunks_sent;
      } else {
        // Unknown tag: consume it so that it cannot block the loop.
        world.recv(0, status->tag());
      }
    }
  };
  auto send_final = [&](ResultBatch& batch) {
    batch.final = true;
    batch.interrupted = !expected.has_value() && caught_stop_signal() != 0;
    batch.rank = world.rank();
    world.send(0, kTagResults, batch);
    final_sent = true;
    queue.clear();
  };

  while (true) {
    drain();
    if (!final_sent && (expected || caught_stop_signal())) {
      ResultBatch empty;
      send_final(empty);
    }
    if (final_sent) {
      if (expected && received >= *expected) break;
      backoff.wait();
      continue;
    }
    if (queue.empty()) {
      backoff.wait();
      continue;
    }
    backoff.reset();
    WorkChunk chunk = std::move(queue.front());
    queue.pop_front();
    ResultBatch batch;
    batch.chunk_id = chunk.id;
    batch.rank = world.rank();
    const auto t0 = Clock::now();
    auto last_check = t0;
    bool cut = false;
    for (std::size_t r = 0; r + 1 < chunk.ranges.size() && !cut; r += 2) {
      for (std::uint64_t t = chunk.ranges[r]; t < chunk.ranges[r + 1]; ++t) {
        eval.evaluate(t, batch);
        if (caught_stop_signal()) {
          cut = true;
          break;
        }
        // Look for a stop order every few milliseconds, not after every cheap evaluation.
        if ((batch.size() & 31) == 0 || seconds_since(last_check) > 0.005) {
          last_check = Clock::now();
          if (world.iprobe(0, kTagStop)) {
            cut = true;
            break;
          }
        }
      }
    }
    batch.busy_s = seconds_since(t0);
    if (cut) {
      drain();
      send_final(batch);
    } else {
      world.send(0, kTagResults, batch);
    }
  }
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

int run_campaign(const RunOptions& options) {
  mpi::environment env(mpi::threading::single, /*abort_on_exception=*/true);
  mpi::communicator world;
  install_stop_signal_handlers();
  const auto deadline =
      options.stop_after_s > 0
          ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.stop_after_s))
          : Clock::time_point::max();

  std::vector<std::string> hosts;
  mpi::gather(world, env.processor_name(), hosts, 0);

  models::ModelRegistry registry;
  models::register_builtin_models(registry);

  if (world.rank() != 0) {
    SetupMessage setup_msg;
    mpi::broadcast(world, setup_msg, 0);
    if (setup_msg.code != kExitOk || setup_msg.nothing_to_do) return setup_msg.code;
    try {
      CampaignConfig config =
          parse_campaign_config(setup_msg.yaml_text, setup_msg.source, registry);
      CampaignSetup setup = build_setup(config, registry);
      run_worker(world, config, setup);
    } catch (const std::exception& e) {
      // Workers never unwind across pending communication: report and abort the job.
      std::fprintf(stderr, "tmex: rank %d: fatal: %s\n", world.rank(), e.what());
      env.abort(kExitError);
    }
    return kExitOk;
  }

  // Rank 0: validate and open everything before any worker starts.
  SetupMessage setup_msg;
  MasterState st;
  try {
    setup_msg.yaml_text = read_config_file(options.config_path);
    setup_msg.source = options.config_path;
    st.config = parse_campaign_config(setup_msg.yaml_text, setup_msg.source, registry);
    if (!options.db_override.empty()) st.config.storage_path = options.db_override;
    st.setup = build_setup(st.config, registry);
    const storage::CampaignMeta meta = make_meta(st.config, st.setup);
    if (std::filesystem::exists(st.config.storage_path)) {
      st.store.emplace(storage::CampaignStore::open_for_writing(st.config.storage_path));
      const auto diff = canonical_diff(st.store->meta().config, meta.config);
      if (!diff.empty()) {
        std::string msg = st.config.storage_path +
                          ": holds a campaign with a different configuration; refusing to mix "
                          "results. Differences (stored -> " +
                          options.config_path + "):";
        for (const auto& d : diff) msg += "\n  " + d;
        msg += "\nUse another --db (or storage.path) to start a new campaign.";
        throw ConfigError(msg);
      }
    } else {
      st.store.emplace(storage::CampaignStore::create(st.config.storage_path, meta));
    }
    st.done = st.store->stored_mask();
    const auto pending =
        static_cast<std::uint64_t>(std::count(st.done.begin(), st.done.end(), false));
    if (pending == 0) {
      setup_msg.nothing_to_do = true;
      const auto s = st.store->status(0);
      std::fprintf(stderr,
                   "tmex: campaign '%s' is complete: %lld runs stored (%lld failed) in '%s'; "
                   "nothing to do\n",
                   st.config.name.c_str(), static_cast<long long>(s.stored),
                   static_cast<long long>(s.failed), st.config.storage_path.c_str());
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
  const std::uint64_t pending =
      static_cast<std::uint64_t>(std::count(st.done.begin(), st.done.end(), false));
  std::int64_t session = 0;
  try {
    session = st.store->begin_session(info);
    std::fprintf(stderr, "tmex: campaign '%s': %llu of %llu runs to do on %d rank%s -> %s\n",
                 st.config.name.c_str(), static_cast<unsigned long long>(pending),
                 static_cast<unsigned long long>(st.config.samples * st.config.replicates),
                 world.size(), world.size() == 1 ? "" : "s", st.config.storage_path.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tmex: storage error: %s\n", e.what());
    env.abort(kExitError);
  }

  ResultSink sink(*st.store, st.config, trajectory_value_count(st.setup, st.config), pending);
  StopReason reason = StopReason::kNone;
  bool drain_timed_out = false;
  try {
    reason = world.size() == 1 ? run_single(st, sink, deadline)
                               : run_master(world, st, sink, deadline, drain_timed_out);
    sink.commit();
    st.store->end_session(session, outcome_name(reason),
                          static_cast<std::int64_t>(sink.committed()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    try {
      st.store->end_session(session, "failed", static_cast<std::int64_t>(sink.committed()));
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
               "master CPU %.2f s\n",
               outcome_name(reason), static_cast<unsigned long long>(sink.committed()),
               static_cast<unsigned long long>(sink.failed()), el,
               el > 0 ? static_cast<double>(sink.committed()) / el : 0.0, process_cpu_s());
  if (reason != StopReason::kComplete) {
    std::fprintf(stderr,
                 "tmex: interrupted (%s); everything received is committed. Run the same command "
                 "again to resume.\n",
                 reason == StopReason::kDeadline ? "time limit" : "signal");
  }
  if (drain_timed_out) {
    std::fprintf(stderr,
                 "tmex: some workers did not finish their evaluation within %.0f s; aborting "
                 "them (their runs will be redone on resume)\n",
                 st.config.execution.drain_timeout_s);
    st.store.reset();
    env.abort(kExitInterrupted);
  }
  return reason == StopReason::kComplete ? kExitOk : kExitInterrupted;
}

}  // namespace tmex::driver
