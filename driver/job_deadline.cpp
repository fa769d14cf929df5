// Deadlines of `tmex run`: parsing times, asking SLURM for a job's end time, and turning both
// into the run's stop-after time.
#include "driver/job_deadline.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "driver/errors.hpp"
#include "text/strings.hpp"

extern char** environ;

namespace tmex::driver {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Reads exactly `n` digits at `pos` (advancing it); -1 when they are not there.
int take_digits(const std::string& s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[pos + i]);
    if (std::isdigit(c) == 0) return -1;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool take_char(const std::string& s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

WallClock::time_point from_seconds(double s) {
  return WallClock::time_point(
      std::chrono::duration_cast<WallClock::duration>(std::chrono::duration<double>(s)));
}

// ISO 8601 date and time; nullopt when `text` is not one. Without a zone: local time.
std::optional<WallClock::time_point> parse_iso8601(const std::string& text) {
  std::size_t pos = 0;
  std::tm tm{};
  const int year = take_digits(text, pos, 4);
  if (year < 0 || !take_char(text, pos, '-')) return std::nullopt;
  const int month = take_digits(text, pos, 2);
  if (month < 1 || month > 12 || !take_char(text, pos, '-')) return std::nullopt;
  const int day = take_digits(text, pos, 2);
  if (day < 1 || day > 31) return std::nullopt;
  if (!take_char(text, pos, 'T') && !take_char(text, pos, 't') && !take_char(text, pos, ' ')) {
    return std::nullopt;
  }
  const int hour = take_digits(text, pos, 2);
  if (hour < 0 || hour > 23 || !take_char(text, pos, ':')) return std::nullopt;
  const int minute = take_digits(text, pos, 2);
  if (minute < 0 || minute > 59) return std::nullopt;
  int second = 0;
  double fraction = 0;
  if (take_char(text, pos, ':')) {
    second = take_digits(text, pos, 2);
    if (second < 0 || second > 60) return std::nullopt;
    if (take_char(text, pos, '.') || take_char(text, pos, ',')) {
      double scale = 0.1;
      const std::size_t start = pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
        fraction += scale * (text[pos] - '0');
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
  }
  bool utc = false;
  int offset_s = 0;
  if (take_char(text, pos, 'Z') || take_char(text, pos, 'z')) {
    utc = true;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const int oh = take_digits(text, pos, 2);
    if (oh < 0 || oh > 23) return std::nullopt;
    int om = 0;
    if (pos < text.size()) {
      take_char(text, pos, ':');
      om = take_digits(text, pos, 2);
      if (om < 0 || om > 59) return std::nullopt;
    }
    utc = true;
    offset_s = sign * (oh * 3600 + om * 60);
  }
  if (pos != text.size()) return std::nullopt;

  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  // Reject dates that do not exist (2026-02-30): converting back must give the same day.
  std::tm check = tm;
  const std::time_t as_utc = timegm(&check);
  if (check.tm_mday != day || check.tm_mon != month - 1) return std::nullopt;
  std::time_t t = as_utc;
  if (utc) {
    t = as_utc - offset_s;
  } else {
    std::tm local = tm;
    local.tm_isdst = -1;
    t = std::mktime(&local);
    if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  }
  return from_seconds(static_cast<double>(t) + fraction);
}

struct CommandResult {
  bool started = false;
  bool timed_out = false;
  int status = -1;     // exit status when it exited normally
  std::string output;  // standard output and error together
  std::string error;   // why it did not start
};

// Runs argv (searched in PATH) with stdout and stderr into a pipe; kills it after timeout_s.
CommandResult run_command(const std::vector<std::string>& args, double timeout_s) {
  CommandResult result;
  int fds[2];
  if (pipe(fds) != 0) {
    result.error = std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // The child must not inherit tmex's stop-signal handlers' disposition for these.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGUSR1);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    result.error = std::strerror(rc);
    return result;
  }
  result.started = true;

  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(timeout_s));
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          end - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    const ssize_t got = read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // end of output: the command has exited or closed it
    if (result.output.size() < 65536) result.output.append(buf, static_cast<std::size_t>(got));
  }
  close(fds[0]);
  if (result.timed_out) kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out && WIFEXITED(wstatus)) result.status = WEXITSTATUS(wstatus);
  return result;
}

std::string first_line(const std::string& s) {
  const std::string t = text::trim(s);
  return t.substr(0, t.find('\n'));
}

// A one-line account of a command that gave no time.
std::string describe_failure(const std::string& name, const CommandResult& r) {
  if (!r.started) return name + ": " + r.error;
  if (r.timed_out) return name + ": no answer";
  std::string out = first_line(r.output);
  if (r.status != 0) {
    return name + ": exit status " + std::to_string(r.status) +
           (out.empty() ? "" : " (" + out + ")");
  }
  return name + ": no end time in '" + out + "'";
}

}  // namespace

