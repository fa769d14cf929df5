// Tests of stores as files: atomic creation (the create race forced with the test hook), the
// writer lock through links, refused paths, one file after a clean close, read-only opening
// that creates nothing, damaged and old stores, and the crash quarantine records.
#include "storage/store_file.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "storage/campaign_store.hpp"
#include "tests/storage/store_test_support.hpp"

namespace tmex::storage {
namespace {

namespace fs = std::filesystem;

// A session of `ranks` ranks on `hosts`, started by `command`, outside SLURM.
SessionInfo session(int ranks, const std::string& hosts, const std::string& command) {
  SessionInfo info;
  info.ranks = ranks;
  info.hosts = hosts;
  info.command = command;
  return info;
}

class StoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_folder("tmex-storefile");
    path_ = (dir_ / "c.db").string();
    meta_ = testing::small_campaign_meta();
  }
  void TearDown() override {
    set_before_publish_hook(nullptr);
    set_store_notice_handler(nullptr);
    fs::remove_all(dir_);
  }

  std::set<std::string> files() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.insert(e.path().filename().string());
    return out;
  }

  static RunRecord run(std::uint64_t sample, std::uint32_t rep, const std::string& status = "ok",
                       const std::string& error = "") {
    RunRecord r;
    r.sample = sample;
    r.replicate = rep;
    r.status = status;
    r.error = error;
    r.parameters = {0.5};
    r.outputs = {status == "ok" ? 1.0 : std::nan("")};
    return r;
  }

  static void sql(const std::string& path, const std::string& statements) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, statements.c_str(), nullptr, nullptr, &err);
    const std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
  }

  static std::string what_of_open_read_only(const std::string& path) {
    try {
      CampaignStore::open_read_only(path);
    } catch (const StorageError& e) {
      return e.what();
    }
    return "(opened)";
  }

  fs::path dir_;
  std::string path_;
  CampaignMeta meta_;
};

TEST_F(StoreFileTest, ANewStoreHasNoNameUntilItsSchemaAndMetadataAreCommitted) {
  std::string seen_temporary;
  bool name_existed = true;
  set_before_publish_hook([&](const std::string& temporary) {
    seen_temporary = temporary;
    name_existed = fs::exists(path_);
  });
  { auto s = CampaignStore::create(path_, meta_); }
  EXPECT_FALSE(name_existed);
  EXPECT_EQ(fs::path(seen_temporary).parent_path(), dir_);
  EXPECT_FALSE(fs::exists(seen_temporary));
  EXPECT_EQ(files(), std::set<std::string>{"c.db"});
}

TEST_F(StoreFileTest, ANewStoreGetsSqlitesPermissionsLessTheUmask) {
  // The umask is read without changing it; a new store gets 0644 less it, as SQLite would give.
  const mode_t before = ::umask(027);
  EXPECT_EQ(current_umask(), static_cast<mode_t>(027));
  { auto s = CampaignStore::create(path_, meta_); }
  ::umask(before);
  EXPECT_EQ(current_umask(), before);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, static_cast<mode_t>(0640));
}

TEST_F(StoreFileTest, TheLateCreatorOfARaceKeepsTheCompleteStoreAndResumesIt) {
  // Issue 19 item 2, forced: while A waits to publish, B creates the same store and stores a
  // run. A must fail to publish, remove only its own temporary file, and open B's store.
  set_before_publish_hook([&](const std::string&) {
    set_before_publish_hook(nullptr);
    auto b = CampaignStore::create(path_, meta_);
    b.begin_session(session(1, "h", "b"));
    b.append(std::vector<RunRecord>{run(4, 1)});
  });
  EXPECT_THROW(CampaignStore::create(path_, meta_), StoreExistsError);
  EXPECT_EQ(files(), std::set<std::string>{"c.db"});
  EXPECT_EQ(CampaignStore::open_read_only(path_).status().stored, 1);

  // open_or_create does the same and carries on with the store that exists.
  const std::string other = (dir_ / "d.db").string();
  set_before_publish_hook([&](const std::string&) {
    set_before_publish_hook(nullptr);
    auto b = CampaignStore::create(other, meta_);
    b.append(std::vector<RunRecord>{run(2, 0)});
  });
  bool created = true;
  auto a = CampaignStore::open_or_create(other, meta_, created);
  EXPECT_FALSE(created);
  EXPECT_EQ(a.status().stored, 1);
}

