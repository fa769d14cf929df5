// ChunkScheduler: pending-task cursor and adaptive chunk sizing.
#include "driver/chunk_scheduler.hpp"

#include <algorithm>
#include <cmath>

namespace tmex::driver {

namespace {
constexpr std::uint64_t kInitialChunk = 4;
constexpr std::uint64_t kMaxChunk = 65536;
}  // namespace

ChunkScheduler::ChunkScheduler(std::vector<bool> done, std::uint64_t fixed_chunk_size, int workers,
                               double target_chunk_s, std::uint64_t min_chunk)
    : done_(std::move(done)),
      fixed_(fixed_chunk_size),
      workers_(std::max(1, workers)),
      target_s_(target_chunk_s),
      min_chunk_(std::clamp<std::uint64_t>(min_chunk, 1, kMaxChunk)) {
  pending_total_ = static_cast<std::uint64_t>(std::count(done_.begin(), done_.end(), false));
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
  std::uint64_t want = std::min(current_chunk_size(), remaining_);
  const std::uint64_t total = done_.size();
  while (want > 0 && cursor_ < total) {
    while (cursor_ < total && done_[cursor_]) ++cursor_;
    if (cursor_ >= total) break;
    const std::uint64_t begin = cursor_;
    while (cursor_ < total && !done_[cursor_] && cursor_ - begin < want) ++cursor_;
    chunk.ranges.push_back(begin);
    chunk.ranges.push_back(cursor_);
    want -= cursor_ - begin;
    remaining_ -= cursor_ - begin;
  }
  return chunk;
}

void ChunkScheduler::record_cost(std::uint64_t tasks, double busy_s) {
  if (tasks == 0) return;
  const double c = std::max(0.0, busy_s) / static_cast<double>(tasks);
  // Exponential moving average: adapts within a few batches, ignores single outliers.
  cost_per_task_s_ = cost_per_task_s_ < 0.0 ? c : 0.7 * cost_per_task_s_ + 0.3 * c;
}

}  // namespace tmex::driver
