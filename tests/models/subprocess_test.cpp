// Tests of run_process(): exit statuses, signals, pipes, bounds, deadlines.
#include "models/subprocess.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <csignal>
#include <sstream>

namespace tmex::models {
namespace {

ProcessRequest shell(const std::string& script) {
  ProcessRequest r;
  r.program = "/bin/sh";
  r.arguments = {"-c", script};
  return r;
}

TEST(RunProcess, CapturesOutputExitStatusAndStderr) {
  auto req = shell("cat; echo err >&2; echo \"[$X]\"; exit 4");
  req.standard_input = "from stdin\n";
  req.environment = {"X=set by the request"};
  const auto out = run_process(req);
  EXPECT_EQ(out.end, ProcessOutcome::End::kExited);
  EXPECT_EQ(out.exit_code, 4);
  EXPECT_EQ(out.standard_output, "from stdin\n[set by the request]\n");
  EXPECT_EQ(out.stderr_tail, "err\n");
}

TEST(RunProcess, WorkingDirectoryAndNoStdin) {
  auto req = shell("pwd; cat");
  req.working_directory = "/";
  const auto out = run_process(req);
  EXPECT_EQ(out.standard_output, "/\n") << "stdin is /dev/null when none is given";
}

TEST(RunProcess, ReportsTheKillingSignal) {
  const auto out = run_process(shell("kill -ABRT $$"));
  EXPECT_EQ(out.end, ProcessOutcome::End::kSignalled);
  EXPECT_EQ(out.signal, SIGABRT);
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT (Aborted)");
}

TEST(RunProcess, AProgramThatIgnoresItsInputDoesNotRaiseSigpipeHere) {
  auto req = shell("exit 0");
  req.standard_input = std::string(8 * 1024 * 1024, 'x');  // far more than a pipe holds
  const auto out = run_process(req);  // a SIGPIPE reaching the test process would kill it
  EXPECT_EQ(out.end, ProcessOutcome::End::kExited);
  EXPECT_EQ(out.exit_code, 0);
}

TEST(RunProcess, LargeInputAndOutputPassThrough) {
  auto req = shell("cat");
  req.standard_input = std::string(3 * 1024 * 1024 + 17, 'y');
  const auto out = run_process(req);
  EXPECT_EQ(out.standard_output.size(), 3u * 1024 * 1024 + 17);
  EXPECT_FALSE(out.stdout_overflow);
}

TEST(RunProcess, FloodedStdoutIsCutAndTheProgramStopped) {
  auto req = shell("yes");
  req.stdout_limit = 1000;
  const auto start = std::chrono::steady_clock::now();
  const auto out = run_process(req);
  EXPECT_TRUE(out.stdout_overflow);
  EXPECT_EQ(out.standard_output.size(), 1000u);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

TEST(RunProcess, StderrKeepsOnlyItsTail) {
  auto req = shell("i=0; while [ $i -lt 3000 ]; do echo \"line $i\" >&2; i=$((i+1)); done");
  req.stderr_tail = 20;
  const auto out = run_process(req);
  EXPECT_EQ(out.stderr_tail, "line 2998\nline 2999\n");
}

TEST(RunProcess, DeadlineEndsAHangingProgram) {
  auto req = shell("sleep 20");
  req.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  const auto out = run_process(req);
  EXPECT_EQ(out.end, ProcessOutcome::End::kTimedOut);
  EXPECT_LT(out.elapsed_s, 1.5);
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(RunProcess, DetachedProcessesEndWithTheirEvaluationOrTheCampaign) {
  // Issue 19, item 9: processes detached with setsid survived the campaign. As the reaper of
  // its orphans (PR_SET_CHILD_SUBREAPER) this process adopts them and ends them.
  ASSERT_TRUE(adopt_orphaned_descendants());
  // Detached by setsid, and by a double fork into a new session; both keep stdout open.
  auto out =
      run_process(shell("setsid sleep 300 & echo $!; (setsid sleep 301 & echo $!) ; echo started"));
  ASSERT_EQ(out.end, ProcessOutcome::End::kExited);
  std::istringstream pids(out.standard_output);
  pid_t detached = 0;
  pid_t double_forked = 0;
  pids >> detached >> double_forked;
  ASSERT_GT(detached, 0);
  ASSERT_GT(double_forked, 0);
  EXPECT_FALSE(alive(detached));
  EXPECT_FALSE(alive(double_forked));
  EXPECT_LT(out.elapsed_s, 0.9);  // not held up by the pipes they had open
  // One that cleared its environment carries no mark: it is ended with the campaign.
  out =
      run_process(shell("env -i setsid sleep 302 >/dev/null 2>&1 & p=$!; "
                        "while [ \"$(cat /proc/$p/comm)\" != sleep ]; do :; done; echo $p"));
  pid_t unmarked = 0;
  std::istringstream(out.standard_output) >> unmarked;
  ASSERT_GT(unmarked, 0);
  EXPECT_TRUE(alive(unmarked));
  EXPECT_GE(end_adopted_processes(), 1u);
  EXPECT_FALSE(alive(unmarked));
}

TEST(RunProcess, MissingProgramThrows) {
  ProcessRequest req;
  req.program = "/nonexistent/program";
  EXPECT_THROW(run_process(req), ProcessStartError);
}

}  // namespace
}  // namespace tmex::models
