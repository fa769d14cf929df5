// OutputFile: write-through or atomic replacement, decided by what the path names.
#include "driver/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <vector>

#include "driver/errors.hpp"
#include "storage/store_file.hpp"

namespace tmex::driver {

namespace fs = std::filesystem;

namespace {

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

// The descriptor a path names by itself (/dev/stdout, /dev/fd/N, /proc/self/fd/N), if open.
std::optional<int> descriptor_of(const std::string& path) {
  int fd = -1;
  if (path == "/dev/stdout") {
    fd = STDOUT_FILENO;
  } else if (path == "/dev/stderr") {
    fd = STDERR_FILENO;
  } else {
    for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"}) {
      const std::string p(prefix);
      if (path.rfind(p, 0) == 0) {
        const char* b = path.data() + p.size();
        const char* e = path.data() + path.size();
        auto [ptr, ec] = std::from_chars(b, e, fd);
        if (ec != std::errc() || ptr != e || b == e) fd = -1;
      }
    }
  }
  if (fd < 0 || ::fcntl(fd, F_GETFD) == -1) return std::nullopt;
  return fd;
}

// The file a path finally names, following symbolic links (also to a target that does not
// exist yet, so that writing through a dangling link creates its target).
std::string followed(const std::string& path) {
  fs::path p = path;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec))) break;
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) break;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  return p.string();
}

// What open(2) gives a new file (0666) less the umask.
mode_t new_file_mode() { return 0666 & ~storage::current_umask(); }

}  // namespace

// A put area over a file descriptor; remembers the first write error (errno).
class OutputFile::Buffer : public std::streambuf {
 public:
  explicit Buffer(int fd) : fd_(fd), data_(1 << 16) { reset(); }
  int error() const { return error_; }
  bool drain() {
    const char* p = pbase();
    auto left = static_cast<std::size_t>(pptr() - pbase());
    while (left > 0 && error_ == 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        break;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    reset();
    return error_ == 0;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  void reset() { setp(data_.data(), data_.data() + data_.size()); }
  int fd_;
  int error_ = 0;
  std::vector<char> data_;
};

OutputFile::OutputFile(const std::string& path) {
  if (path.empty() || path == "-") {
    name_ = "standard output";
    std::fflush(stdout);  // what stdio holds goes first
    fd_ = STDOUT_FILENO;
  } else if (auto fd = descriptor_of(path)) {
    name_ = path;
    std::fflush(nullptr);
    fd_ = *fd;
  } else {
    name_ = path;
    target_ = followed(path);
    struct stat st {};
    const bool exists = ::stat(target_.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) throw UsageError(in_quotes(path) + " is a folder");
    if (exists && !S_ISREG(st.st_mode)) {
      // A device, FIFO or socket: write through (a FIFO waits here for its reader).
      fd_ = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd_ < 0) {
        throw UsageError("cannot write " + in_quotes(path) + ": " + std::strerror(errno));
      }
      owns_fd_ = true;
      target_.clear();
    } else {
      const fs::path parent = fs::path(target_).parent_path();
      const std::string folder = parent.empty() ? std::string(".") : parent.string();
      std::error_code ec;
      if (!fs::is_directory(folder, ec)) {
        throw UsageError("cannot write " + in_quotes(path) + ": the folder " + in_quotes(folder) +
                         " does not exist");
      }
      std::string pattern =
          folder + "/." + fs::path(target_).filename().string() + ".tmex-partial-XXXXXX";
      fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
      if (fd_ < 0) {
        throw UsageError("cannot write " + in_quotes(path) + ": " + std::strerror(errno));
      }
      owns_fd_ = true;
      temporary_ = pattern;
      ::fchmod(fd_, exists ? (st.st_mode & 07777) : new_file_mode());
    }
  }
  buffer_ = std::make_unique<Buffer>(fd_);
  stream_ = std::make_unique<std::ostream>(buffer_.get());
}

OutputFile::~OutputFile() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
}

std::ostream& OutputFile::stream() { return *stream_; }

void OutputFile::commit() {
  auto fail = [&](int error) {
    throw OutputError("writing " + (name_ == "standard output" ? name_ : in_quotes(name_)) +
                      " failed: " + std::strerror(error));
  };
  stream_->flush();
  if (buffer_->error() != 0) fail(buffer_->error());
  if (stream_->fail()) fail(EIO);
  if (!temporary_.empty()) {
    // On disk before it replaces anything: a crash leaves the old file or the new, whole.
    if (::fsync(fd_) != 0) fail(errno);
  }
  if (owns_fd_) {
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0 && errno != EINTR) fail(errno);
  }
  if (!temporary_.empty() && ::rename(temporary_.c_str(), target_.c_str()) != 0) fail(errno);
  committed_ = true;
}

bool flush_standard_output(std::string& error) {
  errno = 0;
  std::cout.flush();  // synchronised with stdio: flushes stdout
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || std::cout.fail();
  if (failed) error = errno != 0 ? std::strerror(errno) : "write error";
  return !failed;
}

}  // namespace tmex::driver
