// Where a command's output goes: standard output, a device or FIFO written through, or a
// regular file replaced atomically; every write and the close are checked.
#pragma once

#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

namespace tmex::driver {

/// Writing an output failed (a full disk, a closed pipe, ...); the message names the path and
/// the system's reason.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An output of a command (`export -o`, `sample -o`, `analyze --out`, `report -o`). What `path`
/// names decides how it is written:
///  - "" or "-": standard output, written through;
///  - /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: that descriptor, written through;
///  - an existing file that is not a regular file (a device such as /dev/null, a FIFO, a
///    socket): opened and written through, never replaced;
///  - otherwise (a regular file or a new name; symbolic links are followed to their target, so
///    the link stays and points at the new content): written to a temporary file in the
///    target's folder and renamed over the target by commit(), with the target's permissions
///    (or 0666 less the umask for a new file). A reader never sees half a file.
/// Until commit() succeeds nothing replaces the target, and the destructor removes the
/// temporary file (only that). Not thread-safe.
class OutputFile {
 public:
  /// Opens the output; throws UsageError when `path` cannot be written (a folder, a missing
  /// folder, no permission).
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// The stream to write to. Errors show as a failed stream; commit() reports them.
  std::ostream& stream();
  /// Flushes and closes (checking both), then renames a temporary file into place. Throws
  /// OutputError naming the path and the reason (e.g. "No space left on device"); the target
  /// is then as it was (or, written through, as far as it got).
  void commit();

  /// What is being written, for messages: the path, or "standard output".
  const std::string& name() const { return name_; }

 private:
  class Buffer;
  std::string name_;
  std::string target_;     ///< the file renamed over (regular files only)
  std::string temporary_;  ///< empty when written through
  int fd_ = -1;
  bool owns_fd_ = false;
  bool committed_ = false;
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<std::ostream> stream_;
};

/// Flushes standard output and reports whether everything written to it arrived: false after
/// a write error (e.g. `tmex status > /dev/full`), with `error` set to the reason.
bool flush_standard_output(std::string& error);

}  // namespace tmex::driver
