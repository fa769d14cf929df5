// The one RAII wrapper around the SQLite C API; every sqlite3_* call is checked here.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace tmex::storage {

/// Any storage failure; the message names the file, the SQL and SQLite's own message.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement;

enum class OpenMode {
  kReadOnly,   ///< the file must exist
  kReadWrite,  ///< the file must exist
  kCreate,     ///< read-write; creates the file when missing
  /// Read-only, and the file is taken as unchanging (SQLite's immutable=1): no locks, no
  /// write-ahead log read, nothing created beside it. For stores on read-only media.
  kImmutable,
};

/// An open SQLite connection. Movable, not copyable. Not thread-safe: one thread at a time.
class Database {
 public:
  /// Opens `path`; throws StorageError (with the path and reason) when it cannot.
  Database(const std::string& path, OpenMode mode);
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs one or more statements without results; throws StorageError.
  void exec(const std::string& sql);
  /// Compiles one statement; throws StorageError.
  Statement prepare(const std::string& sql);
  /// Runs a query that yields a single integer (or nullopt for no row / NULL).
  std::optional<std::int64_t> query_int(const std::string& sql);
  /// Runs a query that yields a single text value (or nullopt for no row / NULL).
  std::optional<std::string> query_text(const std::string& sql);

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }
  /// True when the connection cannot write (opened read-only, or SQLite fell back to it).
  bool read_only() const;
  /// Milliseconds a statement waits for another connection's lock before failing.
  void set_busy_timeout(int ms);

  /// Throws StorageError for a non-OK SQLite return code, naming `what`.
  void check(int rc, std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// A prepared statement. Parameter indexes are 1-based, column indexes 0-based (as SQLite).
class Statement {
 public:
  Statement(const Database& db, sqlite3_stmt* stmt, std::string sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, double value);  ///< NaN and infinities are stored as NULL
  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view value);
  void bind_null(int index);

  /// Steps once: true when a row is available, false when done; throws StorageError.
  bool step();
  /// Resets for re-execution and clears bindings.
  void reset();

  int column_count() const;
  std::string column_name(int column) const;
  bool is_null(int column) const;
  double column_double(int column) const;  ///< NULL reads as NaN
  std::int64_t column_int(int column) const;
  std::string column_text(int column) const;

 private:
  // The connection handle and the file name, not the Database object: a Database may move
  // (CampaignStore is movable) while its statements stay valid.
  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* stmt_;
  std::string sql_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

/// Quotes an SQL identifier ("name" with embedded quotes doubled).
std::string quote_identifier(std::string_view name);

/// The version of the SQLite library this process runs with (sqlite3_libversion), e.g.
/// "3.40.1".
std::string sqlite_library_version();

}  // namespace tmex::storage
