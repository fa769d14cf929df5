// ChunkScheduler: adaptive chunk sizing over a lazily produced set of pending tasks.
#include "driver/chunk_scheduler.hpp"

#include <algorithm>
#include <cmath>

namespace tmex::driver {

namespace {
constexpr std::uint64_t kInitialChunk = 4;
constexpr std::uint64_t kMaxChunk = 65536;
}  // namespace

UnstoredTasks::UnstoredTasks(std::uint64_t total, std::vector<storage::IdRange> stored)
    : total_(total), limit_(total), stored_(std::move(stored)), pending_(total) {
  for (const auto& r : stored_) {
    const std::uint64_t b = std::min(r.begin, total_), e = std::min(r.end, total_);
    pending_ -= e > b ? e - b : 0;
  }
}

bool UnstoredTasks::waiting() const {
  // The next task to yield: the cursor, moved past the stored ranges it is in.
  std::uint64_t next = cursor_;
  for (std::size_t i = next_stored_; i < stored_.size() && stored_[i].begin <= next; ++i) {
    next = std::max(next, stored_[i].end);
  }
  return next < total_ && next >= limit_;
}

std::uint64_t UnstoredTasks::take(std::uint64_t want, std::vector<std::uint64_t>& ranges) {
  std::uint64_t taken = 0;
  while (taken < want && cursor_ < limit_) {
    while (next_stored_ < stored_.size() && stored_[next_stored_].end <= cursor_) ++next_stored_;
    if (next_stored_ < stored_.size() && stored_[next_stored_].begin <= cursor_) {
      cursor_ = stored_[next_stored_].end;  // inside a stored range: jump over it
      continue;
    }
    const std::uint64_t gap_end =
        next_stored_ < stored_.size() ? std::min(stored_[next_stored_].begin, limit_) : limit_;
    const std::uint64_t end = std::min(gap_end, cursor_ + (want - taken));
    ranges.push_back(cursor_);
    ranges.push_back(end);
    taken += end - cursor_;
    cursor_ = end;
  }
  return taken;
}

ChunkScheduler::ChunkScheduler(std::unique_ptr<PendingTasks> pending,
                               std::uint64_t fixed_chunk_size, int workers, double target_chunk_s,
                               std::uint64_t min_chunk, std::vector<std::uint64_t> alone)
    : pending_(std::move(pending)),
      alone_(std::move(alone)),
      fixed_(fixed_chunk_size),
      workers_(std::max(1, workers)),
      target_s_(target_chunk_s),
      min_chunk_(std::clamp<std::uint64_t>(min_chunk, 1, kMaxChunk)) {
  pending_total_ = pending_->total() + alone_.size();
  remaining_ = pending_total_;
}

std::uint64_t ChunkScheduler::current_chunk_size() const {
  if (fixed_ > 0) return fixed_;
  std::uint64_t n = std::max(kInitialChunk, min_chunk_);
  if (cost_per_task_s_ > 0.0) {
    n = static_cast<std::uint64_t>(std::clamp(target_s_ / cost_per_task_s_,
                                              static_cast<double>(min_chunk_),
                                              static_cast<double>(kMaxChunk)));
  } else if (cost_per_task_s_ == 0.0) {
    n = kMaxChunk;
  }
  const std::uint64_t guided =
      std::max<std::uint64_t>(1, remaining_ / (2 * static_cast<std::uint64_t>(workers_)));
  // Not below a rank's evaluations at once, also near the end: fewer would idle its threads,
  // and P tasks on P threads take one evaluation's time, the least imbalance possible anyway.
  return std::max(min_chunk_, std::min(n, guided));
}

WorkChunk ChunkScheduler::next() {
  WorkChunk chunk;
  chunk.id = next_id_++;
  if (in_quarantine()) {
    const std::uint64_t task = alone_[next_alone_++];
    chunk.ranges = {task, task + 1};
    --remaining_;
    return chunk;
  }
  const std::uint64_t want = std::min(current_chunk_size(), remaining_);
  const std::uint64_t taken = pending_->take(want, chunk.ranges);
  // A source yields exactly total() tasks; should one fall short (other than at its limit),
  // stop rather than spin.
  remaining_ = taken < want && !pending_->waiting() ? 0 : remaining_ - taken;
  return chunk;
}

void ChunkScheduler::record_cost(std::uint64_t tasks, double busy_s) {
  if (tasks == 0) return;
  const double c = std::max(0.0, busy_s) / static_cast<double>(tasks);
  // Exponential moving average: adapts within a few batches, ignores single outliers.
  cost_per_task_s_ = cost_per_task_s_ < 0.0 ? c : 0.7 * cost_per_task_s_ + 0.3 * c;
}

}  // namespace tmex::driver
