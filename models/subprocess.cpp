// run_process(): posix_spawn into a new process group, a poll() loop over the pipes and the
// child's pidfd, deadline handling by process group, and a bounded capture of the output.
#include "models/subprocess.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <shared_mutex>

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace tmex::models {

namespace {

using Clock = std::chrono::steady_clock;

// Process groups of the programs running now, for kill_running_processes().
std::mutex g_running_mutex;
std::set<pid_t> g_running;

// Spawning (shared) against looking for adopted orphans (exclusive): a child that exists but
// is not yet in g_running must not be taken for an orphan.
std::shared_mutex g_spawn_mutex;
std::atomic<bool> g_subreaper{false};
std::atomic<std::uint64_t> g_evaluations{0};

// The children of this process, from /proc/self/task/*/children (an orphan is adopted by some
// thread of the reaper).
std::vector<pid_t> children_of_self() {
  std::vector<pid_t> out;
  DIR* tasks = ::opendir("/proc/self/task");
  if (!tasks) return out;
  while (const dirent* t = ::readdir(tasks)) {
    if (t->d_name[0] == '.') continue;
    std::ifstream in(std::string("/proc/self/task/") + t->d_name + "/children");
    pid_t pid = 0;
    while (in >> pid) out.push_back(pid);
  }
  ::closedir(tasks);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Whether process `pid` has `entry` ("NAME=value") in its environment (false when unreadable).
bool environment_has(pid_t pid, const std::string& entry) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::string item;
  std::size_t read = 0;
  while (std::getline(in, item, '\0') && read < (1u << 20)) {
    if (item == entry) return true;
    read += item.size() + 1;
  }
  return false;
}

// Ends adopted children (not run by run_process now): those whose environment holds `mark`,
// or all when `mark` is null. Exited ones are reaped either way (no zombies pile up). Repeats
// while it ends some, since their own orphans are adopted in turn.
std::size_t end_orphans(const std::string* mark) {
  std::unique_lock spawn_lock(g_spawn_mutex);
  std::size_t ended = 0;
  for (int round = 0; round < 64; ++round) {
    bool any = false;
    for (const pid_t child : children_of_self()) {
      {
        std::lock_guard lock(g_running_mutex);
        if (g_running.count(child)) continue;
      }
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == child) {
        ::waitpid(child, nullptr, WNOHANG);  // an exited orphan: reap it
        continue;
      }
      if (mark && !environment_has(child, *mark)) continue;
      const pid_t group = ::getpgid(child);
      if (group > 0 && group != ::getpgrp()) ::kill(-group, SIGKILL);
      ::kill(child, SIGKILL);
      while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
      }
      ++ended;
      any = true;
    }
    if (!any) break;
  }
  return ended;
}

std::string errno_text(int error) { return std::strerror(error); }

namespace fs = std::filesystem;

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

// Both ends close-on-exec: a program started by another thread at the same moment must not
// inherit them (it would hold our pipes open and we would never see end-of-file).
Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw ProcessStartError("cannot create a pipe: " + errno_text(errno));
  }
  return {Fd(fds[0]), Fd(fds[1])};
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Checked RAII wrappers of the posix_spawn attribute objects.
class FileActions {
 public:
  FileActions() {
    if (const int rc = ::posix_spawn_file_actions_init(&actions_); rc != 0) {
      throw ProcessStartError("posix_spawn_file_actions_init: " + errno_text(rc));
    }
  }
  ~FileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  void dup2(int fd, int target) {
    check(::posix_spawn_file_actions_adddup2(&actions_, fd, target));
  }
  void open(int target, const char* path, int flags) {
    check(::posix_spawn_file_actions_addopen(&actions_, target, path, flags, 0));
  }
  void chdir(const std::string& dir) {
    check(::posix_spawn_file_actions_addchdir_np(&actions_, dir.c_str()));
  }
  const posix_spawn_file_actions_t* get() const { return &actions_; }

 private:
  static void check(int rc) {
    if (rc != 0) throw ProcessStartError("posix_spawn file action: " + errno_text(rc));
  }
  posix_spawn_file_actions_t actions_;
};

