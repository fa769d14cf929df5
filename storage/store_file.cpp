// Store files: path checks, header probes, the writer lock and atomic publication.
#include "storage/store_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace tmex::storage {

namespace fs = std::filesystem;

namespace {

// The byte the writer lock covers: inside SQLite's lock page (which starts at its PENDING_BYTE,
// 0x40000000, and holds no data) but past the bytes SQLite locks itself (PENDING_BYTE to
// PENDING_BYTE + 511: pending, reserved and the shared range; sqlite.org/lockingv3.html and
// os_unix.c). Advisory locks do not hinder reads or writes, and locks on disjoint bytes never
// conflict, so SQLite's readers and writers are not affected.
constexpr off_t kLockByte = 0x40000000 + 768;

// A temporary store file older than this with its lock free was left by a killed creation.
// (Between mkstemp and taking the lock a new file is briefly unlocked: the age keeps a cleaner
// from deleting another process's file in that moment.)
constexpr auto kStaleAfter = std::chrono::seconds(60);

std::string errno_text(int error) { return std::strerror(error); }

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

std::string folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

flock lock_request(short type) {
  flock fl{};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = kLockByte;
  fl.l_len = 1;
  fl.l_pid = 0;  // required for open file description locks
  return fl;
}

bool try_lock(int fd) {
  flock fl = lock_request(F_WRLCK);
  return ::fcntl(fd, F_OFD_SETLK, &fl) == 0;
}

// The permissions SQLite gives a new database (SQLITE_DEFAULT_FILE_PERMISSIONS, 0644) less the
// umask.
mode_t new_file_mode() { return 0644 & ~current_umask(); }

std::mutex g_hook_mutex;
std::function<void(const std::string&)> g_before_publish;
std::function<void(const std::string&)> g_notice;

void run_before_publish_hook(const std::string& temporary) {
  std::function<void(const std::string&)> hook;
  {
    std::lock_guard lock(g_hook_mutex);
    hook = g_before_publish;
  }
  if (hook) hook(temporary);
  if (const char* barrier = std::getenv("TMEX_TEST_CREATE_BARRIER"); barrier && *barrier) {
    std::ofstream(std::string(barrier) + ".waiting") << temporary << '\n';
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!fs::exists(barrier) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

void unlink_with_companions(const std::string& path) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    ::unlink((path + suffix).c_str());
  }
}

// Removes temporary files of killed creations of `name` in `folder`: only files whose name has
// exactly our pattern, whose lock is free and which have not changed for kStaleAfter.
void remove_stale_temporaries(const std::string& folder, const std::string& name) {
  const std::string prefix = "." + name + ".tmex-new-";
  DIR* dir = ::opendir(folder.c_str());
  if (!dir) return;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string file = entry->d_name;
    if (file.size() != prefix.size() + 6 || file.rfind(prefix, 0) != 0) continue;
    const std::string path = folder + "/" + file;
    const int fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        now - std::chrono::seconds(st.st_mtim.tv_sec) > kStaleAfter && try_lock(fd)) {
      unlink_with_companions(path);  // while we hold its lock
    }
    ::close(fd);
  }
  ::closedir(dir);
}

void sync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

