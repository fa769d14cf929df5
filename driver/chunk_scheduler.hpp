// Which tasks to hand out next and how many at a time (adaptive, guided near the end).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "driver/result_batch.hpp"
#include "storage/campaign_store.hpp"

namespace tmex::driver {

/// The tasks still to hand out, in increasing order, produced lazily (no structure as large as
/// the campaign).
class PendingTasks {
 public:
  virtual ~PendingTasks() = default;
  /// How many tasks take() will yield in all, from the start.
  virtual std::uint64_t total() const = 0;
  /// Appends up to `want` next tasks to `ranges` as half-open (begin, end) pairs; returns how
  /// many it appended (0 only when none is left).
  virtual std::uint64_t take(std::uint64_t want, std::vector<std::uint64_t>& ranges) = 0;
  /// Yield only tasks below `limit` until it is raised (a campaign that stops itself hands out
  /// the runs of the checkpoints it may still need). Default: no limit is kept.
  virtual void set_limit(std::uint64_t /*limit*/) {}
  /// True when tasks are left but none below the limit.
  virtual bool waiting() const { return false; }
};

/// The tasks of [0, total) that are not stored: the complement of sorted, disjoint stored
/// ranges. Memory O(stored ranges).
class UnstoredTasks final : public PendingTasks {
 public:
  UnstoredTasks(std::uint64_t total, std::vector<storage::IdRange> stored);
  std::uint64_t total() const override { return pending_; }
  std::uint64_t take(std::uint64_t want, std::vector<std::uint64_t>& ranges) override;
  void set_limit(std::uint64_t limit) override { limit_ = std::min(limit, total_); }
  bool waiting() const override;

 private:
  std::uint64_t total_;
  std::uint64_t limit_;  ///< tasks at or above it are not yielded (yet)
  std::vector<storage::IdRange> stored_;
  std::size_t next_stored_ = 0;  ///< first stored range that ends after cursor_
  std::uint64_t cursor_ = 0;
  std::uint64_t pending_ = 0;
};

/// Walks the pending tasks and cuts them into chunks whose size follows the measured cost per
/// task: chunks aim at `target_chunk_s` seconds of work, never more than 1/(2 x workers) of what
/// remains (guided self-scheduling, Polychronopoulos & Kuck 1987), and never fewer than
/// `min_chunk` tasks (a rank's evaluations at once, so that its two chunks in flight keep every
/// evaluation thread busy) or 1. Quarantined tasks (in flight when an earlier session died) come
/// first, one per chunk; the caller runs them alone.
class ChunkScheduler {
 public:
  /// fixed_chunk_size > 0 disables adaptation. `workers` counts evaluation threads over all
  /// ranks. `alone`: tasks to hand out first, one per chunk (`pending` must not yield them as
  /// well).
  ChunkScheduler(std::unique_ptr<PendingTasks> pending, std::uint64_t fixed_chunk_size, int workers,
                 double target_chunk_s = 0.2, std::uint64_t min_chunk = 1,
                 std::vector<std::uint64_t> alone = {});

  /// The next chunk (empty ranges when nothing is left, or none is below the limit).
  WorkChunk next();
  /// Hand out only tasks below `limit` (quarantined ones excepted) until it is raised.
  void set_limit(std::uint64_t limit) { pending_->set_limit(limit); }
  /// True when next() has a chunk to give now.
  bool can_dispatch() const { return !exhausted() && (in_quarantine() || !pending_->waiting()); }
  /// True while quarantined tasks are left to hand out.
  bool in_quarantine() const { return next_alone_ < alone_.size(); }
  /// Feeds back a measured batch: tasks evaluated and seconds spent.
  void record_cost(std::uint64_t tasks, double busy_s);

  std::uint64_t pending_total() const { return pending_total_; }
  std::uint64_t remaining() const { return remaining_; }
  bool exhausted() const { return remaining_ == 0; }
  std::uint64_t current_chunk_size() const;

 private:
  std::unique_ptr<PendingTasks> pending_;
  std::vector<std::uint64_t> alone_;
  std::size_t next_alone_ = 0;
  std::uint64_t pending_total_ = 0;
  std::uint64_t remaining_ = 0;
  std::uint64_t fixed_;
  int workers_;
  double target_s_;
  std::uint64_t min_chunk_;
  double cost_per_task_s_ = -1.0;  ///< <0: not yet measured
  std::uint64_t next_id_ = 0;
};

}  // namespace tmex::driver
