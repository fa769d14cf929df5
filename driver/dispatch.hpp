// The master/worker protocol shared by `tmex run` and `tmex verify`: configuration broadcast,
// work dispatch on rank 0 (or a single rank), evaluation on the workers.
#pragma once

#include <boost/mpi/communicator.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "driver/checkpoint_monitor.hpp"
#include "driver/chunk_scheduler.hpp"
#include "driver/errors.hpp"
#include "driver/evaluation_engine.hpp"
#include "driver/result_batch.hpp"
#include "models/model_registry.hpp"

namespace tmex::driver {

using Clock = std::chrono::steady_clock;

/// The configuration text, read by rank 0 for every rank.
struct ConfigText {
  bool ok = false;
  std::string yaml;
  std::string source;  ///< the file it came from (relative paths in it resolve next to it)
  /// The design algorithm version an existing store was built with (0: none, the newest): the
  /// design is built with it, so that a campaign stored by an older tmex gets its own points.
  int design_algorithm_version = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    // clang-format off
    ar & ok & yaml & source & design_algorithm_version;
    // clang-format on
  }
};

/// What rank 0 tells every rank once its set-up (store, selection) is done.
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

/// A campaign as every rank builds it from the broadcast text: its context, or why not.
struct PreparedCampaign {
  std::shared_ptr<CampaignContext> context;
  int code = kExitOk;  ///< kExitUsage for a config error, kExitError for anything else
  std::string error;
  std::string note;  ///< for rank 0 to print: the design was built in an older version
};

/// Parses `text` (every rank at the same time), applies `db_override`, builds the model and the
/// design (in text.design_algorithm_version where given), and prepares the design (a
/// materialised one is built here, on every rank at once). Never throws: failures come back in
/// code and error.
PreparedCampaign prepare_campaign(const ConfigText& text, const std::string& db_override,
                                  const models::ModelRegistry& registry);

/// Why a dispatch ended. kConverged: a campaign that stops itself converged at a checkpoint (its
/// runs are complete; work beyond it is abandoned).
enum class StopReason { kNone, kComplete, kConverged, kSignal, kDeadline, kFailureLimit };

/// "complete" (also when converged), "failure_limit" or "interrupted": a session's outcome.
const char* outcome_name(StopReason r);

/// Where rank 0 puts the results it receives (the store's writer, or verify's comparison).
/// Called from the dispatching thread only.
class ResultConsumer {
 public:
  virtual ~ResultConsumer() = default;
  /// Takes a batch; may wait (bounded memory). Throws to end the dispatch.
  virtual void add(ResultBatch&& batch) = 0;
  /// Returns when everything added so far is dealt with (committed).
  virtual void commit() = 0;
  /// Prints a progress line when one is due (or `force`).
  virtual void maybe_progress(bool force = false) = 0;
  virtual std::uint64_t received() const = 0;
  virtual std::uint64_t failed() const = 0;

  /// The crash quarantine's record (README, "Crashes that repeat"). A chunk handed to `rank`
  /// is recorded before it is sent, and goes out once durable(ticket) for the returned ticket.
  /// The default records nothing: every ticket is durable at once.
  virtual std::uint64_t record_dispatch(const WorkChunk& /*chunk*/, int /*rank*/) { return 0; }
  virtual bool durable(std::uint64_t /*ticket*/) const { return true; }
  /// Waits until durable(ticket) or `max_wait_s`; throws the consumer's error.
  virtual void wait_durable(std::uint64_t /*ticket*/, double /*max_wait_s*/) {}
  /// The chunks came back, or a live rank abandoned them: their records go.
  virtual void record_finished(const std::vector<std::uint64_t>& /*chunks*/) {}
  /// Throws the consumer's error, if it had one (for loops that wait on durable()).
  virtual void check() {}
};

/// How long a rank lets an evaluation run before its watchdog gives up on it: the model's own
/// deadline plus a grace period in which a cooperative model reports its time-out itself.
double watchdog_seconds(const ExecutionConfig& ex);

/// True when every rank says it is ready (a collective: every rank calls it once).
bool ready_everywhere(const boost::mpi::communicator& world, bool ready);

/// How rank 0 dispatches.
struct DispatchOptions {
  Clock::time_point deadline = Clock::time_point::max();  ///< stop cleanly after it
  /// Stop (kFailureLimit) when more than this fraction of the evaluations fails (after at least
  /// 50); 1 never stops.
  double max_failure_fraction = 1.0;
  /// A campaign that stops itself: how far work may be handed out, whether it converged, and
  /// whether every complete checkpoint is checked (nullptr: an ordinary campaign).
  const DispatchGate* gate = nullptr;
};

/// Single rank: evaluates on `engine`'s threads and dispatches on the calling thread, until the
/// scheduler is exhausted or a stop. Quarantined chunks run alone. Results of unfinished chunks
/// go to `sink` on a stop.
StopReason dispatch_single(EvaluationEngine& engine, ChunkScheduler& sched, ResultConsumer& sink,
                           const DispatchOptions& options);
/// The same with an engine of execution.per_rank threads made here (throws when they cannot
/// start).
StopReason dispatch_single(std::shared_ptr<const CampaignContext> context, ChunkScheduler& sched,
                           ResultConsumer& sink, const DispatchOptions& options);

/// Rank 0 of several: hands out chunks to the other ranks (two in flight each; a quarantined
/// chunk alone in the whole job), passes their results to `sink`, and on a stop collects what is
/// in flight within execution.drain_timeout_s; `drain_timed_out` tells when some rank did not
/// answer in time.
StopReason dispatch_master(const boost::mpi::communicator& world, const CampaignConfig& config,
                           ChunkScheduler& sched, ResultConsumer& sink,
                           const DispatchOptions& options, bool& drain_timed_out);

/// A worker rank: receives chunks, evaluates them on `engine`, returns one batch per chunk,
/// until rank 0's stop order (or a signal). Throws on MPI failure.
void serve_as_worker(const boost::mpi::communicator& world, EvaluationEngine& engine);
/// The same with an engine of execution.per_rank threads made here (throws when they cannot
/// start).
void serve_as_worker(const boost::mpi::communicator& world,
                     std::shared_ptr<const CampaignContext> context);

/// True when an evaluation thread is stuck in a model after a dispatch: the process must leave
/// with std::_Exit rather than run destructors under it.
bool evaluations_abandoned();

/// Seconds since `t`.
double seconds_since(Clock::time_point t);
/// CPU seconds (user + system) this process has used.
double process_cpu_s();
/// Peak resident memory of this process in MB.
double peak_rss_mb();
/// "12.3s", "4m05s", "2h10m", or "?" for a negative or absurd value.
std::string format_duration(double s);

}  // namespace tmex::driver