std::optional<std::string> store_path_problem(const std::string& path) {
  if (path.empty()) return std::string("the store path is empty");
  if (path == ":memory:" || path.rfind("file:", 0) == 0) {
    return in_quotes(path) + " is " +
           (path == ":memory:" ? "SQLite's in-memory database" : "an SQLite URI") +
           ", not a file: a store must be a file that keeps the runs after tmex exits";
  }
  if (path.back() == '/') {
    return in_quotes(path) + " ends with '/', so it names a folder; name the store file, e.g. " +
           in_quotes(path + "campaign.db");
  }
  std::error_code ec;
  const std::string absolute = fs::absolute(path, ec).lexically_normal().string();
  if (!ec && absolute.size() > kMaxStorePathChars) {
    return in_quotes(path) + " is " + std::to_string(absolute.size()) +
           " characters long as an absolute path, more than the " +
           std::to_string(kMaxStorePathChars) +
           " that SQLite's file names allow (with tmex's temporary names); use a shorter path";
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISREG(st.st_mode)) return std::nullopt;
    const char* what = S_ISDIR(st.st_mode)    ? "a folder"
                       : S_ISFIFO(st.st_mode) ? "a named pipe (FIFO)"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    return in_quotes(path) + " is " + what + "; a store must be a regular file";
  }
  const int error = errno;
  if (error == ENAMETOOLONG) return in_quotes(path) + " is too long a path";
  if (error == ENOTDIR) {
    return "a part of " + in_quotes(path) + " before the file name is not a folder";
  }
  if (error != ENOENT) return std::nullopt;  // e.g. EACCES: opening will say more
  struct stat link {};
  if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    std::error_code rec;
    const auto target = fs::read_symlink(path, rec);
    return in_quotes(path) + " is a symbolic link to " + in_quotes(target.string()) +
           ", which does not exist";
  }
  const std::string folder = folder_of(path);
  struct stat dir {};
  if (::stat(folder.c_str(), &dir) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return "the folder " + in_quotes(folder) + " of " + in_quotes(path) + " does not exist";
    }
    return std::nullopt;
  }
  if (!S_ISDIR(dir.st_mode)) return in_quotes(folder) + " is not a folder";
  return std::nullopt;
}

StoreFileProbe probe_store_file(const std::string& path) {
  StoreFileProbe probe;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) throw StoreMissingError(in_quotes(path) + " does not exist");
    throw StorageError("cannot read " + in_quotes(path) + ": " + errno_text(error));
  }
  struct stat st {};
  unsigned char header[100] = {};
  ssize_t got = 0;
  if (::fstat(fd, &st) == 0) {
    probe.size = static_cast<std::uint64_t>(st.st_size);
    got = ::pread(fd, header, sizeof header, 0);
  }
  ::close(fd);
  static const char kMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                  'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  if (probe.size == 0) {
    probe.kind = StoreFileProbe::Kind::kEmpty;
  } else if (got == static_cast<ssize_t>(sizeof header) &&
             std::memcmp(header, kMagic, sizeof kMagic) == 0) {
    const std::uint32_t app = (std::uint32_t{header[68]} << 24) |
                              (std::uint32_t{header[69]} << 16) | (std::uint32_t{header[70]} << 8) |
                              std::uint32_t{header[71]};
    probe.kind =
        app == 0x746d6578 ? StoreFileProbe::Kind::kTmex : StoreFileProbe::Kind::kOtherSqlite;
    probe.wal_mode = header[18] == 2 && header[19] == 2;
  }
  struct stat companion {};
  if (::stat((path + "-wal").c_str(), &companion) == 0) {
    probe.wal_exists = true;
    probe.wal_bytes = static_cast<std::uint64_t>(companion.st_size);
  }
  probe.shm_exists = ::stat((path + "-shm").c_str(), &companion) == 0;
  probe.hot_journal = ::stat((path + "-journal").c_str(), &companion) == 0 && companion.st_size > 0;
  return probe;
}

WriterLock WriterLock::acquire(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    switch (error) {
      case ENOENT:
        throw StoreMissingError(in_quotes(path) + " does not exist");
      case EACCES:
      case EPERM:
        throw StorageError(in_quotes(path) +
                           " is read-only (no write permission): tmex run adds runs to it; "
                           "tmex status, analyze and export only read it");
      case EROFS:
        throw StorageError(in_quotes(path) +
                           " is on a read-only file system: tmex run adds runs to it; tmex "
                           "status, analyze and export only read it");
      default:
        throw StorageError("cannot open " + in_quotes(path) + " for writing: " + errno_text(error));
    }
  }
  WriterLock lock(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    throw StorageError(in_quotes(path) + " is not a regular file");
  }
  flock fl = lock_request(F_WRLCK);
  if (::fcntl(fd, F_OFD_SETLK, &fl) != 0) {
    const int error = errno;
    if (error == EAGAIN || error == EACCES) {
      throw StorageError(in_quotes(path) +
                         " is being written by another tmex run (it holds the store's writer "
                         "lock, also when reached through another link); wait for it to finish "
                         "or stop it first");
    }
    throw StorageError("cannot lock " + in_quotes(path) + ": " + errno_text(error) +
                       " (the file system must support POSIX locks, as SQLite needs them too)");
  }
  return lock;
}