TEST_F(StoreFileTest, AKilledCreationLeavesNoStoreAndItsLeftoverIsRemovedLater) {
  // What a SIGKILL during creation leaves: a temporary file (maybe with its journal), no store.
  const std::string leftover = (dir_ / ".c.db.tmex-new-AbC123").string();
  { std::ofstream(leftover) << "half a database"; }
  { std::ofstream(leftover + "-journal") << "journal"; }
  const timeval old[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimes(leftover.c_str(), old), 0);
  // A file of the same pattern that is still young (a creation in progress) stays.
  const std::string young = (dir_ / ".c.db.tmex-new-XyZ789").string();
  { std::ofstream(young) << "being built"; }
  EXPECT_FALSE(fs::exists(path_));
  { auto s = CampaignStore::create(path_, meta_); }
  EXPECT_EQ(files(), (std::set<std::string>{"c.db", ".c.db.tmex-new-XyZ789"}));
}

TEST_F(StoreFileTest, AnEmptyFileIsBuiltIntoTheStoreByTheWriter) {
  // What `touch c.db`, or `sqlite3 c.db 'SELECT ...'` before the store exists, leaves.
  { std::ofstream(path_).flush(); }
  EXPECT_THROW(CampaignStore::open_for_writing(path_), StorageError);  // no metadata to build
  bool created = true;
  {
    auto s = CampaignStore::open_or_create(path_, meta_, created);
    s.append(std::vector<RunRecord>{run(1, 1)});
  }
  EXPECT_FALSE(created);
  EXPECT_EQ(CampaignStore::open_read_only(path_).status().stored, 1);
  EXPECT_EQ(files(), std::set<std::string>{"c.db"});
}

TEST_F(StoreFileTest, AFailedCreationRemovesOnlyWhatItMade) {
  meta_.parameters = {{"a", "u"}, {"a", "u"}};  // duplicate column: the schema fails
  { std::ofstream(dir_ / "notes.txt") << "mine"; }
  EXPECT_THROW(CampaignStore::create(path_, meta_), StorageError);
  EXPECT_EQ(files(), std::set<std::string>{"notes.txt"});
}

TEST_F(StoreFileTest, TheWriterLockHoldsThroughSymbolicAndHardLinks) {
  auto writer = CampaignStore::create(path_, meta_);
  const std::string symlink = (dir_ / "sym.db").string();
  const std::string hardlink = (dir_ / "hard.db").string();
  fs::create_symlink(path_, symlink);
  fs::create_hard_link(path_, hardlink);
  for (const auto& p : {path_, symlink, hardlink}) {
    try {
      CampaignStore::open_for_writing(p);
      ADD_FAILURE() << "second writer accepted through " << p;
    } catch (const StorageError& e) {
      EXPECT_NE(std::string(e.what()).find("another tmex run"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(WriterLock::held_elsewhere(p));
  }
  // Readers are not affected by the lock.
  EXPECT_EQ(CampaignStore::open_read_only(symlink).status().stored, 0);
}

TEST_F(StoreFileTest, NoLockFileAndNoCompanionsOutliveACleanClose) {
  {
    auto s = CampaignStore::create(path_, meta_);
    s.begin_session(session(1, "h", "x"));
    s.append(std::vector<RunRecord>{run(0, 0), run(1, 1)});
    EXPECT_TRUE(fs::exists(path_ + "-wal"));  // WAL while running
  }
  EXPECT_EQ(files(), std::set<std::string>{"c.db"});
  EXPECT_FALSE(WriterLock::held_elsewhere(path_));
  // Rollback-journal mode at rest: the file alone holds everything.
  std::ifstream in(path_, std::ios::binary);
  char header[20];
  in.read(header, sizeof header);
  EXPECT_EQ(header[18], 1);
  EXPECT_EQ(CampaignStore::open_read_only(path_).status().stored, 2);
  // Reopening for writing goes back to WAL and comes back to one file.
  { auto s = CampaignStore::open_for_writing(path_); }
  EXPECT_EQ(files(), std::set<std::string>{"c.db"});
}

TEST_F(StoreFileTest, ReadingNeverCreatesAFileBesideTheStore) {
  { auto s = CampaignStore::create(path_, meta_); }
  // A store left in WAL mode without its log (as an older tmex left them).
  sql(path_, "PRAGMA journal_mode=WAL;");
  ASSERT_EQ(files(), std::set<std::string>{"c.db"});
  {
    auto r = CampaignStore::open_read_only(path_);
    EXPECT_EQ(r.status().stored, 0);
    std::ostringstream csv;
    r.export_csv(csv);
  }
  EXPECT_EQ(files(), std::set<std::string>{"c.db"});
}

TEST_F(StoreFileTest, CommittedRowsOfAKilledWriterAreReadOrTheNoticeSaysTheyCannotBe) {
  const fs::path crashed = dir_ / "crashed";
  fs::create_directories(crashed);
  const std::string copy = (crashed / "c.db").string();
  {
    auto s = CampaignStore::create(path_, meta_);
    s.begin_session(session(1, "h", "x"));
    s.append(std::vector<RunRecord>{run(0, 0), run(1, 0), run(2, 0)});
    // A copy of the files as a SIGKILL leaves them: the rows sit in the -wal file.
    for (const char* suffix : {"", "-wal", "-shm"}) {
      fs::copy_file(path_ + suffix, copy + suffix);
    }
  }
  std::vector<std::string> notices;
  set_store_notice_handler([&](const std::string& n) { notices.push_back(n); });
  EXPECT_EQ(CampaignStore::open_read_only(copy).status().stored, 3);
  EXPECT_TRUE(notices.empty());
  // Without the -shm file (which a read-only place would not let SQLite create), the rows in
  // the log cannot be read: the notice says so.
  fs::remove(copy + "-shm");
  EXPECT_EQ(CampaignStore::open_read_only(copy).status().stored, 0);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("-wal"), std::string::npos) << notices[0];
  EXPECT_FALSE(fs::exists(copy + "-shm"));
  // The next writer replays the log and marks the session crashed.
  auto w = CampaignStore::open_for_writing(copy);
  const auto st = w.status();
  EXPECT_EQ(st.stored, 3);
  ASSERT_EQ(st.sessions.size(), 1u);
  EXPECT_EQ(st.sessions[0].outcome, "crashed");
}

TEST_F(StoreFileTest, PathsThatCannotHoldAStoreAreRefusedWithoutTouchingThem) {
  const std::string fifo = (dir_ / "pipe").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  fs::create_symlink(dir_ / "nowhere.db", dir_ / "dangling.db");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {":memory:", "in-memory"},
      {"file:x.db?mode=memory", "URI"},
      {(dir_ / "sub/").string(), "ends with '/'"},
      {dir_.string(), "a folder"},
      {fifo, "named pipe"},
      {"/dev/null", "character device"},
      {(dir_ / "missing" / "c.db").string(), "does not exist"},
      {(dir_ / "dangling.db").string(), "symbolic link"},
      {(dir_ / std::string(600, 'x')).string(), "characters long"},
  };
  for (const auto& [path, expect] : cases) {
    SCOPED_TRACE(path);
    const auto problem = store_path_problem(path);
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find(expect), std::string::npos) << *problem;
    EXPECT_THROW(CampaignStore::create(path, meta_), StorageError);
    EXPECT_THROW(CampaignStore::open_for_writing(path), StorageError);
    EXPECT_THROW(CampaignStore::open_read_only(path), StorageError);  // no hang on the FIFO
  }
  EXPECT_FALSE(store_path_problem(path_).has_value());
  EXPECT_FALSE(fs::exists(":memory:"));
  EXPECT_EQ(files(), (std::set<std::string>{"pipe", "dangling.db"}));
}