class SpawnAttributes {
 public:
  SpawnAttributes() {
    if (const int rc = ::posix_spawnattr_init(&attr_); rc != 0) {
      throw ProcessStartError("posix_spawnattr_init: " + errno_text(rc));
    }
    // A new process group (pgid = the child's pid), every signal unblocked and at its default
    // action: the program must not inherit our blocked SIGPIPE or an ignored SIGTERM.
    sigset_t none;
    sigset_t all;
    ::sigemptyset(&none);
    ::sigfillset(&all);
    ::sigdelset(&all, SIGKILL);
    ::sigdelset(&all, SIGSTOP);
    check(::posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
    check(::posix_spawnattr_setpgroup(&attr_, 0));
    check(::posix_spawnattr_setsigmask(&attr_, &none));
    check(::posix_spawnattr_setsigdefault(&attr_, &all));
  }
  ~SpawnAttributes() { ::posix_spawnattr_destroy(&attr_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  const posix_spawnattr_t* get() const { return &attr_; }

 private:
  static void check(int rc) {
    if (rc != 0) throw ProcessStartError("posix_spawnattr: " + errno_text(rc));
  }
  posix_spawnattr_t attr_;
};

// Blocks SIGPIPE in this thread while it writes to a program that may have stopped reading, and
// consumes the SIGPIPE such a write raised, so that it never reaches the process.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t pipe;
    ::sigemptyset(&pipe);
    ::sigaddset(&pipe, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe, &old_);
  }
  ~SigpipeBlock() {
    if (::sigismember(&old_, SIGPIPE)) return;  // blocked before us: not ours to consume
    sigset_t pipe;
    ::sigemptyset(&pipe);
    ::sigaddset(&pipe, SIGPIPE);
    const timespec zero{0, 0};
    while (::sigtimedwait(&pipe, nullptr, &zero) == SIGPIPE) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t old_;
};

// A pidfd becomes readable when the child exits (Linux >= 5.3); -1 where unsupported, and the
// loop then polls waitid() in short slices instead.
Fd open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
#else
  (void)pid;
  return Fd();
#endif
}

// Whether the child has exited, without reaping it (the zombie keeps its process group id
// reserved, so that killing the group afterwards cannot hit an unrelated one).
bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::set<std::string> overridden;
  for (const auto& e : extra) overridden.insert(e.substr(0, e.find('=')));
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    if (!overridden.count(entry.substr(0, entry.find('=')))) out.push_back(entry);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int poll_timeout_ms(Clock::time_point now, std::optional<Clock::time_point> wake) {
  if (!wake) return -1;
  if (*wake <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wake - now).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

}  // namespace

ProcessOutcome run_process(const ProcessRequest& request) {
  SigpipeBlock sigpipe_block;
  const auto start = Clock::now();
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  Pipe in;
  if (request.standard_input) in = make_pipe();

  FileActions actions;
  if (request.standard_input) {
    actions.dup2(in.read.get(), STDIN_FILENO);
  } else {
    actions.open(STDIN_FILENO, "/dev/null", O_RDONLY);
  }
  actions.dup2(out.write.get(), STDOUT_FILENO);
  actions.dup2(err.write.get(), STDERR_FILENO);
  if (!request.working_directory.empty()) actions.chdir(request.working_directory);
  SpawnAttributes attributes;

  std::vector<std::string> argv_strings{request.program};
  argv_strings.insert(argv_strings.end(), request.arguments.begin(), request.arguments.end());
  // The evaluation's mark, inherited by whatever the program starts (see end_orphans).
  const std::string mark =
      "TMEX_EVALUATION=" + std::to_string(::getpid()) + "." + std::to_string(++g_evaluations);
  std::vector<std::string> extra_environment = request.environment;
  extra_environment.push_back(mark);
  std::vector<std::string> env_strings = merged_environment(extra_environment);
  std::vector<char*> argv = c_strings(argv_strings);
  std::vector<char*> envp = c_strings(env_strings);

  pid_t pid = -1;
  {
    std::shared_lock spawn_lock(g_spawn_mutex);
    const int rc = ::posix_spawn(&pid, request.program.c_str(), actions.get(), attributes.get(),
                                 argv.data(), envp.data());
    if (rc != 0) {
      throw ProcessStartError("cannot start '" + request.program + "': " + errno_text(rc));
    }
    std::lock_guard lock(g_running_mutex);
    g_running.insert(pid);
  }
  out.write.reset();
  err.write.reset();
  in.read.reset();
  const Fd pidfd = open_pidfd(pid);
  set_nonblocking(out.read.get());
  set_nonblocking(err.read.get());
  std::string_view pending_input;
  if (request.standard_input) {
    pending_input = *request.standard_input;
    set_nonblocking(in.write.get());
    if (pending_input.empty()) in.write.reset();
  }

  ProcessOutcome outcome;
  std::string stderr_buffer;
  bool exited = false;
  bool timed_out = false;
  bool killed = false;
  std::optional<Clock::time_point> term_sent;
  std::optional<Clock::time_point> drain_until;
  char buffer[65536];

  auto kill_group = [&](int sig) { ::kill(-pid, sig); };
  auto read_into = [&](Fd& fd, bool is_stdout) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      fd.reset();
      return;
    }
    const auto bytes = static_cast<std::size_t>(n);
    if (is_stdout) {
      const std::size_t room = request.stdout_limit - outcome.standard_output.size();
      outcome.standard_output.append(buffer, std::min(room, bytes));
      if (bytes > room && !outcome.stdout_overflow) {
        // A program that floods its output is stopped rather than read to the deadline.
        outcome.stdout_overflow = true;
        kill_group(SIGKILL);
        killed = true;
      }
    } else {
      stderr_buffer.append(buffer, bytes);
      if (stderr_buffer.size() > 2 * request.stderr_tail + sizeof buffer) {
        stderr_buffer.erase(0, stderr_buffer.size() - request.stderr_tail);
      }
    }
  };

  while (!(exited && !out.read.valid() && !err.read.valid())) {
    auto now = Clock::now();
    if (!exited && !timed_out && request.deadline && now >= *request.deadline) {
      timed_out = true;
      term_sent = now;
      kill_group(SIGTERM);
    }
    if (timed_out && !killed && now >= *term_sent + request.kill_grace) {
      killed = true;
      kill_group(SIGKILL);
    }
    // A process that escaped the group (setsid) may hold the pipes open after the program
    // exits: stop waiting for their end-of-file after a short while.
    if (exited && now >= *drain_until) break;

    std::optional<Clock::time_point> wake;
    if (exited) {
      wake = drain_until;
    } else if (timed_out) {
      if (!killed) wake = *term_sent + request.kill_grace;
    } else if (request.deadline) {
      wake = request.deadline;
    }
    if (!exited && !pidfd.valid()) {
      const auto slice = now + std::chrono::milliseconds(5);
      wake = wake ? std::min(*wake, slice) : slice;
    }

    pollfd fds[4];
    int n_fds = 0;
    int in_slot = -1;
    int out_slot = -1;
    int err_slot = -1;
    int pid_slot = -1;
    if (in.write.valid()) {
      in_slot = n_fds;
      fds[n_fds++] = {in.write.get(), POLLOUT, 0};
    }
    if (out.read.valid()) {
      out_slot = n_fds;
      fds[n_fds++] = {out.read.get(), POLLIN, 0};
    }
    if (err.read.valid()) {
      err_slot = n_fds;
      fds[n_fds++] = {err.read.get(), POLLIN, 0};
    }
    if (pidfd.valid() && !exited) {
      pid_slot = n_fds;
      fds[n_fds++] = {pidfd.get(), POLLIN, 0};
    }
    const int ready = ::poll(fds, static_cast<nfds_t>(n_fds), poll_timeout_ms(now, wake));
    if (ready < 0) {
      if (errno == EINTR) continue;  // our stop signals have no SA_RESTART
      kill_group(SIGKILL);
      killed = true;
      break;
    }
    if (in_slot >= 0 && fds[in_slot].revents) {
      if (fds[in_slot].revents & POLLOUT) {
        const ssize_t n = ::write(in.write.get(), pending_input.data(), pending_input.size());
        if (n > 0) pending_input.remove_prefix(static_cast<std::size_t>(n));
        if (pending_input.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          in.write.reset();  // all written, or the program closed its input (EPIPE)
        }
      } else {
        in.write.reset();
      }
    }
    if (out_slot >= 0 && fds[out_slot].revents) read_into(out.read, true);
    if (err_slot >= 0 && fds[err_slot].revents) read_into(err.read, false);
    const bool now_exited =
        pid_slot >= 0 ? (fds[pid_slot].revents & POLLIN) != 0 : (!pidfd.valid() && has_exited(pid));
    if (!exited && now_exited) {
      exited = true;
      // Whatever the program left running in its group goes with it, and (as their reaper)
      // what it detached from the group, so that pipes they hold open close now.
      kill_group(SIGKILL);
      if (g_subreaper.load()) end_orphans(&mark);
      drain_until = Clock::now() + std::chrono::seconds(1);
    }
  }
  if (!exited) kill_group(SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  {
    // Only now: until reaped it is ours alone, not an orphan for end_orphans() to reap.
    std::lock_guard lock(g_running_mutex);
    g_running.erase(pid);
  }
  // What the program detached from its group and left running was adopted by this process
  // (a subreaper): it ends with the evaluation.
  if (g_subreaper.load()) end_orphans(&mark);

  if (timed_out) {
    outcome.end = ProcessOutcome::End::kTimedOut;
  } else if (WIFSIGNALED(status)) {
    outcome.end = ProcessOutcome::End::kSignalled;
    outcome.signal = WTERMSIG(status);
  } else {
    outcome.end = ProcessOutcome::End::kExited;
    outcome.exit_code = WEXITSTATUS(status);
  }
  if (stderr_buffer.size() > request.stderr_tail) {
    stderr_buffer.erase(0, stderr_buffer.size() - request.stderr_tail);
  }
  outcome.stderr_tail = std::move(stderr_buffer);
  outcome.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return outcome;
}

void kill_running_processes() {
  std::lock_guard lock(g_running_mutex);
  for (pid_t group : g_running) ::kill(-group, SIGKILL);
}

bool adopt_orphaned_descendants() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return false;
  g_subreaper = true;
  return true;
}

std::size_t end_adopted_processes() { return end_orphans(nullptr); }

std::string signal_name(int signal) {
  const char* abbrev = ::sigabbrev_np(signal);
  const char* text = ::sigdescr_np(signal);
  if (!abbrev || !text) return "signal " + std::to_string(signal);
  return "SIG" + std::string(abbrev) + " (" + text + ")";
}

std::string search_path() {
  const char* path = std::getenv("PATH");
  return path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
}

std::optional<std::string> find_on_path(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
  const std::string dirs = search_path();
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto colon = std::min(dirs.find(':', start), dirs.size());
    if (colon > start) {
      const fs::path candidate = fs::path(dirs.substr(start, colon - start)) / name;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
        return fs::absolute(candidate).lexically_normal().string();
      }
    }
    start = colon + 1;
  }
  return std::nullopt;
}

}  // namespace tmex::models