bool WriterLock::held_elsewhere(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  flock fl = lock_request(F_WRLCK);
  const bool held = ::fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

WriterLock::~WriterLock() { release(); }

WriterLock::WriterLock(WriterLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

bool WriterLock::same_file(const std::string& path) const {
  struct stat mine {};
  struct stat named {};
  return fd_ >= 0 && ::fstat(fd_, &mine) == 0 && ::stat(path.c_str(), &named) == 0 &&
         mine.st_dev == named.st_dev && mine.st_ino == named.st_ino;
}

void WriterLock::release() {
  if (fd_ >= 0) ::close(fd_);  // closing the description releases its lock
  fd_ = -1;
}

NewStoreFile::NewStoreFile(const std::string& store_path) : store_(store_path) {
  const std::string folder = folder_of(store_path);
  const std::string name = fs::path(store_path).filename().string();
  remove_stale_temporaries(folder, name);
  std::string pattern = folder + "/." + name + ".tmex-new-XXXXXX";
  const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    throw StorageError("cannot create " + in_quotes(store_path) + ": " + errno_text(error) +
                       (error == EACCES || error == EROFS || error == EPERM
                            ? " (the folder " + in_quotes(folder) + " is not writable)"
                            : std::string()));
  }
  temporary_ = pattern;
  lock_ = WriterLock(fd);
  if (!try_lock(fd)) {
    remove_temporary();
    throw StorageError("cannot lock the new store file " + in_quotes(temporary_) + ": " +
                       errno_text(errno));
  }
  ::fchmod(fd, new_file_mode());
}

NewStoreFile::~NewStoreFile() {
  if (!published_) remove_temporary();
}

void NewStoreFile::remove_temporary() noexcept {
  if (!temporary_.empty()) unlink_with_companions(temporary_);
}

void NewStoreFile::publish() {
  run_before_publish_hook(temporary_);
  int rc = ::renameat2(AT_FDCWD, temporary_.c_str(), AT_FDCWD, store_.c_str(), RENAME_NOREPLACE);
  int error = rc == 0 ? 0 : errno;
  if (rc != 0 && (error == EINVAL || error == ENOSYS || error == EOPNOTSUPP)) {
    // No RENAME_NOREPLACE here (NFS, some FUSE file systems): link() fails on an existing name
    // just as atomically.
    rc = ::link(temporary_.c_str(), store_.c_str());
    error = rc == 0 ? 0 : errno;
    if (rc == 0) {
      ::unlink(temporary_.c_str());
    } else if (error == EPERM || error == EOPNOTSUPP || error == ENOSYS) {
      // Neither (FAT, exFAT): an existence check, then a plain rename. Not atomic against a
      // second creator in the same instant; the README says so.
      struct stat st {};
      if (::lstat(store_.c_str(), &st) == 0) {
        error = EEXIST;
      } else {
        rc = ::rename(temporary_.c_str(), store_.c_str());
        error = rc == 0 ? 0 : errno;
      }
    }
  }
  if (error == EEXIST) {
    remove_temporary();
    published_ = true;  // nothing left to remove
    throw StoreExistsError(in_quotes(store_) + " was created by another process meanwhile");
  }
  if (error != 0) {
    throw StorageError("cannot give the new store its name " + in_quotes(store_) + ": " +
                       errno_text(error));
  }
  published_ = true;
  sync_folder(folder_of(store_));
}

WriterLock NewStoreFile::take_lock() { return std::move(lock_); }

void set_before_publish_hook(std::function<void(const std::string&)> hook) {
  std::lock_guard lock(g_hook_mutex);
  g_before_publish = std::move(hook);
}

void set_store_notice_handler(std::function<void(const std::string&)> handler) {
  std::lock_guard lock(g_hook_mutex);
  g_notice = std::move(handler);
}

void store_notice(const std::string& text) {
  std::function<void(const std::string&)> handler;
  {
    std::lock_guard lock(g_hook_mutex);
    handler = g_notice;
  }
  if (handler) handler(text);
}

mode_t current_umask() {
  mode_t mask = 022;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      mask = static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
      break;
    }
  }
  return mask;
}

}  // namespace tmex::storage
