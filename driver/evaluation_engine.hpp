// Runs the evaluations of a rank on worker threads, so that the rank's main thread stays free
// for messages, signals and a watchdog that bounds evaluations which ignore their deadline.
#pragma once

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "driver/campaign_config.hpp"
#include "driver/result_batch.hpp"

namespace tmex::driver {

/// What every evaluation thread shares; kept alive by the threads themselves, so that a thread
/// abandoned in a hung model never sees it destroyed.
struct CampaignContext {
  CampaignConfig config;
  CampaignSetup setup;
};

/// Evaluates submitted chunks on `threads` threads and hands back one ResultBatch per chunk.
/// The owner polls: take_completed(), check_watchdog(), wait(). Not thread-safe itself: one
/// owning thread calls its methods.
class EvaluationEngine {
 public:
  /// watchdog_s > 0: an evaluation running longer is recorded as a time-out and abandoned.
  /// Throws std::runtime_error (and leaves no thread behind) when the threads cannot start.
  EvaluationEngine(std::shared_ptr<const CampaignContext> context, int rank, int threads,
                   double watchdog_s);
  ~EvaluationEngine();
  EvaluationEngine(const EvaluationEngine&) = delete;
  EvaluationEngine& operator=(const EvaluationEngine&) = delete;

  void submit(WorkChunk chunk);
  /// Batches of the chunks finished since the last call, in completion order.
  std::vector<ResultBatch> take_completed();
  /// Records evaluations past the watchdog limit as time-outs and replaces their threads.
  void check_watchdog();
  /// Stops: drops queued work, abandons running evaluations, returns the rows finished so far
  /// of unfinished chunks (may be empty).
  ResultBatch cancel();
  /// Waits until a chunk completes or `max_wait_s` passes.
  void wait(double max_wait_s);

  /// Chunks submitted and not yet taken back.
  std::size_t chunks_in_flight() const;
  /// Threads stuck in an evaluation that the watchdog or cancel() gave up on.
  int abandoned_threads() const;

 private:
  struct State;
  static void thread_main(std::shared_ptr<State> state,
                          std::shared_ptr<const CampaignContext> context, int rank,
                          std::size_t slot, std::uint64_t generation);
  void start_thread(std::size_t slot);  // with state->mutex held

  std::shared_ptr<const CampaignContext> context_;
  int rank_;
  double watchdog_s_;
  /// Shared with the threads, so that an abandoned thread outliving the engine stays safe.
  std::shared_ptr<State> state_;
  std::vector<std::thread> threads_;
};

/// Appends the rows of `src` to `dst` (same campaign).
void append_rows(ResultBatch& dst, const ResultBatch& src);

}  // namespace tmex::driver