WallClock::time_point parse_deadline(const std::string& text) {
  const std::string t = text::trim(text);
  if (!t.empty()) {
    const std::string digits = t[0] == '@' ? t.substr(1) : t;
    const auto dot = digits.find('.');
    const std::string whole = digits.substr(0, dot);
    const std::string frac = dot == std::string::npos ? "" : digits.substr(dot + 1);
    if (all_digits(whole) && (dot == std::string::npos || all_digits(frac)) && whole.size() <= 12) {
      return from_seconds(std::strtod(digits.c_str(), nullptr));
    }
    if (auto iso = parse_iso8601(t)) return *iso;
  }
  throw UsageError(
      "--deadline: expected Unix seconds (e.g. 1764400000) or an ISO 8601 date and time "
      "(e.g. 2026-11-29T18:30:00, 2026-11-29T18:30:00Z, 2026-11-29T18:30:00+01:00), got '" +
      text + "'");
}

std::optional<WallClock::time_point> parse_slurm_time(const std::string& text) {
  const std::string t = text::trim(text);
  if (t.empty() || t == "N/A" || t == "Unknown" || t == "NONE") return std::nullopt;
  return parse_iso8601(t);
}

std::optional<WallClock::time_point> parse_scontrol_end_time(const std::string& text) {
  const auto at = text.find("EndTime=");
  if (at == std::string::npos) return std::nullopt;
  const auto start = at + std::strlen("EndTime=");
  const auto end = text.find_first_of(" \t\r\n", start);
  return parse_slurm_time(text.substr(start, end == std::string::npos ? end : end - start));
}

std::optional<WallClock::time_point> query_slurm_end_time(const std::string& job_id,
                                                          double timeout_s, std::string& warning) {
  warning.clear();
  if (!all_digits(job_id)) {
    warning = "SLURM job id '" + job_id + "' is not a number";
    return std::nullopt;
  }
  const auto squeue = run_command({"squeue", "-h", "-j", job_id, "-o", "%e"}, timeout_s);
  if (squeue.started && !squeue.timed_out && squeue.status == 0) {
    // The last line: squeue may print warnings before it.
    std::string out = text::trim(squeue.output);
    out = out.substr(out.find_last_of('\n') == std::string::npos ? 0 : out.find_last_of('\n') + 1);
    if (auto t = parse_slurm_time(out)) return t;
  }
  const auto scontrol = run_command({"scontrol", "show", "job", job_id}, timeout_s);
  if (scontrol.started && !scontrol.timed_out && scontrol.status == 0) {
    if (auto t = parse_scontrol_end_time(scontrol.output)) return t;
  }
  warning = describe_failure("squeue", squeue) + "; " + describe_failure("scontrol", scontrol);
  return std::nullopt;
}

double seconds_until_stop(WallClock::time_point now, double stop_after_s,
                          std::optional<WallClock::time_point> deadline,
                          std::optional<WallClock::time_point> job_end, double margin_s) {
  constexpr double kAtOnce = 1e-3;  // a positive stop-after: "stop now", not "no limit"
  double best = stop_after_s > 0 ? stop_after_s : 0;
  for (const auto& limit : {deadline, job_end}) {
    if (!limit) continue;
    const double s = std::chrono::duration<double>(*limit - now).count() - margin_s;
    const double v = std::max(s, kAtOnce);
    best = best > 0 ? std::min(best, v) : v;
  }
  return best;
}

std::string format_local_time(WallClock::time_point t) {
  const std::time_t tt = WallClock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

double resolve_stop_after_s(double stop_after_s, std::optional<WallClock::time_point> deadline,
                            double margin_s, bool read_slurm_end_time) {
  std::optional<WallClock::time_point> job_end;
  const char* job_id = std::getenv("SLURM_JOB_ID");
  if (read_slurm_end_time && job_id != nullptr && *job_id != '\0') {
    std::string warning;
    job_end = query_slurm_end_time(job_id, 10.0, warning);
    if (!job_end) {
      std::fprintf(stderr,
                   "tmex: warning: could not read the end time of SLURM job %s (%s); relying on "
                   "signals and --deadline\n",
                   job_id, warning.c_str());
    } else {
      const double left = std::chrono::duration<double>(*job_end - WallClock::now()).count();
      if (left <= margin_s) {
        // Stopping at once would make every requeued job useless: rely on signals instead.
        std::fprintf(stderr,
                     "tmex: warning: SLURM job %s ends in %.0f s, within --deadline-margin (%g s); "
                     "not stopping early for it (relying on signals)\n",
                     job_id, left, margin_s);
        job_end.reset();
      } else {
        std::fprintf(stderr, "tmex: SLURM job %s ends at %s; stopping %g s before it\n", job_id,
                     format_local_time(*job_end).c_str(), margin_s);
      }
    }
  }
  const double s = seconds_until_stop(WallClock::now(), stop_after_s, deadline, job_end, margin_s);
  if (deadline) {
    std::fprintf(stderr, "tmex: deadline %s; stopping %g s before it\n",
                 format_local_time(*deadline).c_str(), margin_s);
    if (std::chrono::duration<double>(*deadline - WallClock::now()).count() <= margin_s) {
      std::fprintf(stderr,
                   "tmex: warning: --deadline less --deadline-margin has already passed; "
                   "stopping at once\n");
    }
  }
  return s;
}

}  // namespace tmex::driver
