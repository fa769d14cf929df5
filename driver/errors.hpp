// The driver's exception types and its documented exit statuses.
#pragma once

#include <stdexcept>
#include <string>

namespace tmex::driver {

/// Exit statuses of the tmex executable (documented in the README).
enum ExitStatus : int {
  kExitOk = 0,           ///< finished (or nothing left to do)
  kExitError = 1,        ///< runtime failure: storage, MPI, internal error
  kExitUsage = 2,        ///< bad command line or configuration; nothing was created or changed
  kExitInterrupted = 3,  ///< stopped by a signal or deadline; run the same command to resume
  kExitFailureLimit = 4  ///< stopped because too many evaluations failed
};

/// A configuration problem; the message already carries "file:line:column: key: ..." context.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A bad command line (unknown option value, missing file).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// For the catch (...) block of a setup step on rank 0: prints the exception being handled as
/// one line on stderr ("tmex: error: ..." or "tmex: storage error: ...") and returns its exit
/// status: kExitUsage for a ConfigError, kExitError for a storage or any other std::exception.
/// Call it only while handling an exception; anything not a std::exception propagates.
int report_setup_failure();

}  // namespace tmex::driver
