// Tests of the --deadline parser, SLURM time parsing, the SLURM query and the stop-time rule.
#include "driver/job_deadline.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "driver/errors.hpp"

namespace tmex::driver {
namespace {

using std::chrono::seconds;

double unix_s(WallClock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Sets TZ for one test and restores it afterwards.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ScopedTz() {
    if (old_.empty()) {
      unsetenv("TZ");
    } else {
      setenv("TZ", old_.c_str(), 1);
    }
    tzset();
  }

 private:
  std::string old_;
};

TEST(ParseDeadline, AcceptsUnixSeconds) {
  EXPECT_EQ(unix_s(parse_deadline("1764400000")), 1764400000.0);
  EXPECT_EQ(unix_s(parse_deadline("@1764400000")), 1764400000.0);
  EXPECT_DOUBLE_EQ(unix_s(parse_deadline("1764400000.25")), 1764400000.25);
  EXPECT_EQ(unix_s(parse_deadline(" 1764400000\n")), 1764400000.0);
}

TEST(ParseDeadline, AcceptsIso8601InUtcAndWithOffsets) {
  // 2025-11-29T07:06:40Z is Unix 1764400000.
  EXPECT_EQ(unix_s(parse_deadline("2025-11-29T07:06:40Z")), 1764400000.0);
  EXPECT_EQ(unix_s(parse_deadline("2025-11-29 07:06:40z")), 1764400000.0);
  EXPECT_EQ(unix_s(parse_deadline("2025-11-29T08:06:40+01:00")), 1764400000.0);
  EXPECT_EQ(unix_s(parse_deadline("2025-11-29T08:06:40+0100")), 1764400000.0);
  EXPECT_EQ(unix_s(parse_deadline("2025-11-29T08:06:40+01")), 1764400000.0);
  EXPECT_EQ(unix_s(parse_deadline("2025-11-29T02:36:40-04:30")), 1764400000.0);
  EXPECT_EQ(unix_s(parse_deadline("2025-11-29T07:06Z")), 1764400000.0 - 40);
  EXPECT_DOUBLE_EQ(unix_s(parse_deadline("2025-11-29T07:06:40.5Z")), 1764400000.5);
}

TEST(ParseDeadline, WithoutZoneIsLocalTime) {
  {
    ScopedTz tz("UTC0");
    EXPECT_EQ(unix_s(parse_deadline("2025-11-29T07:06:40")), 1764400000.0);
  }
  {
    ScopedTz tz("EST5");  // fixed UTC-5, no daylight saving
    EXPECT_EQ(unix_s(parse_deadline("2025-11-29T02:06:40")), 1764400000.0);
  }
}

TEST(ParseDeadline, RejectsMalformedTimesNamingTheValue) {
  for (const char* bad :
       {"", "tomorrow", "2025-11-29", "2025-13-01T00:00", "2025-02-30T00:00", "2025-11-29T24:00",
        "2025-11-29T07:60", "2025-11-29T07:06:40+25:00", "2025-11-29T07:06:40Zjunk", "1764400000s",
        "-5", "12.5.3", "2025-11-29T07:06:40."}) {
    try {
      parse_deadline(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST(ParseSlurmTime, ReadsSqueueAndScontrolTimes) {
  ScopedTz tz("UTC0");
  ASSERT_TRUE(parse_slurm_time("2025-11-29T07:06:40\n"));
  EXPECT_EQ(unix_s(*parse_slurm_time("2025-11-29T07:06:40\n")), 1764400000.0);
  EXPECT_FALSE(parse_slurm_time("N/A"));
  EXPECT_FALSE(parse_slurm_time("Unknown"));
  EXPECT_FALSE(parse_slurm_time("NONE"));
  EXPECT_FALSE(parse_slurm_time(""));
  const std::string show =
      "JobId=7 JobName=tmex\n   RunTime=00:00:03 TimeLimit=00:01:00 TimeMin=N/A\n"
      "   SubmitTime=2025-11-29T07:05:37 EligibleTime=2025-11-29T07:05:37\n"
      "   StartTime=2025-11-29T07:05:40 EndTime=2025-11-29T07:06:40 Deadline=N/A\n";
  ASSERT_TRUE(parse_scontrol_end_time(show));
  EXPECT_EQ(unix_s(*parse_scontrol_end_time(show)), 1764400000.0);
  EXPECT_FALSE(parse_scontrol_end_time("JobId=7 EndTime=Unknown Deadline=N/A"));
  EXPECT_FALSE(parse_scontrol_end_time("slurm_load_jobs error: Invalid job id specified"));
}

TEST(SecondsUntilStop, TakesTheEarliestLimitLessTheMargin) {
  const auto now = WallClock::time_point(seconds(1000000));
  EXPECT_EQ(seconds_until_stop(now, 0, std::nullopt, std::nullopt, 60), 0);
  EXPECT_EQ(seconds_until_stop(now, 30, std::nullopt, std::nullopt, 60), 30);
  EXPECT_DOUBLE_EQ(seconds_until_stop(now, 0, now + seconds(600), std::nullopt, 60), 540);
  EXPECT_DOUBLE_EQ(seconds_until_stop(now, 0, std::nullopt, now + seconds(600), 60), 540);
  EXPECT_DOUBLE_EQ(seconds_until_stop(now, 0, now + seconds(600), now + seconds(300), 60), 240);
  EXPECT_DOUBLE_EQ(seconds_until_stop(now, 100, now + seconds(600), now + seconds(300), 60), 100);
  EXPECT_DOUBLE_EQ(seconds_until_stop(now, 1000, now + seconds(600), std::nullopt, 0), 600);
}

TEST(SecondsUntilStop, APassedLimitStopsAtOnceNotNever) {
  const auto now = WallClock::time_point(seconds(1000000));
  const double s = seconds_until_stop(now, 0, now + seconds(30), std::nullopt, 60);
  EXPECT_GT(s, 0);
  EXPECT_LT(s, 0.01);
  EXPECT_LT(seconds_until_stop(now, 0, std::nullopt, now - seconds(5), 0), 0.01);
}

// Puts fake squeue/scontrol scripts first in PATH for one test.
class FakeSlurm : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tmex-fake-slurm-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    old_path_ = std::getenv("PATH");
    setenv("PATH", (dir_.string() + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    std::filesystem::remove_all(dir_);
  }
  void script(const std::string& name, const std::string& body) {
    const auto p = dir_ / name;
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(p, std::filesystem::perms::owner_all);
  }
  std::filesystem::path dir_;
  std::string old_path_;
};

TEST_F(FakeSlurm, ReadsTheEndTimeFromSqueue) {
  ScopedTz tz("UTC0");
  script("squeue", "[ \"$*\" = \"-h -j 42 -o %e\" ] && echo 2025-11-29T07:06:40");
  script("scontrol", "exit 1");
  std::string warning;
  const auto t = query_slurm_end_time("42", 5, warning);
  ASSERT_TRUE(t) << warning;
  EXPECT_EQ(unix_s(*t), 1764400000.0);
  EXPECT_EQ(warning, "");
}

TEST_F(FakeSlurm, FallsBackToScontrol) {
  ScopedTz tz("UTC0");
  script("squeue", "echo 'slurm_load_jobs error: Socket timed out' >&2; exit 1");
  script("scontrol", "echo 'JobId=42 JobName=x'; echo '   EndTime=2025-11-29T07:06:40 X=1'");
  std::string warning;
  const auto t = query_slurm_end_time("42", 5, warning);
  ASSERT_TRUE(t) << warning;
  EXPECT_EQ(unix_s(*t), 1764400000.0);
}

TEST_F(FakeSlurm, FailureIsAWarningThatSaysWhy) {
  script("squeue", "echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1");
  script("scontrol", "echo 'JobId=42 EndTime=Unknown'");
  std::string warning;
  EXPECT_FALSE(query_slurm_end_time("42", 5, warning));
  EXPECT_NE(warning.find("squeue: exit status 1 (slurm_load_jobs error: Invalid job id"),
            std::string::npos)
      << warning;
  EXPECT_NE(warning.find("scontrol: no end time"), std::string::npos) << warning;
}

TEST_F(FakeSlurm, AHangingCommandIsKilledAfterTheTimeout) {
  script("squeue", "exec sleep 30");
  script("scontrol", "exec sleep 30");
  std::string warning;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(query_slurm_end_time("42", 0.3, warning));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5);
  EXPECT_EQ(warning, "squeue: no answer; scontrol: no answer");
}

TEST(QuerySlurmEndTime, RefusesAJobIdThatIsNotANumber) {
  std::string warning;
  EXPECT_FALSE(query_slurm_end_time("1; rm -rf /", 1, warning));
  EXPECT_NE(warning.find("not a number"), std::string::npos);
}

TEST(JobDeadline, TimesPastTheRepresentableRangeAreRefusedNotWrapped) {
  // Issue 19, item 10: these printed as 1677 and were ignored.
  for (const char* late : {"2300-01-01T00:00", "9999-12-31T23:59:59Z", "99999999999"}) {
    try {
      parse_deadline(late);
      ADD_FAILURE() << late << " accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("after 2262-04-11"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(parse_deadline("2262-01-01T00:00:00Z"));
  // SLURM's far-future end times mean no limit.
  EXPECT_EQ(parse_slurm_time("2300-01-01T00:00:00"), WallClock::time_point::max());
  const auto now = WallClock::now();
  EXPECT_EQ(seconds_until_stop(now, 0, std::nullopt, WallClock::time_point::max(), 60), 0.0);
}

TEST(JobDeadline, HugeOrMeaninglessStopAftersMeanNoLimitInsteadOfOverflowing) {
  // --stop-after 1e10 overflowed steady_clock's nanoseconds and stopped the run at once.
  const auto max = std::chrono::steady_clock::time_point::max();
  EXPECT_EQ(steady_deadline_after(1e10), max);
  EXPECT_EQ(steady_deadline_after(std::nan("")), max);
  EXPECT_EQ(steady_deadline_after(0), max);
  const auto soon = steady_deadline_after(5);
  EXPECT_GT(soon, std::chrono::steady_clock::now());
  EXPECT_LT(soon, std::chrono::steady_clock::now() + std::chrono::seconds(6));
}

}  // namespace
}  // namespace tmex::driver
