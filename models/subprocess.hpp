// Runs one program in its own process group with pipes, a deadline and a bounded capture.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tmex::models {

/// What to run. The program is started with posix_spawn (no fork of the calling multithreaded
/// process), in a new process group so that a time-out can kill everything it started.
struct ProcessRequest {
  std::string program;                        ///< path of an executable file (no PATH search)
  std::vector<std::string> arguments;         ///< argv[1..]; argv[0] is `program`
  std::vector<std::string> environment;       ///< "NAME=value" entries added to (or replacing) ours
  std::string working_directory;              ///< empty: ours
  std::optional<std::string> standard_input;  ///< written to the program's stdin; none: /dev/null
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::chrono::milliseconds kill_grace{500};    ///< SIGTERM -> SIGKILL delay after the deadline
  std::size_t stdout_limit = 16 * 1024 * 1024;  ///< bytes of stdout kept; more is an overflow
  std::size_t stderr_tail = 4096;               ///< last bytes of stderr kept
};

/// How the program ended.
struct ProcessOutcome {
  enum class End {
    kExited,     ///< returned from main or called exit: see exit_code
    kSignalled,  ///< killed by a signal it did not catch: see signal
    kTimedOut,   ///< still running at the deadline; its process group was killed
  };
  End end = End::kExited;
  int exit_code = 0;
  int signal = 0;
  std::string standard_output;   ///< at most stdout_limit bytes
  bool stdout_overflow = false;  ///< the program wrote more than stdout_limit bytes
  std::string stderr_tail;       ///< the last stderr_tail bytes of its standard error
  double elapsed_s = 0.0;
};

/// The program could not be started (missing, not executable, no resources).
class ProcessStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Runs `request` to completion and returns how it ended. When the program (the group's leader)
/// exits, whatever it left running in its process group is killed (SIGKILL): an evaluation
/// leaves no processes behind. At the deadline the group gets SIGTERM, then SIGKILL after
/// kill_grace. SIGPIPE from a program that does not read its input is absorbed. Throws
/// ProcessStartError when the program cannot be started. Thread-safe: any number of threads may
/// run programs at once.
ProcessOutcome run_process(const ProcessRequest& request);

/// Sends SIGKILL to the process group of every program run_process() is running now. For a
/// process about to exit without joining its threads (std::_Exit), so that no program outlives
/// it. Async-signal-unsafe (takes a lock); thread-safe.
void kill_running_processes();

/// Makes this process the reaper of its orphaned descendants (Linux PR_SET_CHILD_SUBREAPER):
/// a process that a program detached from its group (setsid, setpgid, a double fork) becomes a
/// child of this process when its parent exits, instead of init's, so that it can be ended.
/// From then on run_process() ends, when a program exits, the adopted processes that carry its
/// evaluation's mark (the environment variable TMEX_EVALUATION, which descendants inherit).
/// Returns false where the kernel refuses. Call once, early, from the main thread.
bool adopt_orphaned_descendants();

/// Ends (SIGKILL, then reaps) every adopted process: children of this process that run_process
/// is not running, and their process groups. For the end of a campaign, when processes that
/// cleared their environment, or whose evaluation was abandoned, would otherwise outlive it.
/// Returns how many were ended. Thread-safe.
std::size_t end_adopted_processes();

/// The absolute path of the first executable regular file named `name` (no '/') in the
/// directories of $PATH (unset or empty: /usr/local/bin:/usr/bin:/bin), or nullopt. For
/// run_process(), which does not search.
std::optional<std::string> find_on_path(const std::string& name);

/// The directories find_on_path() searches, as $PATH lists them.
std::string search_path();

/// "SIGSEGV (Segmentation fault)", ...; "signal N" when unknown.
std::string signal_name(int signal);

}  // namespace tmex::models
