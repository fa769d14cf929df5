// Which tasks to hand out next and how many at a time (adaptive, guided near the end).
#pragma once

#include <cstdint>
#include <vector>

#include "driver/result_batch.hpp"

namespace tmex::driver {

/// Walks the pending tasks (not yet stored) in order and cuts them into chunks whose size
/// follows the measured cost per task: chunks aim at `target_chunk_s` seconds of work, never
/// more than 1/(2 x workers) of what remains (guided self-scheduling, Polychronopoulos & Kuck
/// 1987), and at least 1 task. Quarantined tasks (in flight when an earlier session died) come
/// first, one per chunk; the caller runs them alone.
class ChunkScheduler {
 public:
  /// done[t] is true for stored tasks. fixed_chunk_size > 0 disables adaptation. `alone`: tasks
  /// to hand out first, one per chunk (they must not be pending in `done` as well).
  ChunkScheduler(std::vector<bool> done, std::uint64_t fixed_chunk_size, int workers,
                 double target_chunk_s = 0.2, std::vector<std::uint64_t> alone = {});

  /// The next chunk (empty ranges when nothing is left).
  WorkChunk next();
  /// True while quarantined tasks are left to hand out.
  bool in_quarantine() const { return next_alone_ < alone_.size(); }
  /// Feeds back a measured batch: tasks evaluated and seconds spent.
  void record_cost(std::uint64_t tasks, double busy_s);

  std::uint64_t pending_total() const { return pending_total_; }
  std::uint64_t remaining() const { return remaining_; }
  bool exhausted() const { return remaining_ == 0; }
  std::uint64_t current_chunk_size() const;

 private:
  std::vector<bool> done_;
  std::vector<std::uint64_t> alone_;
  std::size_t next_alone_ = 0;
  std::uint64_t cursor_ = 0;
  std::uint64_t pending_total_ = 0;
  std::uint64_t remaining_ = 0;
  std::uint64_t fixed_;
  int workers_;
  double target_s_;
  double cost_per_task_s_ = -1.0;  ///< <0: not yet measured
  std::uint64_t next_id_ = 0;
};

}  // namespace tmex::driver
