// Tests of the campaign store: schema round trip, atomic batches, resume mask, refusals.
#include "storage/campaign_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>

#include "storage/legacy_meta.hpp"
#include "tests/storage/store_test_support.hpp"

namespace tmex::storage {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_folder("tmex-store");
    path_ = (dir_ / "c.db").string();
    meta_ = testing::small_campaign_meta();
    meta_.parameters = {{"a", "uniform(min=0, max=1)"}, {"b", "uniform(min=0, max=1)"}};
    meta_.config_yaml = "campaign: {name: t}\n";
    meta_.config_file = "/somewhere/c.yaml";
    meta_.design_algorithm_version = 2;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static RunRecord run(std::uint64_t sample, std::uint32_t rep, double y) {
    RunRecord r;
    r.sample = sample;
    r.replicate = rep;
    r.status = std::isfinite(y) ? "ok" : "non_finite";
    r.parameters = {0.1 * static_cast<double>(sample), 0.5};
    r.outputs = {y};
    if (!std::isfinite(y)) r.error = "y is NaN, really, \"quoted\"";
    return r;
  }

  fs::path dir_;
  std::string path_;
  CampaignMeta meta_;
};

TEST_F(StoreTest, CreateThenOpenRoundTripsTheMetadata) {
  { CampaignStore::create(path_, meta_); }
  auto s = CampaignStore::open_read_only(path_);
  EXPECT_EQ(s.meta().name, "t");
  EXPECT_EQ(s.meta().samples, 10u);
  EXPECT_EQ(s.meta().replicates, 2u);
  ASSERT_EQ(s.meta().parameters.size(), 2u);
  EXPECT_EQ(s.meta().parameters[1].name, "b");
  EXPECT_EQ(s.meta().outputs, std::vector<std::string>{"y"});
  EXPECT_EQ(s.meta().config, meta_.config);
  EXPECT_EQ(s.meta().config_yaml, meta_.config_yaml);
  EXPECT_EQ(s.meta().config_file, meta_.config_file);
  EXPECT_EQ(s.meta().design_algorithm_version, 2);
  EXPECT_EQ(s.schema_version(), kSchemaVersion);
}

