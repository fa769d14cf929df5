// The master/worker dispatch loops and the configuration set-up every rank does.
#include "driver/dispatch.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/mpi.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdio>
#include <deque>
#include <list>
#include <set>
#include <thread>

#include "driver/stop_signals.hpp"

namespace tmex::driver {

namespace mpi = boost::mpi;

namespace {

enum Tag : int { kTagWork = 1, kTagStop = 2, kTagResults = 3 };

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

// Set when an evaluation thread is stuck in a model: the process must not run destructors
// under it, so main() leaves with _Exit after MPI is finalised.
std::atomic<bool> g_hard_exit{false};

}  // namespace

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

const char* outcome_name(StopReason r) {
  switch (r) {
    case StopReason::kComplete:
    case StopReason::kConverged:
      return "complete";
    case StopReason::kFailureLimit:
      return "failure_limit";
    default:
      return "interrupted";
  }
}

bool evaluations_abandoned() { return g_hard_exit.load(); }

PreparedCampaign prepare_campaign(const ConfigText& text, const std::string& db_override,
                                  const models::ModelRegistry& registry) {
  PreparedCampaign p;
  p.context = std::make_shared<CampaignContext>();
  try {
    p.context->config = parse_campaign_config(text.yaml, text.source, registry);
    CampaignConfig& config = p.context->config;
    if (!db_override.empty()) config.storage_path = db_override;
    if (text.design_algorithm_version > 0 &&
        text.design_algorithm_version != config.design->algorithm_version()) {
      // Build the version the store holds. Where that fails the config is probably not the
      // stored campaign's: keep the newest design, and rank 0 reports the difference.
      sampling::DesignSpec spec = config.design_spec;
      spec.algorithm_version = text.design_algorithm_version;
      try {
        auto older = sampling::make_design(spec, config.parameters.size());
        p.note = "the store's design was built by design algorithm version " +
                 std::to_string(text.design_algorithm_version) + " (this tmex's newest is " +
                 std::to_string(config.design->algorithm_version()) +
                 "); building that version, so its points are the same";
        config.design_spec = spec;
        config.design = std::move(older);
      } catch (const sampling::DesignError&) {
      }
    }
    p.context->setup = build_setup(p.context->config, registry);
    p.context->setup.design->prepare();
  } catch (const ConfigError& e) {
    p.code = kExitUsage;
    p.error = e.what();
  } catch (const std::exception& e) {
    p.code = kExitError;
    p.error = e.what();
  }
  return p;
}

namespace {

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

// A chunk waiting for its in-flight record to be committed before it goes out.
struct PendingChunk {
  int rank = 0;
  WorkChunk chunk;
  std::uint64_t ticket = 0;
};

}  // namespace

double watchdog_seconds(const ExecutionConfig& ex) {
  if (ex.evaluation_timeout_s <= 0.0) return 0.0;
  return ex.evaluation_timeout_s + std::max(1.0, 0.1 * ex.evaluation_timeout_s);
}

bool ready_everywhere(const mpi::communicator& world, bool ready) {
  int all = 0;
  mpi::all_reduce(world, ready ? 1 : 0, all, mpi::minimum<int>());
  return all == 1;
}

StopReason dispatch_single(EvaluationEngine& engine, ChunkScheduler& sched, ResultConsumer& sink,
                           const DispatchOptions& options) {
  const Clock::time_point deadline = options.deadline;
  FailureLimit limit(options.max_failure_fraction);
  std::set<std::uint64_t> open_chunks;   // recorded and not yet back (also those not submitted)
  std::set<std::uint64_t> alone_chunks;  // the quarantined chunks among them
  std::deque<PendingChunk> pending;
  const DispatchGate* gate = options.gate;
  auto top_up = [&] {
    if (gate) sched.set_limit(gate->horizon());
    while (open_chunks.size() < 2 && sched.can_dispatch()) {
      // A quarantined task runs alone: nothing else is in flight with it.
      const bool alone = sched.in_quarantine();
      if ((alone || !alone_chunks.empty()) && !open_chunks.empty()) return;
      WorkChunk chunk = sched.next();
      const std::uint64_t ticket = sink.record_dispatch(chunk, 0);
      open_chunks.insert(chunk.id);
      if (alone) alone_chunks.insert(chunk.id);
      pending.push_back({0, std::move(chunk), ticket});
    }
  };
  top_up();
  StopReason reason = StopReason::kNone;
  while (reason == StopReason::kNone) {
    sink.check();
    if (gate) gate->check();
    while (!pending.empty() && sink.durable(pending.front().ticket)) {
      engine.submit(std::move(pending.front().chunk));
      pending.pop_front();
    }
    if (!pending.empty() && engine.chunks_in_flight() == 0) {
      sink.wait_durable(pending.front().ticket, 0.05);
    } else {
      engine.wait(0.05);
    }
    std::vector<std::uint64_t> back;
    bool alone_back = false;
    for (auto& batch : engine.take_completed()) {
      back.push_back(batch.chunk_id);
      open_chunks.erase(batch.chunk_id);
      if (alone_chunks.erase(batch.chunk_id) > 0) alone_back = true;
      sched.record_cost(batch.size(), batch.busy_s);
      sink.add(std::move(batch));
    }
    sink.record_finished(back);
    // A quarantined run that came back is committed at once: the next one may crash.
    if (alone_back) sink.commit();
    engine.check_watchdog();
    top_up();
    sink.maybe_progress();
    if (gate && gate->converged()) {
      reason = StopReason::kConverged;
    } else if (limit.exceeded(sink.received(), sink.failed())) {
      reason = StopReason::kFailureLimit;
    } else if (caught_stop_signal()) {
      reason = StopReason::kSignal;
    } else if (Clock::now() > deadline) {
      reason = StopReason::kDeadline;
    } else if (open_chunks.empty() && sched.exhausted() && (!gate || gate->settled())) {
      reason = StopReason::kComplete;
    }
  }
  if (reason != StopReason::kComplete) sink.add(engine.cancel());
  // This process is alive: whatever was in flight was abandoned, not crashed on.
  sink.record_finished({open_chunks.begin(), open_chunks.end()});
  if (engine.abandoned_threads() > 0) g_hard_exit = true;
  return reason;
}

StopReason dispatch_single(std::shared_ptr<const CampaignContext> context, ChunkScheduler& sched,
                           ResultConsumer& sink, const DispatchOptions& options) {
  const ExecutionConfig& ex = context->config.execution;
  EvaluationEngine engine(context, 0, static_cast<int>(ex.per_rank), watchdog_seconds(ex));
  return dispatch_single(engine, sched, sink, options);
}

namespace {

struct WorkerSlot {
  std::uint64_t chunks_sent = 0;
  int outstanding = 0;  ///< chunks recorded for it and not back (sent or waiting to be sent)
  std::set<std::uint64_t> open_chunks;
  bool final = false;
};

}  // namespace

StopReason dispatch_master(const mpi::communicator& world, const CampaignConfig& config,
                           ChunkScheduler& sched, ResultConsumer& sink,
                           const DispatchOptions& options, bool& drain_timed_out) {
  const Clock::time_point deadline = options.deadline;
  const int workers = world.size() - 1;
  FailureLimit limit(options.max_failure_fraction);
  std::vector<WorkerSlot> slots(static_cast<std::size_t>(world.size()));
  std::list<mpi::request> sends;
  std::deque<PendingChunk> pending;
  std::set<std::uint64_t> alone_chunks;
  int outstanding = 0;  // over all workers
  StopReason reason = StopReason::kNone;
  Clock::time_point stop_time{};

  // Records a chunk for worker r; it goes out once its record is committed.
  auto dispatch = [&](int r) {
    const bool alone = sched.in_quarantine();
    WorkChunk chunk = sched.next();
    const std::uint64_t ticket = sink.record_dispatch(chunk, r);
    slots[r].open_chunks.insert(chunk.id);
    if (alone) alone_chunks.insert(chunk.id);
    ++slots[r].outstanding;
    ++outstanding;
    pending.push_back({r, std::move(chunk), ticket});
  };
  // Two chunks in flight per worker, so that it never waits on the master between chunks; a
  // quarantined task runs alone in the whole job.
  const DispatchGate* gate = options.gate;
  auto top_up = [&] {
    if (reason != StopReason::kNone) return;
    if (gate) sched.set_limit(gate->horizon());
    for (int r = 1; r <= workers; ++r) {
      while (slots[r].outstanding < 2 && sched.can_dispatch()) {
        if (sched.in_quarantine() || !alone_chunks.empty()) {
          if (outstanding == 0 && sched.in_quarantine()) dispatch(r);
          return;
        }
        dispatch(r);
      }
    }
  };
  auto send_durable = [&] {
    while (!pending.empty() && sink.durable(pending.front().ticket)) {
      PendingChunk& p = pending.front();
      sends.push_back(world.isend(p.rank, kTagWork, p.chunk));
      ++slots[p.rank].chunks_sent;
      pending.pop_front();
    }
  };
  auto all_idle = [&] { return outstanding == 0; };
  auto begin_stop = [&](StopReason why) {
    if (reason != StopReason::kNone) return;
    reason = why;
    stop_time = Clock::now();
    // Chunks still waiting for their record are never sent.
    std::vector<std::uint64_t> unsent;
    for (const PendingChunk& p : pending) {
      unsent.push_back(p.chunk.id);
      slots[p.rank].open_chunks.erase(p.chunk.id);
      --slots[p.rank].outstanding;
      --outstanding;
    }
    pending.clear();
    sink.record_finished(unsent);
    sink.commit();
    for (int r = 1; r <= workers; ++r) {
      sends.push_back(world.isend(r, kTagStop, StopOrder{slots[r].chunks_sent}));
    }
  };

  // Every run handed out and back (and, for a campaign that stops itself, every complete
  // checkpoint checked).
  auto done = [&] { return sched.exhausted() && all_idle() && (!gate || gate->settled()); };
  top_up();
  if (done()) begin_stop(StopReason::kComplete);
  Backoff backoff;
  while (true) {
    sink.check();
    if (gate && reason == StopReason::kNone) {
      gate->check();
      if (gate->converged()) {
        begin_stop(StopReason::kConverged);
      } else {
        // The horizon moves when a check lets the campaign go on; workers may be waiting.
        top_up();
        if (done()) begin_stop(StopReason::kComplete);
      }
    }
    if (reason == StopReason::kNone) {
      send_durable();
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
      bool was_alone = false;
      if (!final) {
        --slots[src].outstanding;
        --outstanding;
        slots[src].open_chunks.erase(batch.chunk_id);
        was_alone = alone_chunks.erase(batch.chunk_id) > 0;
        sink.record_finished({batch.chunk_id});
        // The next chunk is recorded before the batch is queued for storage (which may wait).
        top_up();
      }
      sink.add(std::move(batch));
      // A quarantined run that came back is committed at once: the next one may crash.
      if (was_alone) sink.commit();
      if (final) {
        // The worker is alive and abandoned the rest of its chunks: not a crash.
        slots[src].final = true;
        sink.record_finished({slots[src].open_chunks.begin(), slots[src].open_chunks.end()});
        slots[src].open_chunks.clear();
        if (interrupted) begin_stop(StopReason::kSignal);
      }
      if (reason == StopReason::kNone) {
        if (limit.exceeded(sink.received(), sink.failed())) {
          begin_stop(StopReason::kFailureLimit);
        } else if (done()) {
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

// A worker receives chunks, evaluates them on its engine's threads, returns one batch per chunk;
// on a stop order or a signal it returns what it has and drains the master's messages.
void serve_as_worker(const mpi::communicator& world,
                     std::shared_ptr<const CampaignContext> context) {
  const ExecutionConfig& ex = context->config.execution;
  EvaluationEngine engine(context, world.rank(), static_cast<int>(ex.per_rank),
                          watchdog_seconds(ex));
  serve_as_worker(world, engine);
}

void serve_as_worker(const mpi::communicator& world, EvaluationEngine& engine) {
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

}  // namespace tmex::driver