TEST_F(StoreFileTest, DamagedStoresAreCalledDamagedAndOthersAreNotTmexStores) {
  { std::ofstream(path_) << ""; }
  EXPECT_NE(what_of_open_read_only(path_).find("empty (0 bytes)"), std::string::npos);
  fs::remove(path_);
  // Marked as a tmex store, without its tables: a half-made store of an older tmex.
  sql(path_, "PRAGMA application_id = 1953326456; CREATE TABLE x(a);");
  EXPECT_NE(what_of_open_read_only(path_).find("damaged tmex store"), std::string::npos)
      << what_of_open_read_only(path_);
  fs::remove(path_);
  // A store cut short (truncated to its first pages).
  {
    auto s = CampaignStore::create(path_, meta_);
    std::vector<RunRecord> rows;
    for (std::uint64_t i = 0; i < 10; ++i)
      rows.push_back(run(i, 0, "exception", std::string(3000, 'e')));
    s.append(rows);
  }
  fs::resize_file(path_, 8192);
  const std::string cut = what_of_open_read_only(path_);
  EXPECT_NE(cut.find("damaged"), std::string::npos) << cut;
  EXPECT_THROW(CampaignStore::open_for_writing(path_), StorageError);
  fs::remove(path_);
  sql(path_, "CREATE TABLE x(a);");
  EXPECT_NE(what_of_open_read_only(path_).find("not a tmex store"), std::string::npos);
}

TEST_F(StoreFileTest, VersionOneStoresAreReadButNotResumed) {
  {
    auto s = CampaignStore::create(path_, meta_);
    s.append(std::vector<RunRecord>{run(0, 0)});
  }
  sql(path_, "PRAGMA user_version = 1;");
  auto r = CampaignStore::open_read_only(path_);
  EXPECT_EQ(r.schema_version(), 1);
  EXPECT_EQ(r.status().stored, 1);
  try {
    CampaignStore::open_for_writing(path_);
    FAIL() << "resumed a version 1 store";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("not resumed"), std::string::npos) << e.what();
  }
}

