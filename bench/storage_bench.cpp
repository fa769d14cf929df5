// Google Benchmark of the store: the rows/s ceiling for the `runs` rows of an ishigami campaign
// (tmex's CampaignStore::append, and raw sqlite3 on the same schema), and the resume query.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/campaign_store.hpp"

namespace {

using namespace tmex;

constexpr std::size_t kBatchRows = 20000;  // as ResultSink's commit size

// The ishigami example's store: 3 sampled parameters, 1 output.
storage::CampaignMeta ishigami_meta(std::uint64_t samples) {
  storage::CampaignMeta m;
  m.name = "storage-bench";
  m.seed = 1;
  m.samples = samples;
  m.replicates = 1;
  m.design = "lhs";
  m.model = "ishigami";
  for (const char* p : {"x1", "x2", "x3"})
    m.parameters.push_back({p, "uniform(min=-3.14, max=3.14)"});
  m.outputs = {"y"};
  m.config = "bench";
  m.config_hash = "0";
  m.tmex_version = "bench";
  return m;
}

std::string temp_path(const char* what) {
  return "/tmp/tmex-" + std::string(what) + "-" + std::to_string(::getpid()) + ".db";
}

void remove_store(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

storage::RunRecord record(std::uint64_t i) {
  storage::RunRecord r;
  r.sample = i;
  r.status = "ok";
  const double u = static_cast<double>(i % 1000) * 1e-3;
  r.parameters = {u, 1.0 - u, 0.5 * u};
  r.outputs = {std::sin(u)};
  r.elapsed_s = 1e-6;
  r.rank = 1;
  return r;
}

// tmex's own write path: CampaignStore::append, one transaction per batch of RunRecords.
void BM_StoreAppend(benchmark::State& state) {
  const auto rows = static_cast<std::uint64_t>(state.range(0));
  std::vector<storage::RunRecord> batch(kBatchRows);
  for (auto _ : state) {
    state.PauseTiming();
    const std::string path = temp_path("append");
    remove_store(path);
    {
      auto store = storage::CampaignStore::create(path, ishigami_meta(rows));
      store.begin_session({});
      state.ResumeTiming();
      for (std::uint64_t first = 0; first < rows; first += kBatchRows) {
        const std::size_t n = std::min<std::uint64_t>(kBatchRows, rows - first);
        for (std::size_t k = 0; k < n; ++k) batch[k] = record(first + k);
        store.append(std::span<const storage::RunRecord>(batch.data(), n));
      }
      state.PauseTiming();
    }
    remove_store(path);
    state.ResumeTiming();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StoreAppend)
    ->Arg(1000000)
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

// The true ceiling: the same schema (created by CampaignStore::create), raw sqlite3, one
// prepared statement bound from plain values, the same pragmas (WAL, synchronous=NORMAL,
// foreign keys), one transaction per batch.
void BM_RawSqliteInsert(benchmark::State& state) {
  const auto rows = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    const std::string path = temp_path("raw");
    remove_store(path);
    {
      auto store = storage::CampaignStore::create(path, ishigami_meta(rows));
      store.begin_session({});
    }
    sqlite3* db = nullptr;
    check(sqlite3_open(path.c_str(), &db), db, "open");
    check(sqlite3_exec(
              db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
              nullptr, nullptr, nullptr),
          db, "pragma");
    // Arg 1 = 1: a table with the same columns but no secondary index (no status index): what
    // the schema's extra B-tree costs.
    const bool plain = state.range(1) == 1;
    if (plain) {
      check(sqlite3_exec(db,
                         "CREATE TABLE runs_plain(id INTEGER PRIMARY KEY, sample INTEGER NOT NULL,"
                         " replicate INTEGER NOT NULL, block INTEGER NOT NULL, status TEXT NOT "
                         "NULL, attempts INTEGER, x1 REAL, x2 REAL, x3 REAL, y REAL, error TEXT,"
                         " elapsed_s REAL, rank INTEGER, session INTEGER REFERENCES sessions(id))",
                         nullptr, nullptr, nullptr),
            db, "create");
    }
    sqlite3_stmt* st = nullptr;
    check(sqlite3_prepare_v2(
              db,
              plain ? "INSERT INTO runs_plain(id,"
                      " sample, replicate, block, status, attempts, "
                      "x1, x2, x3, y, error, elapsed_s, rank, session) "
                      "VALUES (?1, ?1, 0, 0, 'ok', 1, ?2, ?3, ?4, ?5, NULL, ?6, 1, 1)"
                    : "INSERT INTO runs(id, sample, replicate, block, status, attempts, "
                      "x1, x2, x3, y, error, elapsed_s, rank, session) "
                      "VALUES (?1, ?1, 0, 0, 'ok', 1, ?2, ?3, ?4, ?5, NULL, ?6, 1, 1)",
              -1, &st, nullptr),
          db, "prepare");
    state.ResumeTiming();
    for (std::uint64_t first = 0; first < rows; first += kBatchRows) {
      const std::uint64_t end = std::min<std::uint64_t>(rows, first + kBatchRows);
      check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
      for (std::uint64_t i = first; i < end; ++i) {
        const double u = static_cast<double>(i % 1000) * 1e-3;
        sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(i));
        sqlite3_bind_double(st, 2, u);
        sqlite3_bind_double(st, 3, 1.0 - u);
        sqlite3_bind_double(st, 4, 0.5 * u);
        sqlite3_bind_double(st, 5, std::sin(u));
        sqlite3_bind_double(st, 6, 1e-6);
        check(sqlite3_step(st), db, "step");
        sqlite3_reset(st);
      }
      check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    }
    state.PauseTiming();
    sqlite3_finalize(st);
    sqlite3_close(db);
    remove_store(path);
    state.ResumeTiming();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RawSqliteInsert)
    ->Args({1000000, 0})
    ->Args({1000000, 1})
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Resume: CampaignStore::stored_ranges() on a store of N runs (N = 1e7 by default) of which
// about 1% failed (so the ids interleave two statuses) and every 1000th is missing (10^4 gaps).
// The store is filled inside SQLite (a recursive CTE through the storage API's Database::exec),
// which is much faster than going through MPI; it is created once and deleted at the end.
void BM_StoredRanges(benchmark::State& state) {
  const auto rows = static_cast<std::uint64_t>(state.range(0));
  const std::string path = temp_path("resume");
  remove_store(path);
  {
    auto store = storage::CampaignStore::create(path, ishigami_meta(rows));
    store.begin_session({});
    store.database().exec(
        "BEGIN; WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c LIMIT " +
        std::to_string(rows) +
        ") INSERT INTO runs(id, sample, replicate, block, status, attempts, x1, x2, x3, y, "
        "error, elapsed_s, rank, session) SELECT i, i, 0, 0, CASE WHEN i % 97 = 0 THEN "
        "'non_finite' ELSE 'ok' END, 1, (i % 997) * 1e-3, (i % 991) * 1e-3, (i % 983) * 1e-3, "
        "(i % 977) * 1e-3, NULL, 1e-6, 1, 1 FROM c WHERE i % 1000 <> 999; COMMIT");
  }
  std::uint64_t stored = 0;
  std::size_t ranges = 0;
  for (auto _ : state) {
    auto store = storage::CampaignStore::open_for_writing(path);
    const auto stored_ranges = store.stored_ranges();
    ranges = stored_ranges.size();
    stored = 0;
    for (const auto& r : stored_ranges) stored += r.end - r.begin;
  }
  remove_store(path);
  if (stored != rows - rows / 1000) state.SkipWithError("stored_ranges missed rows");
  state.counters["runs"] = static_cast<double>(stored);
  state.counters["ranges"] = static_cast<double>(ranges);
}
BENCHMARK(BM_StoredRanges)
    ->Arg(10000000)
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
