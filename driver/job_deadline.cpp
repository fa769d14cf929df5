// Deadlines of `tmex run`: parsing times, asking SLURM for a job's end time, and turning both
// into the run's stop-after time.
#include "driver/job_deadline.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "driver/errors.hpp"
#include "models/subprocess.hpp"
#include "text/strings.hpp"

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

// Unix seconds of the latest time a WallClock::time_point holds (nanoseconds in 64 bits:
// 2262-04-11), less a margin; later times would overflow and read as 1677.
constexpr double kLatestSeconds = 9.223372e9;

// A time from Unix seconds; nullopt outside what WallClock represents.
std::optional<WallClock::time_point> from_seconds(double s) {
  if (!(std::fabs(s) <= kLatestSeconds)) return std::nullopt;
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
  // A time past 2262 is no limit at all (SLURM writes far-future end times for no limit).
  if (static_cast<double>(t) > kLatestSeconds) return WallClock::time_point::max();
  return from_seconds(static_cast<double>(t) + fraction);
}

struct CommandResult {
  bool started = false;
  bool timed_out = false;
  int status = -1;     // exit status when it exited normally
  std::string output;  // its standard output, or its standard error when that is empty
  std::string error;   // why it did not start
};

// Runs args[0] (searched on PATH) with args[1..] through the project's process launcher;
// killed (with its process group) after timeout_s.
CommandResult run_command(const std::vector<std::string>& args, double timeout_s) {
  CommandResult result;
  const auto program = models::find_on_path(args[0]);
  if (!program) {
    result.error = "not found on PATH";
    return result;
  }
  models::ProcessRequest request;
  request.program = *program;
  request.arguments.assign(args.begin() + 1, args.end());
  request.deadline = std::chrono::steady_clock::now() +
                     std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(timeout_s));
  request.stdout_limit = 65536;
  try {
    const models::ProcessOutcome outcome = models::run_process(request);
    result.started = true;
    result.timed_out = outcome.end == models::ProcessOutcome::End::kTimedOut;
    if (outcome.end == models::ProcessOutcome::End::kExited) result.status = outcome.exit_code;
    result.output =
        text::trim(outcome.standard_output).empty() ? outcome.stderr_tail : outcome.standard_output;
  } catch (const models::ProcessStartError& e) {
    result.error = e.what();
  }
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
    std::optional<WallClock::time_point> parsed;
    if (all_digits(whole) && (dot == std::string::npos || all_digits(frac)) && whole.size() <= 12) {
      parsed = from_seconds(std::strtod(digits.c_str(), nullptr));
      if (!parsed) parsed = WallClock::time_point::max();
    } else {
      parsed = parse_iso8601(t);
    }
    if (parsed == WallClock::time_point::max()) {
      throw UsageError("--deadline: '" + text +
                       "' is after 2262-04-11, the latest time tmex can represent; give an "
                       "earlier time, or no --deadline for none");
    }
    if (parsed) return *parsed;
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
    if (!limit || *limit == WallClock::time_point::max()) continue;
    const double s = std::chrono::duration<double>(*limit - now).count() - margin_s;
    const double v = std::max(s, kAtOnce);
    best = best > 0 ? std::min(best, v) : v;
  }
  return best;
}

std::chrono::steady_clock::time_point steady_deadline_after(double seconds) {
  using Steady = std::chrono::steady_clock;
  // Beyond about 30 years (or not a number) there is no limit; beyond 292 years the sum would
  // overflow and stop the run at once.
  if (!(seconds > 0.0) || seconds > 1e9) return Steady::time_point::max();
  return Steady::now() +
         std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
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
    } else if (*job_end == WallClock::time_point::max()) {
      job_end.reset();  // no end time worth the name
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
