// A store as a file on disk: which paths may hold one, what a file holds before SQLite opens
// it, the writer lock on the file itself, and publishing a newly built store atomically.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "storage/database.hpp"

namespace tmex::storage {

/// The file a store path names does not exist (StorageError).
class StoreMissingError : public StorageError {
 public:
  using StorageError::StorageError;
};

/// A new store could not be published because a file of that name appeared meanwhile.
class StoreExistsError : public StorageError {
 public:
  using StorageError::StorageError;
};

/// Longest store path, made absolute, that tmex accepts: SQLite's unix VFS handles file names of
/// up to 512 bytes (its MAX_PATHNAME), and tmex builds a new store under a temporary name about
/// 20 characters longer than the store's, beside which SQLite adds "-journal".
inline constexpr std::size_t kMaxStorePathChars = 480;

/// Why `path` cannot name a store, or nullopt when it can: empty, ":memory:" or a "file:" URI
/// (SQLite would keep nothing, or interpret it), ending in '/', longer than kMaxStorePathChars,
/// naming a folder, a FIFO, a device or a socket (symbolic links are followed; a dangling one is
/// refused), or in a folder that does not exist. A missing file in an existing folder is fine.
/// Reads the file system; never creates or opens anything.
std::optional<std::string> store_path_problem(const std::string& path);

/// What a file holds, judged from its first 100 bytes (the SQLite header) without SQLite.
struct StoreFileProbe {
  enum class Kind {
    kEmpty,        ///< 0 bytes
    kTmex,         ///< an SQLite database marked as a tmex store (application_id 'tmex')
    kOtherSqlite,  ///< an SQLite database of another application (or a bare one)
    kNotSqlite,    ///< anything else, including a truncated SQLite header
  };
  Kind kind = Kind::kNotSqlite;
  std::uint64_t size = 0;
  bool wal_mode = false;  ///< the header says WAL (read/write versions 2)
  /// Bytes of "PATH-wal" (0 when absent) and whether "PATH-shm" and "PATH-journal" exist.
  std::uint64_t wal_bytes = 0;
  bool wal_exists = false;
  bool shm_exists = false;
  bool hot_journal = false;  ///< "PATH-journal" exists and is not empty
};

/// Probes `path` (which must exist); throws StorageError when it cannot be read.
StoreFileProbe probe_store_file(const std::string& path);

/// The advisory writer lock of a store: an open file description lock (F_OFD_SETLK) on one byte
/// of the store file that SQLite's own locking never uses. It belongs to the file, so a second
/// writer through a symbolic or hard link meets it; it needs no file beside the store, and it is
/// released by the kernel when the process dies. Readers take no part in it. Movable.
class WriterLock {
 public:
  WriterLock() = default;
  /// Opens `path` for reading and writing (following symbolic links) and takes the lock before
  /// anything else looks at the file. Throws StoreMissingError when it does not exist,
  /// StorageError when it is read-only (permissions or a read-only file system) or another
  /// process holds the lock.
  static WriterLock acquire(const std::string& path);
  /// True when another process holds the writer lock of `path` (a campaign is writing it);
  /// false when none does or the file cannot be opened to ask.
  static bool held_elsewhere(const std::string& path);

  ~WriterLock();
  WriterLock(WriterLock&& other) noexcept;
  WriterLock& operator=(WriterLock&& other) noexcept;
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  bool held() const { return fd_ >= 0; }
  /// True when `path` names the locked file (same device and inode).
  bool same_file(const std::string& path) const;
  /// Releases the lock and closes the descriptor. Close the SQLite connections to the file
  /// first: closing any descriptor of a file drops this process's POSIX locks on it.
  void release();

 private:
  friend class NewStoreFile;
  explicit WriterLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// A new store under construction: an empty file with a temporary name in the store's folder
/// (".NAME.tmex-new-XXXXXX"), locked from the start. publish() gives it the store's name only if
/// no file of that name exists (renameat2 RENAME_NOREPLACE, or link + unlink where the file
/// system lacks it), so a half-built store never carries the name and a complete one is never
/// replaced. Until published, the destructor removes the temporary file and SQLite's companions
/// of it, and nothing else. Temporary files left by a killed creation are removed when their
/// lock is free.
class NewStoreFile {
 public:
  /// Creates the temporary file beside `store_path`; throws StorageError (read-only folder, ...).
  explicit NewStoreFile(const std::string& store_path);
  ~NewStoreFile();
  NewStoreFile(const NewStoreFile&) = delete;
  NewStoreFile& operator=(const NewStoreFile&) = delete;

  const std::string& temporary_path() const { return temporary_; }
  /// Gives the file the store's name. Throws StoreExistsError (after removing the temporary
  /// file) when the name was taken meanwhile, StorageError for other failures.
  void publish();
  /// After publish(): the lock, now on the store itself.
  WriterLock take_lock();

 private:
  void remove_temporary() noexcept;
  std::string store_;
  std::string temporary_;
  WriterLock lock_;
  bool published_ = false;
};

/// For tests: called with the temporary path just before a new store is published. Tests force
/// the creation race with it. The environment variable TMEX_TEST_CREATE_BARRIER=FILE does the
/// same for whole processes: the creator writes FILE.waiting and waits until FILE exists.
void set_before_publish_hook(std::function<void(const std::string&)> hook);

/// Receives one-line notices of the read-only store opener (rows it cannot read on a read-only
/// medium). main() prints them; the default drops them.
void set_store_notice_handler(std::function<void(const std::string&)> handler);
/// Passes a notice to the handler.
void store_notice(const std::string& text);

/// The process's file-creation mask, read from /proc/self/status without changing it (umask()
/// would change it, for every thread, while it is read); 022 where that file cannot be read.
mode_t current_umask();

}  // namespace tmex::storage
