// Tests of ChunkScheduler: every pending task handed out exactly once, sizes adapt.
#include "driver/chunk_scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>

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

std::unique_ptr<PendingTasks> all_of(std::uint64_t n) {
  return std::make_unique<UnstoredTasks>(n, std::vector<storage::IdRange>{});
}

TEST(ChunkScheduler, HandsOutEveryPendingTaskOnceSkippingStoredOnes) {
  std::vector<bool> done(1000, false);
  std::vector<storage::IdRange> stored;
  for (std::uint64_t i = 0; i < done.size(); i += 3) {
    done[i] = true;
    stored.push_back({i, i + 1});
  }
  ChunkScheduler s(std::make_unique<UnstoredTasks>(1000, stored), 7, 4);
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

TEST(UnstoredTasks, IsTheComplementOfTheStoredRanges) {
  // Stored: [0, 5), [10, 12), [13, 20) and [95, 200), which runs past the end.
  UnstoredTasks t(100, {{0, 5}, {10, 12}, {13, 20}, {95, 200}});
  EXPECT_EQ(t.total(), 100u - 5 - 2 - 7 - 5);
  std::vector<std::uint64_t> ranges;
  EXPECT_EQ(t.take(3, ranges), 3u);
  EXPECT_EQ(t.take(1000, ranges), 78u);
  EXPECT_EQ(t.take(1000, ranges), 0u);
  EXPECT_EQ(ranges, (std::vector<std::uint64_t>{5, 8, 8, 10, 12, 13, 20, 95}));
}

TEST(UnstoredTasks, AHugeCampaignCostsNothingUpFront) {
  const std::uint64_t total = std::uint64_t{1} << 40;
  ChunkScheduler s(std::make_unique<UnstoredTasks>(total, std::vector<storage::IdRange>{{0, 1000}}),
                   0, 64);
  EXPECT_EQ(s.pending_total(), total - 1000);
  const WorkChunk c = s.next();
  ASSERT_EQ(c.ranges.size(), 2u);
  EXPECT_EQ(c.ranges[0], 1000u);
}

TEST(ChunkScheduler, ChunkSizeFollowsMeasuredCost) {
  ChunkScheduler cheap(all_of(10'000'000), 0, 2, 0.2);
  cheap.record_cost(1000, 1000 * 1e-6);  // 1 us per task
  EXPECT_GT(cheap.current_chunk_size(), 10000u);
  ChunkScheduler slow(all_of(10'000'000), 0, 2, 0.2);
  slow.record_cost(10, 10 * 0.5);  // 0.5 s per task
  EXPECT_EQ(slow.current_chunk_size(), 1u);
}

TEST(ChunkScheduler, AChunkKeepsEveryThreadOfARankBusy) {
  // 16 evaluations at once per rank, 4 ranks, a model of 1 s: one task per chunk would leave
  // 14 of each rank's 16 threads idle with two chunks in flight.
  ChunkScheduler s(all_of(100000), 0, 4 * 16, 0.2, 16);
  EXPECT_EQ(s.current_chunk_size(), 16u);  // before any cost is known
  s.record_cost(10, 10 * 1.0);
  EXPECT_EQ(s.current_chunk_size(), 16u);
  for (int i = 0; i < 40; ++i) s.record_cost(1000, 1000 * 1e-6);  // cheap after all
  EXPECT_GT(s.current_chunk_size(), 16u);                         // the time target rules again
  // Near the end too: the guided share (100 / (2 x 64) < 1) does not go below a rank's width.
  ChunkScheduler tail(all_of(100), 0, 4 * 16, 0.2, 16);
  tail.record_cost(10, 10 * 1.0);
  EXPECT_EQ(tail.current_chunk_size(), 16u);
  std::size_t chunks = 0;
  EXPECT_EQ(drain(tail, &chunks).size(), 100u);
  EXPECT_EQ(chunks, 7u);  // 6 x 16 + 4
}

TEST(ChunkScheduler, ShrinksNearTheEnd) {
  ChunkScheduler s(all_of(1000), 0, 4, 0.2);
  s.record_cost(100, 1e-7);
  EXPECT_LE(s.current_chunk_size(), 1000u / 8);
  std::size_t chunks = 0;
  drain(s, &chunks);
  EXPECT_GT(chunks, 8u);  // guided: many chunks, shrinking towards 1
}

TEST(ChunkScheduler, QuarantinedTasksComeFirstOnePerChunk) {
  // Quarantined tasks are not in the ordinary walk: the caller passes them as if stored.
  ChunkScheduler s(
      std::make_unique<UnstoredTasks>(20, std::vector<storage::IdRange>{{3, 4}, {7, 8}}), 5, 2, 0.2,
      1, {7, 3});
  EXPECT_EQ(s.pending_total(), 20u);
  ASSERT_TRUE(s.in_quarantine());
  EXPECT_EQ(s.next().ranges, (std::vector<std::uint64_t>{7, 8}));
  EXPECT_TRUE(s.in_quarantine());
  EXPECT_EQ(s.next().ranges, (std::vector<std::uint64_t>{3, 4}));
  EXPECT_FALSE(s.in_quarantine());
  std::vector<std::uint64_t> rest;
  while (!s.exhausted()) {
    const WorkChunk c = s.next();
    for (std::size_t i = 0; i + 1 < c.ranges.size(); i += 2) {
      for (auto t = c.ranges[i]; t < c.ranges[i + 1]; ++t) rest.push_back(t);
    }
  }
  EXPECT_EQ(rest.size(), 18u);
  EXPECT_EQ(std::count(rest.begin(), rest.end(), 3u), 0);
  EXPECT_EQ(std::count(rest.begin(), rest.end(), 7u), 0);
}

TEST(ChunkScheduler, FixedSizeIsRespected) {
  ChunkScheduler s(all_of(100), 10, 2);
  EXPECT_EQ(s.next().task_count(), 10u);
}

}  // namespace
}  // namespace tmex::driver
