// `tmex run`: opens or creates the store, then runs the campaign on MPI (or a single rank).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace tmex::driver {

struct RunOptions {
  std::string config_path;
  std::string db_override;  ///< --db: store path instead of storage.path
  double stop_after_s = 0;  ///< --stop-after: stop cleanly after this many seconds (0: never)
  /// --deadline: stop cleanly deadline_margin_s before this time (driver/job_deadline.hpp).
  std::optional<std::chrono::system_clock::time_point> deadline;
  double deadline_margin_s = 60;    ///< --deadline-margin: seconds kept before a deadline
  bool read_slurm_end_time = true;  ///< inside a SLURM job, also stop before the job's end
  bool retry_crashed = false;       ///< --retry-crashed: runs stored as `crashed` run again
  std::string command_line;         ///< recorded in the session row
};

/// Runs a campaign; every rank of the job calls it. Initialises and finalises MPI itself.
/// Returns the process exit status (driver/errors.hpp); rank 0 prints the messages.
int run_campaign(const RunOptions& options);

/// True after run_campaign() when an evaluation thread is still stuck in a model: the caller
/// must leave with std::_Exit (after flushing) rather than run destructors under it.
bool needs_hard_exit();

}  // namespace tmex::driver
