// Tests of ChunkScheduler: every pending task handed out exactly once, sizes adapt.
#include "driver/chunk_scheduler.hpp"

#include <gtest/gtest.h>

namespace tmex::driver {
namespace {

std::vector<std::uint64_t> drain(ChunkScheduler& s, std::size_t* chunks = nullptr) {
  std::vector<std::uint64_t> tasks;
  std::size_t n = 0;
  while (!s.exhausted()) {
    WorkChunk c = s.next();
    ++n;
    for (std::size_t i = 0; i + 1 < c.ranges.size(); i += 2) {
      for (auto t = c.ranges[i]; t < c.ranges[i + 1]; ++t) tasks.push_back(t);
    }
  }
  if (chunks) *chunks = n;
  return tasks;
}

TEST(ChunkScheduler, HandsOutEveryPendingTaskOnceSkippingStoredOnes) {
  std::vector<bool> done(1000, false);
  for (std::size_t i = 0; i < done.size(); i += 3) done[i] = true;
  ChunkScheduler s(done, 7, 4);
  EXPECT_EQ(s.pending_total(), 666u);
  const auto tasks = drain(s);
  ASSERT_EQ(tasks.size(), 666u);
  std::vector<bool> seen(1000, false);
  for (auto t : tasks) {
    ASSERT_FALSE(done[t]);
    ASSERT_FALSE(seen[t]);
    seen[t] = true;
  }
}

TEST(ChunkScheduler, ChunkSizeFollowsMeasuredCost) {
  ChunkScheduler cheap(std::vector<bool>(10'000'000, false), 0, 2, 0.2);
  cheap.record_cost(1000, 1000 * 1e-6);  // 1 us per task
  EXPECT_GT(cheap.current_chunk_size(), 10000u);
  ChunkScheduler slow(std::vector<bool>(10'000'000, false), 0, 2, 0.2);
  slow.record_cost(10, 10 * 0.5);  // 0.5 s per task
  EXPECT_EQ(slow.current_chunk_size(), 1u);
}

TEST(ChunkScheduler, AChunkKeepsEveryThreadOfARankBusy) {
  // 16 evaluations at once per rank, 4 ranks, a model of 1 s: one task per chunk would leave
  // 14 of each rank's 16 threads idle with two chunks in flight.
  ChunkScheduler s(std::vector<bool>(100'000, false), 0, 4 * 16, 0.2, 16);
  EXPECT_EQ(s.current_chunk_size(), 16u);  // before any cost is known
  s.record_cost(10, 10 * 1.0);
  EXPECT_EQ(s.current_chunk_size(), 16u);
  for (int i = 0; i < 40; ++i) s.record_cost(1000, 1000 * 1e-6);  // cheap after all
  EXPECT_GT(s.current_chunk_size(), 16u);                         // the time target rules again
  // Near the end too: the guided share (100 / (2 x 64) < 1) does not go below a rank's width.
  ChunkScheduler tail(std::vector<bool>(100, false), 0, 4 * 16, 0.2, 16);
  tail.record_cost(10, 10 * 1.0);
  EXPECT_EQ(tail.current_chunk_size(), 16u);
  std::size_t chunks = 0;
  EXPECT_EQ(drain(tail, &chunks).size(), 100u);
  EXPECT_EQ(chunks, 7u);  // 6 x 16 + 4
}

TEST(ChunkScheduler, ShrinksNearTheEnd) {
  ChunkScheduler s(std::vector<bool>(1000, false), 0, 4, 0.2);
  s.record_cost(100, 1e-7);
  EXPECT_LE(s.current_chunk_size(), 1000u / 8);
  std::size_t chunks = 0;
  drain(s, &chunks);
  EXPECT_GT(chunks, 8u);  // guided: many chunks, shrinking towards 1
}

TEST(ChunkScheduler, FixedSizeIsRespected) {
  ChunkScheduler s(std::vector<bool>(100, false), 10, 2);
  EXPECT_EQ(s.next().task_count(), 10u);
}

}  // namespace
}  // namespace tmex::driver
