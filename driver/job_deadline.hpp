// When `tmex run` must stop on its own: --deadline times and the end time of a SLURM job.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace tmex::driver {

using WallClock = std::chrono::system_clock;

/// Parses a --deadline value: Unix seconds ("1764400000", "1764400000.5", "@1764400000") or an
/// ISO 8601 date and time "YYYY-MM-DDTHH:MM[:SS[.fff]]" (a space may replace the T), then "Z"
/// or an offset "+HH:MM", "+HHMM" or "+HH" (or "-"); without a zone it is local time, as SLURM
/// prints times. Throws UsageError naming the value when it is not one of these, or when it is
/// later than 2262-04-11 (the latest time a system_clock::time_point holds).
WallClock::time_point parse_deadline(const std::string& text);

/// Parses a time as `squeue -o %e` and `scontrol show job` print it (local ISO 8601 without a
/// zone). nullopt for "N/A", "Unknown", "NONE" and anything else that is not a time;
/// time_point::max() (no limit) for a time after 2262.
std::optional<WallClock::time_point> parse_slurm_time(const std::string& text);

/// The EndTime=... field of `scontrol show job` output; nullopt when absent or not a time.
std::optional<WallClock::time_point> parse_scontrol_end_time(const std::string& text);

/// Asks SLURM when job `job_id` (digits) ends: `squeue -h -j ID -o %e`, then
/// `scontrol show job ID`, each given at most timeout_s seconds. Returns nullopt and sets
/// `warning` (one line) when neither answers with a time. Runs subprocesses; not thread-safe
/// against concurrent signal-handler changes, call it from the main thread.
std::optional<WallClock::time_point> query_slurm_end_time(const std::string& job_id,
                                                          double timeout_s, std::string& warning);

/// Seconds from `now` until a run must stop: the earliest of stop_after_s (when > 0),
/// deadline - margin_s and job_end - margin_s. 0 means no limit; a limit already reached gives
/// a tiny positive value, so the run stops at once.
double seconds_until_stop(WallClock::time_point now, double stop_after_s,
                          std::optional<WallClock::time_point> deadline,
                          std::optional<WallClock::time_point> job_end, double margin_s);

/// The stop-after time of a run on rank 0: combines --stop-after, --deadline and, when
/// `read_slurm_end_time` and SLURM_JOB_ID is set, the job's end time from SLURM, each less
/// margin_s. Says on stderr which limit applies; a failed SLURM query is a warning. A job that
/// ends within margin_s is ignored with a warning (stopping at once would make requeued jobs
/// loop without progress); a --deadline within margin_s stops the run at once.
double resolve_stop_after_s(double stop_after_s, std::optional<WallClock::time_point> deadline,
                            double margin_s, bool read_slurm_end_time);

/// The steady-clock time `seconds` from now; time_point::max() (no limit) for 0, a negative
/// number, NaN or more than 1e9 s (which would overflow).
std::chrono::steady_clock::time_point steady_deadline_after(double seconds);

/// A time as "YYYY-MM-DDTHH:MM:SS" in local time, for messages.
std::string format_local_time(WallClock::time_point t);

}  // namespace tmex::driver