TEST_F(StoreFileTest, ASessionKilledAfterItsLastCommitReadsCrashedWithItsTrueDuration) {
  {
    auto s = CampaignStore::create(path_, meta_);
    s.begin_session(session(1, "h", "x"));
    s.append(std::vector<RunRecord>{run(0, 0)});
    // killed here: the session row still says running
  }
  sql(path_,
      "UPDATE sessions SET started_at = '2020-01-01T00:00:00.000Z', last_active_at = "
      "'2020-01-01T00:00:10.000Z'");
  const auto st = CampaignStore::open_read_only(path_).status();
  ASSERT_EQ(st.sessions.size(), 1u);
  EXPECT_FALSE(st.writer_active);
  EXPECT_EQ(st.sessions[0].outcome, "crashed");
  EXPECT_NEAR(st.sessions[0].duration_s, 10.0, 1e-3);
}

TEST_F(StoreFileTest, InFlightChunksOfDeadSessionsBecomeQuarantineStrikes) {
  {
    auto s = CampaignStore::create(path_, meta_);
    s.begin_session(session(1, "h", "x"));
    s.update_in_flight(std::vector<InFlightChunk>{{0, 1, {0, 4}}, {1, 2, {4, 6, 8, 9}}}, {});
    s.append(std::vector<RunRecord>{run(0, 0), run(0, 1)});  // tasks 0 and 1 came back
    s.update_in_flight({}, std::vector<std::uint64_t>{0});
    s.update_in_flight(std::vector<InFlightChunk>{{2, 1, {10, 12}}}, {});
    // the session dies with chunks 1 and 2 in flight
  }
  std::vector<QuarantinedTask> q;
  {
    auto s = CampaignStore::open_for_writing(path_);
    q = s.recover_in_flight();
    ASSERT_EQ(q.size(), 5u);  // 4, 5, 8, 10, 11
    EXPECT_EQ(s.status().quarantined, 5);
    EXPECT_EQ(q[0].task, 4u);
    EXPECT_EQ(q[2].task, 8u);
    EXPECT_EQ(q[0].crashes, 1);
    EXPECT_EQ(s.recover_in_flight().size(), 5u);  // records consumed: no second strike
    const auto id = s.begin_session(session(1, "h", "y"));
    s.update_in_flight(std::vector<InFlightChunk>{{0, 1, {8, 9}}}, {});  // 8 runs alone...
    EXPECT_EQ(id, 2);
  }
  auto s = CampaignStore::open_for_writing(path_);
  q = s.recover_in_flight();
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[2].task, 8u);
  EXPECT_EQ(q[2].crashes, 2);
  EXPECT_EQ(q[2].sessions, "1, 2");
  // The driver stores such a task as crashed; --retry-crashed puts it back with one strike.
  s.append(std::vector<RunRecord>{run(4, 0, "crashed", "died twice")});
  EXPECT_EQ(s.recover_in_flight().size(), 4u);
  EXPECT_EQ(s.retry_crashed(), 1);
  q = s.recover_in_flight();
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[2].task, 8u);
  EXPECT_EQ(q[2].crashes, 1);
}

TEST_F(StoreFileTest, StatusGroupsAHundredThousandDistinctFailuresInOnePass) {
  // Issue 19 item 7: every reason distinct (a kept scratch folder names each). Quadratic
  // grouping took 16 s at 1e4 and did not finish 7.5e4 in 10 minutes; ctest's time-out on
  // this suite (60 s) fails the test if it comes back.
  meta_.samples = 100000;
  meta_.replicates = 1;
  auto s = CampaignStore::create(path_, meta_);
  std::vector<RunRecord> rows;
  const std::string letters = "abcdefghijklmnopqrstuvwxyz";
  for (std::uint64_t i = 0; i < 100000; ++i) {
    std::string word;
    for (std::uint64_t v = i; word.size() < 6; v /= 26) word += letters[v % 26];
    const bool exit_failure = i % 2 == 0;
    rows.push_back(run(i, 0, "exception",
                       exit_failure ? "program exited with status 1 (scratch kept: /tmp/tmex-s" +
                                          std::to_string(i) + "-r0-" + word + ")"
                                    : "output y missing in run " + std::to_string(i)));
  }
  s.append(rows);
  const auto st = s.status(5);
  EXPECT_EQ(st.failed, 100000);
  // The runs whose reasons differ only in numbers form one group; the others stay apart.
  ASSERT_GE(st.failures.size(), 2u);
  EXPECT_EQ(st.failures.size(), 50001u);
  const auto& numbers_only = st.failures[0];
  EXPECT_EQ(numbers_only.count, 50000);
  EXPECT_EQ(numbers_only.reason, "output y missing in run #");
  EXPECT_EQ(numbers_only.example_samples, (std::vector<std::int64_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ(st.failures[1].count, 1);
  EXPECT_EQ(st.failures[1].reason.find("program exited with status 1"), 0u);
}

}  // namespace
}  // namespace tmex::storage
