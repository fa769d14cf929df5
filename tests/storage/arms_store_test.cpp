// Tests of stores of campaigns with treatment arms: the arm column, run ids, reads, directions.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "storage/campaign_store.hpp"
#include "storage/run_reader.hpp"
#include "tests/storage/store_test_support.hpp"

namespace tmex::storage {
namespace {

namespace fs = std::filesystem;

class ArmsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_folder("tmex-arms-store");
    path_ = (dir_ / "c.db").string();
    meta_ = testing::small_campaign_meta();
    meta_.layout = {"lhs", 1};
    meta_.parameters = {{"a", "uniform(min=0, max=1)", "uniform", {{"min", 0}, {"max", 1}}}};
    meta_.outputs = {"y", "z"};
    meta_.output_better = {"lower", ""};
    meta_.arms = {{"chemo", "{}"}, {"il6", "{settings: {il6_block: 0.8}}"}, {"all", "{}"}};
  }
  void TearDown() override { fs::remove_all(dir_); }

  static RunRecord run(std::uint64_t sample, std::uint32_t arm, std::uint32_t rep, double y) {
    RunRecord r;
    r.sample = sample;
    r.arm = arm;
    r.replicate = rep;
    r.status = "ok";
    r.parameters = {0.1 * static_cast<double>(sample)};
    r.outputs = {y, 2 * y};
    return r;
  }

  std::vector<std::string> column_names(const std::string& table) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    const std::string sql = "SELECT name FROM pragma_table_info('" + table + "')";
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    std::vector<std::string> names;
    while (sqlite3_step(st) == SQLITE_ROW) {
      names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return names;
  }

  fs::path dir_;
  std::string path_;
  CampaignMeta meta_;
};

TEST_F(ArmsStoreTest, TheArmIsAColumnOfTheRunsAndPartOfTheirIds) {
  {
    auto s = CampaignStore::create(path_, meta_);
    EXPECT_EQ(s.meta().total_runs(), 10u * 3 * 2);
    // Sample 1 under every arm and replicate, out of order; sample 4 under arm 2 only.
    s.append(std::vector<RunRecord>{run(1, 2, 1, 6.0), run(1, 0, 0, 1.0), run(1, 1, 0, 3.0),
                                    run(1, 0, 1, 2.0), run(1, 1, 1, 4.0), run(1, 2, 0, 5.0),
                                    run(4, 2, 0, 7.0)});
    // Ids (sample x 3 + arm) x 2 + replicate: sample 1 is ids 6..11, (4, 2, 0) is 28.
    EXPECT_EQ(s.stored_ranges(), (std::vector<IdRange>{{6, 12}, {28, 29}}));
    const auto r = s.read_run(9);  // sample 1, arm 1, replicate 1
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->sample, 1u);
    EXPECT_EQ(r->arm, 1u);
    EXPECT_EQ(r->replicate, 1u);
    EXPECT_EQ(r->outputs[0], 4.0);
    const auto status = s.status();
    EXPECT_EQ(status.total, 60);
    ASSERT_EQ(status.arms.size(), 3u);
    EXPECT_EQ(status.arms[2].name, "all");
    EXPECT_EQ(status.arms[2].stored, 3);
    EXPECT_EQ(status.arms[0].ok, 2);
    // An arm the campaign does not have is refused, and the batch with it.
    EXPECT_THROW(s.append(std::vector<RunRecord>{run(2, 0, 0, 1.0), run(2, 3, 0, 1.0)}),
                 StorageError);
    EXPECT_EQ(s.status().stored, 7);
  }
  const auto names = column_names("runs");
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names[1], "sample");
  EXPECT_EQ(names[2], "arm");

  auto s = CampaignStore::open_read_only(path_);
  EXPECT_EQ(s.meta().arms, meta_.arms);
  EXPECT_EQ(s.meta().output_better, meta_.output_better);
  const RunColumns c = read_run_columns(s, {"y"});
  ASSERT_EQ(c.rows, 7u);
  EXPECT_EQ(c.arm, (std::vector<std::uint32_t>{0, 0, 1, 1, 2, 2, 2}));
  EXPECT_EQ(c.replicate, (std::vector<std::uint32_t>{0, 1, 0, 1, 0, 1, 0}));
  EXPECT_EQ(c.values, (std::vector<double>{1, 2, 3, 4, 5, 6, 7}));
  // The export names each run's arm.
  std::ostringstream csv;
  s.export_csv(csv);
  std::string header, first;
  std::istringstream in(csv.str());
  std::getline(in, header);
  std::getline(in, first);
  EXPECT_EQ(header.rfind("sample,arm,replicate,", 0), 0u) << header;
  EXPECT_EQ(first.rfind("1,chemo,0,", 0), 0u) << first;
}

TEST_F(ArmsStoreTest, ACampaignWithoutArmsKeepsItsLayout) {
  meta_.arms.clear();
  {
    auto s = CampaignStore::create(path_, meta_);
    s.append(std::vector<RunRecord>{run(3, 0, 1, 1.0)});
    EXPECT_EQ(s.stored_ranges(), (std::vector<IdRange>{{7, 8}}));  // 3 x 2 + 1
    EXPECT_THROW(s.append(std::vector<RunRecord>{run(2, 1, 0, 1.0)}), StorageError);
  }
  const auto names = column_names("runs");
  EXPECT_EQ(std::count(names.begin(), names.end(), "arm"), 0);
  auto s = CampaignStore::open_read_only(path_);
  EXPECT_TRUE(read_run_columns(s, {"y"}).arm.empty());
}

TEST_F(ArmsStoreTest, StoresWithoutRecordedDirectionsReadThemAsUndeclared) {
  { CampaignStore::create(path_, meta_); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "ALTER TABLE outputs DROP COLUMN better", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto s = CampaignStore::open_read_only(path_);
  EXPECT_EQ(s.meta().outputs, meta_.outputs);
  EXPECT_EQ(s.meta().output_better, (std::vector<std::string>{"", ""}));
}

}  // namespace
}  // namespace tmex::storage