TEST_F(StoreTest, TheRunsTableHasItsOwnColumnsAndOnePerParameterAndOutput) {
  { CampaignStore::create(path_, meta_); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('runs')", -1, &st, nullptr),
            SQLITE_OK);
  std::set<std::string> columns;
  while (sqlite3_step(st) == SQLITE_ROW) {
    columns.insert(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::set<std::string> expected = {"a", "b", "y"};
  for (const auto& c : kRunColumns) expected.insert(std::string(c.name));
  expected.erase("arm");  // only in stores of campaigns with arms (arms_store_test.cpp)
  EXPECT_EQ(columns, expected);
  EXPECT_TRUE(is_run_column("session"));
  EXPECT_FALSE(is_run_column("y"));
}

TEST_F(StoreTest, TypedMetadataIsStoredAsData) {
  meta_.design = "saltelli(N=2, k=2, base=sobol(n=2, k=4, seed=3, scramble=owen))";
  meta_.samples = 8;
  meta_.layout = {"saltelli", 4};
  meta_.parameters[0].kind = "uniform";
  meta_.parameters[0].arguments = {{"min", 0.0}, {"max", 1.0}};
  meta_.parameters[1] = {
      "b", "discrete(levels=[1, 2.5])", "discrete", {{"level", 1.0}, {"level", 2.5}}, true};
  meta_.arms = {{"chemo", ""}, {"il6", "model.settings.il6_block: 0.9"}};
  { CampaignStore::create(path_, meta_); }
  const auto s = CampaignStore::open_read_only(path_);
  const auto& m = s.meta();
  EXPECT_EQ(s.schema_version(), kSchemaVersion);
  EXPECT_EQ(m.layout, (DesignLayout{"saltelli", 4}));
  ASSERT_EQ(m.parameters.size(), 2u);
  EXPECT_EQ(m.parameters[0].kind, "uniform");
  EXPECT_EQ(m.parameters[0].arguments, meta_.parameters[0].arguments);
  EXPECT_FALSE(m.parameters[0].dummy);
  EXPECT_EQ(m.parameters[1].kind, "discrete");
  EXPECT_EQ(m.parameters[1].arguments, meta_.parameters[1].arguments);
  EXPECT_TRUE(m.parameters[1].dummy);
  EXPECT_EQ(m.arms, meta_.arms);
  // A campaign without arms has no arms table.
  const std::string plain = (dir_ / "plain.db").string();
  meta_.arms.clear();
  { CampaignStore::create(plain, meta_); }
  EXPECT_TRUE(CampaignStore::open_read_only(plain).meta().arms.empty());
}

TEST_F(StoreTest, SchemaOneStoresAreReadButNotResumed) {
  meta_.design = "morris(r=2, k=2, levels=4, placement=endpoints, seed=3)";
  meta_.samples = 6;
  meta_.parameters = {{"a", "truncnormal(mean=0, sd=1, min=-inf, max=2)"},
                      {"b", "discrete(levels=[-1, 0.5, 3])"}};
  meta_.config =
      "parameters.a: #0 truncnormal(mean=0, sd=1, min=-inf, max=2)\n"
      "parameters.b: #1 discrete(levels=[-1, 0.5, 3]) dummy\n";
  {
    auto s = CampaignStore::create(path_, meta_);
    s.append(std::vector<RunRecord>{run(0, 0, 1.0)});
  }
  // What tmex 0.1.0 wrote: no typed metadata, user_version 1.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE parameter_arguments; ALTER TABLE parameters DROP COLUMN kind;"
                         "ALTER TABLE parameters DROP COLUMN dummy; DELETE FROM meta WHERE key IN"
                         " ('design_kind', 'design_group_size'); PRAGMA user_version = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto s = CampaignStore::open_read_only(path_);
  const auto& m = s.meta();
  EXPECT_EQ(s.schema_version(), 1);
  EXPECT_EQ(m.layout, (DesignLayout{"morris", 3}));
  EXPECT_EQ(m.parameters[0].kind, "truncnormal");
  ASSERT_EQ(m.parameters[0].arguments.size(), 4u);
  EXPECT_EQ(m.parameters[0].arguments[2].name, "min");
  EXPECT_EQ(m.parameters[0].arguments[2].value, -std::numeric_limits<double>::infinity());
  EXPECT_FALSE(m.parameters[0].dummy);
  EXPECT_EQ(m.parameters[1].kind, "discrete");
  EXPECT_EQ(m.parameters[1].arguments,
            (std::vector<DistributionArgument>{{"level", -1}, {"level", 0.5}, {"level", 3}}));
  EXPECT_TRUE(m.parameters[1].dummy);
  try {
    CampaignStore::open_for_writing(path_);
    FAIL() << "a schema-1 store was opened for writing";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("can be read"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not resumed"), std::string::npos) << e.what();
  }
}

TEST(LegacyMeta, DesignKindsAndGroupSizesFromDescriptions) {
  EXPECT_EQ(legacy_design_layout("lhs(n=10, k=3, seed=1, jitter=random)", 3),
            (DesignLayout{"lhs", 1}));
  EXPECT_EQ(legacy_design_layout("extension(of=lhs(n=10, k=3), to=lhs(n=20, k=3))", 3),
            (DesignLayout{"lhs", 1}));
  EXPECT_EQ(legacy_design_layout("saltelli(N=8, k=3, base=sobol(n=8, k=6))", 3),
            (DesignLayout{"saltelli", 5}));
  EXPECT_EQ(legacy_design_layout("grid(levels=[2, 3])", 2), (DesignLayout{"grid", 1}));
  ParameterColumn garbage{"x", "uniform(min=zero, max=1)"};
  fill_legacy_parameter(garbage, "");
  EXPECT_EQ(garbage.kind, "");
  EXPECT_TRUE(garbage.arguments.empty());
}

TEST_F(StoreTest, AppendStoresRowsAndTheRangesSeeThem) {
  auto s = CampaignStore::create(path_, meta_);
  std::vector<RunRecord> batch = {run(0, 0, 1.0), run(0, 1, 2.0), run(7, 1, std::nan(""))};
  s.append(batch);
  EXPECT_EQ(s.stored_ranges(), (std::vector<IdRange>{{0, 2}, {15, 16}}));
  const auto st = s.status();
  EXPECT_EQ(st.stored, 3);
  EXPECT_EQ(st.ok, 2);
  EXPECT_EQ(st.failed, 1);
  ASSERT_EQ(st.failures.size(), 1u);
  EXPECT_EQ(st.failures[0].status, "non_finite");
  EXPECT_EQ(st.failures[0].example_samples, std::vector<std::int64_t>{7});
  const auto cols = s.read_ok_columns({"a", "y"});
  EXPECT_EQ(cols[1], (std::vector<double>{1.0, 2.0}));
}

TEST_F(StoreTest, ABatchIsAllOrNothing) {
  auto s = CampaignStore::create(path_, meta_);
  s.append(std::vector<RunRecord>{run(1, 0, 1.0)});
  // The duplicate of (1, 0) makes the whole batch fail; (2, 0) must not be stored either.
  std::vector<RunRecord> bad = {run(2, 0, 1.0), run(1, 0, 5.0)};
  EXPECT_THROW(s.append(bad), StorageError);
  EXPECT_EQ(s.stored_ranges(), (std::vector<IdRange>{{2, 3}}));
  EXPECT_EQ(s.status().stored, 1);
}

TEST_F(StoreTest, StoredRangesMergeEveryStatusInIdOrder) {
  meta_.samples = 1000;
  meta_.replicates = 1;
  auto s = CampaignStore::create(path_, meta_);
  std::vector<RunRecord> batch;
  // Ids 0..99 and 200..299 stored, out of order, every third one failed; 150 alone; 999 last.
  for (std::uint64_t i = 300; i-- > 0;) {
    if (i >= 100 && i < 200 && i != 150) continue;
    batch.push_back(run(i, 0, i % 3 == 0 ? std::nan("") : 1.0));
  }
  batch.push_back(run(999, 0, 2.0));
  s.append(batch);
  EXPECT_EQ(s.stored_ranges(),
            (std::vector<IdRange>{{0, 100}, {150, 151}, {200, 300}, {999, 1000}}));
  auto empty = CampaignStore::create((dir_ / "empty.db").string(), meta_);
  EXPECT_TRUE(empty.stored_ranges().empty());
}

TEST_F(StoreTest, ReadRunReturnsTheStoredRowAndItsTrajectories) {
  meta_.trajectory_variables = {"u", "v"};
  meta_.trajectory_times = {0.0, 1.0, 2.0};
  auto s = CampaignStore::create(path_, meta_);
  RunRecord ok = run(3, 1, -0.0);
  ok.trajectories = {1, 2, 3, 4, 5, 6};
  ok.attempts = 2;
  ok.block = 4;
  s.append(std::vector<RunRecord>{ok, run(4, 0, std::nan(""))});
  const auto r = s.read_run(3 * 2 + 1);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->sample, 3u);
  EXPECT_EQ(r->replicate, 1u);
  EXPECT_EQ(r->block, 4);
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(r->status, "ok");
  EXPECT_EQ(r->parameters, ok.parameters);
  EXPECT_EQ(r->trajectories, ok.trajectories);
  // SQLite keeps a REAL with an integral value as an integer: -0.0 reads back as +0.0.
  EXPECT_EQ(r->outputs[0], 0.0);
  const auto failed = s.read_run(8);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->status, "non_finite");
  EXPECT_TRUE(std::isnan(failed->outputs[0]));
  EXPECT_TRUE(std::isnan(failed->trajectories[0]));  // failed runs store no trajectories
  EXPECT_FALSE(s.read_run(9).has_value());
}

TEST_F(StoreTest, SchemaVersionOneStoresOpenReadOnlyButAreNotResumed) {
  {
    auto s = CampaignStore::create(path_, meta_);
    s.begin_session({1, "h", "tmex run", "", "", {{"tmex_commit", "abc"}}, ""});
    s.append(std::vector<RunRecord>{run(0, 0, 1.0)});
  }
  // What tmex 0.1.0 wrote: version 1, no provenance table, no config source.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "PRAGMA user_version = 1; DROP TABLE session_provenance;"
                         "ALTER TABLE sessions DROP COLUMN slurm_array_job_id;"
                         "DELETE FROM meta WHERE key IN ('config_yaml', 'config_file',"
                         " 'design_algorithm_version'); PRAGMA wal_checkpoint(TRUNCATE);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  std::ifstream before_in(path_, std::ios::binary);
  const std::string before((std::istreambuf_iterator<char>(before_in)), {});
  {
    auto r = CampaignStore::open_read_only(path_);
    EXPECT_EQ(r.schema_version(), 1);
    EXPECT_EQ(r.meta().design_algorithm_version, 1);
    EXPECT_TRUE(r.meta().config_yaml.empty());
    const auto st = r.status();
    EXPECT_EQ(st.stored, 1);
    ASSERT_EQ(st.sessions.size(), 1u);
    EXPECT_TRUE(st.sessions[0].provenance.empty());
    EXPECT_EQ(st.sessions[0].slurm_array_job_id, "");
  }
  try {
    CampaignStore::open_for_writing(path_);
    FAIL() << "resumed a version 1 store";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("can be read"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tmex test"), std::string::npos) << e.what();
  }
  std::ifstream after_in(path_, std::ios::binary);
  const std::string after((std::istreambuf_iterator<char>(after_in)), {});
  EXPECT_EQ(before, after);
}

TEST_F(StoreTest, RejectsRowsOutsideTheCampaign) {
  auto s = CampaignStore::create(path_, meta_);
  EXPECT_THROW(s.append(std::vector<RunRecord>{run(10, 0, 1.0)}), StorageError);
  EXPECT_THROW(s.append(std::vector<RunRecord>{run(0, 2, 1.0)}), StorageError);
}

TEST_F(StoreTest, RefusesToOverwriteAnExistingFile) {
  { std::ofstream(path_) << "precious"; }
  EXPECT_THROW(CampaignStore::create(path_, meta_), StorageError);
  std::ifstream in(path_);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(StoreTest, RefusesFilesThatAreNotTmexStoresAndLeavesThemAlone) {
  { std::ofstream(path_) << "not a database at all, just text\n"; }
  try {
    CampaignStore::open_for_writing(path_);
    FAIL() << "opened a text file";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("not a tmex store"), std::string::npos) << e.what();
  }
  const std::string other = (dir_ / "other.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE x(a); INSERT INTO x VALUES (1);", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const auto size_before = fs::file_size(other);
  EXPECT_THROW(CampaignStore::open_for_writing(other), StorageError);
  EXPECT_EQ(fs::file_size(other), size_before);
  EXPECT_FALSE(fs::exists(other + "-wal"));
}

TEST_F(StoreTest, RefusesAStoreFromANewerSchema) {
  { CampaignStore::create(path_, meta_); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  try {
    CampaignStore::open_read_only(path_);
    FAIL() << "opened a newer store";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_F(StoreTest, RecordsTheModelVersion) {
  meta_.model_version = 2;
  { CampaignStore::create(path_, meta_); }
  EXPECT_EQ(CampaignStore::open_read_only(path_).meta().model_version, 2);
  EXPECT_EQ(CampaignStore::open_for_writing(path_).meta().model_version, 2);
}

TEST_F(StoreTest, OpensASchemaOneStoreWhoseModelVersionReadsAsOne) {
  {
    auto store = CampaignStore::create(path_, meta_);
    store.append(std::vector<RunRecord>{run(0, 0, 1.0)});
  }
  // What a tmex of schema 1 wrote: no model_version key, user_version 1.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DELETE FROM meta WHERE key = 'model_version'; "
                         "UPDATE meta SET value = '1' WHERE key = 'schema_version'; "
                         "PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto reader = CampaignStore::open_read_only(path_);
  EXPECT_EQ(reader.meta().model_version, 1);
  EXPECT_EQ(reader.status().stored, 1);
}

TEST_F(StoreTest, OneWriterAtATimeButReadersAreWelcome) {
  auto writer = CampaignStore::create(path_, meta_);
  writer.append(std::vector<RunRecord>{run(0, 0, 1.0)});
  try {
    CampaignStore::open_for_writing(path_);
    FAIL() << "second writer accepted";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("another tmex run"), std::string::npos) << e.what();
  }
  auto reader = CampaignStore::open_read_only(path_);
  EXPECT_EQ(reader.status().stored, 1);
}

TEST_F(StoreTest, SessionsAreRecordedAndCrashedOnesMarked) {
  {
    auto s = CampaignStore::create(path_, meta_);
    // Task 3 of array job 74 runs as job 77.
    s.begin_session({2, "h", "tmex run", "77", "3", {}, "74"});
    s.append(std::vector<RunRecord>{run(0, 0, 1.0)});
    // no end_session: the process "crashed"
  }
  auto s = CampaignStore::open_for_writing(path_);
  const KeyValues provenance = {{"tmex_commit", "0123abc"}, {"compiler", "GNU 12.2.0"}};
  const auto id = s.begin_session({1, "h", "tmex run", "", "", provenance, ""});
  s.end_session(id, "complete");
  const auto st = s.status();
  ASSERT_EQ(st.sessions.size(), 2u);
  EXPECT_EQ(st.sessions[0].outcome, "crashed");
  EXPECT_EQ(st.sessions[0].runs_stored, 1);
  EXPECT_EQ(st.sessions[0].slurm_job_id, "77");
  EXPECT_EQ(st.sessions[0].slurm_array_job_id, "74");
  EXPECT_EQ(st.sessions[0].slurm_array_task_id, "3");
  EXPECT_EQ(st.sessions[1].slurm_array_job_id, "");
  EXPECT_EQ(st.sessions[0].tmex_version, "test");
  EXPECT_TRUE(st.sessions[0].provenance.empty());
  EXPECT_EQ(st.sessions[1].outcome, "complete");
  EXPECT_EQ(st.sessions[1].provenance, provenance);  // in the order given
}

TEST_F(StoreTest, AVersionTwoStoreWithoutTheArrayJobColumnGainsIt) {
  { CampaignStore::create(path_, meta_); }
  // Made while schema version 2 was being developed, before sessions.slurm_array_job_id.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "ALTER TABLE sessions DROP COLUMN slurm_array_job_id", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(CampaignStore::open_read_only(path_).status().sessions.size(), 0u);
  auto s = CampaignStore::open_for_writing(path_);
  s.end_session(s.begin_session({1, "h", "tmex run", "9", "0", {}, "8"}), "complete");
  const auto st = s.status();
  ASSERT_EQ(st.sessions.size(), 1u);
  EXPECT_EQ(st.sessions[0].slurm_array_job_id, "8");
}

TEST_F(StoreTest, ChecksRoundTripAndAConvergedCheckKeepsOnlyItsCheckpointsRuns) {
  meta_.samples = 8;
  meta_.trajectory_variables = {"u"};
  meta_.trajectory_times = {1.0};
  auto s = CampaignStore::create(path_, meta_);
  const auto session = s.begin_session({1, "h", "tmex run", "", "", {}, ""});
  std::vector<RunRecord> batch;
  for (std::uint64_t i = 0; i < 8; ++i) {
    batch.push_back(run(i, 0, 1.0));
    batch.back().trajectories = {2.0};
    batch.push_back(run(i, 1, 1.0));
    batch.back().trajectories = {2.0};
  }
  s.append(batch);
  CheckRecord first;
  first.checkpoint = 0;
  first.samples = 2;
  first.runs = 4;
  first.rows_used = 2;
  first.decision = "continue";
  first.summary = "first checkpoint";
  first.criteria = {{"y", "halfwidth", 0.3, 0.05, false, "a"},
                    {"y", "stable_top", std::nan(""), 2, false, "a, b"}};
  first.seconds = 0.01;
  s.record_check(first);
  CheckRecord second = first;
  second.checkpoint = 1;
  second.samples = 4;
  second.runs = 8;
  second.decision = "converged";
  second.summary = "converged";
  // A contrast's criteria (a campaign with arms) carry it; the others store NULL.
  second.criteria = {{"y", "halfwidth", 0.04, 0.05, true, "a"},
                     {"y", "difference", 0.01, 0.02, true, "-0.5 [-0.51, -0.49]", "b:a"}};
  s.record_check(second, 8);
  const auto checks = s.checks();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].session, session);
  EXPECT_FALSE(checks[0].checked_at.empty());
  ASSERT_EQ(checks[0].criteria.size(), 2u);
  EXPECT_TRUE(std::isnan(checks[0].criteria[1].value));
  EXPECT_EQ(checks[0].criteria[0], first.criteria[0]);
  EXPECT_EQ(checks[1].decision, "converged");
  EXPECT_EQ(checks[1].criteria, second.criteria);
  EXPECT_EQ(s.database().query_int("SELECT count(*) FROM check_criteria WHERE contrast IS NULL"),
            3);
  // Runs 8.. (samples 4..7), their trajectories and their count in the session are gone.
  EXPECT_EQ(s.stored_ranges(), (std::vector<IdRange>{{0, 8}}));
  const auto st = s.status();
  EXPECT_EQ(st.stored, 8);
  EXPECT_EQ(st.target, 8);
  EXPECT_EQ(st.total, 16);
  EXPECT_EQ(st.sessions[0].runs_stored, 8);
  EXPECT_EQ(s.database().query_int("SELECT count(*) FROM trajectories"), 8);
  EXPECT_EQ(s.database().query_int("SELECT total FROM progress"), 8);
  // Recording a checkpoint again replaces it.
  second.criteria = {};
  s.record_check(second);
  EXPECT_TRUE(s.checks()[1].criteria.empty());
}

TEST_F(StoreTest, RetryingCrashedRunsForgetsTheChecksMadeOnThem) {
  meta_.replicates = 1;
  auto s = CampaignStore::create(path_, meta_);
  std::vector<RunRecord> batch;
  for (std::uint64_t i = 0; i < 8; ++i) {
    batch.push_back(run(i, 0, 1.0));
    if (i == 5) batch.back().status = "crashed";
  }
  s.append(batch);
  for (int c = 0; c < 3; ++c) {
    CheckRecord r;
    r.checkpoint = c;
    r.runs = std::uint64_t{2} << c;  // 2, 4, 8 runs: only the last holds run 5
    r.decision = "continue";
    r.criteria = {{"y", "halfwidth", 0.1, 0.05, false, "a"}};
    s.record_check(r);
  }
  EXPECT_EQ(s.retry_crashed(), 1);
  const auto checks = s.checks();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks.back().runs, 4u);
  EXPECT_EQ(s.database().query_int("SELECT count(*) FROM check_criteria"), 2);
}

TEST_F(StoreTest, AVersionTwoStoreWithoutChecksGainsThemWhenWritten) {
  { CampaignStore::create(path_, meta_); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "DROP TABLE check_criteria; DROP TABLE checks", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  EXPECT_TRUE(CampaignStore::open_read_only(path_).checks().empty());
  auto s = CampaignStore::open_for_writing(path_);
  CheckRecord c;
  c.decision = "continue";
  s.record_check(c);
  EXPECT_EQ(s.checks().size(), 1u);
  EXPECT_EQ(s.database().query_int("SELECT total FROM progress"), 20);
}

TEST_F(StoreTest, ExportWritesCsvWithQuotedErrorsAndEmptyNulls) {
  auto s = CampaignStore::create(path_, meta_);
  s.append(std::vector<RunRecord>{run(3, 0, 0.25), run(4, 0, std::nan(""))});
  std::ostringstream out;
  s.export_csv(out);
  std::istringstream in(out.str());
  std::string header, row1, row2;
  std::getline(in, header);
  std::getline(in, row1);
  std::getline(in, row2);
  EXPECT_EQ(header, "sample,replicate,block,status,attempts,a,b,y,error,elapsed_s,rank,session");
  EXPECT_EQ(row1.substr(0, 32), "3,0,0,ok,1,0.30000000000000004,0");
  EXPECT_NE(row2.find(",,\"y is NaN, really, \"\"quoted\"\"\","), std::string::npos) << row2;
}

TEST_F(StoreTest, AReadOnlyFolderGivesAClearError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THROW(CampaignStore::create(path_, meta_), StorageError);
  fs::permissions(dir_, fs::perms::owner_all);
}

}  // namespace
}  // namespace tmex::storage

namespace tmex::storage {
namespace {

TEST(FailureReasonPattern, ReplacesNumbersButNotNames) {
  EXPECT_EQ(failure_reason_pattern("x1 = 0.0033 is below throw_below"),
            "x1 = # is below throw_below");
  EXPECT_EQ(failure_reason_pattern("took 1.5e-3 s, more than -2 s"), "took # s, more than # s");
  EXPECT_EQ(failure_reason_pattern("output 'log10_auc' is NaN"), "output 'log10_auc' is NaN");
}

}  // namespace
}  // namespace tmex::storage
