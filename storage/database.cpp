// Database, Statement and Transaction: checked wrappers over sqlite3.
#include "storage/database.hpp"

#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <utility>

namespace tmex::storage {

namespace {

// An SQLite URI naming `path` with `query`: the absolute path with '%', '?' and '#' escaped
// (https://sqlite.org/uri.html).
std::string file_uri(const std::string& path, const std::string& query) {
  std::string out = "file:";
  for (char c : std::filesystem::absolute(path).lexically_normal().string()) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '?':
        out += "%3f";
        break;
      case '#':
        out += "%23";
        break;
      default:
        out += c;
    }
  }
  return out + "?" + query;
}

}  // namespace

Database::Database(const std::string& path, OpenMode mode) : path_(path) {
  int flags = SQLITE_OPEN_NOMUTEX;
  // This SQLite is built with URI file names on: a plain path that begins with "file:" must not
  // be read as one.
  std::string name = path.rfind("file:", 0) == 0 ? "./" + path : path;
  switch (mode) {
    case OpenMode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case OpenMode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case OpenMode::kCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case OpenMode::kImmutable:
      flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
      name = file_uri(path, "immutable=1");
      break;
  }
  const int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError("cannot open '" + path + "': " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  // A writer holding the lock briefly (a checkpoint, another reader) is waited for.
  sqlite3_busy_timeout(db_, 5000);
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

namespace {
void check_rc(sqlite3* db, const std::string& path, int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
  throw StorageError(path + ": " + std::string(what) + ": " + sqlite3_errmsg(db) + " (" +
                     sqlite3_errstr(rc) + ")");
}
}  // namespace

void Database::check(int rc, std::string_view what) const { check_rc(db_, path_, rc, what); }

bool Database::read_only() const { return sqlite3_db_readonly(db_, "main") != 0; }

void Database::set_busy_timeout(int ms) { sqlite3_busy_timeout(db_, ms); }

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw StorageError(path_ + ": " + msg + " (in: " + sql.substr(0, 200) + ")");
  }
}

Statement Database::prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  check(sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr),
        "preparing '" + sql.substr(0, 200) + "'");
  return Statement(*this, stmt, sql);
}

std::optional<std::int64_t> Database::query_int(const std::string& sql) {
  Statement st = prepare(sql);
  if (!st.step() || st.is_null(0)) return std::nullopt;
  return st.column_int(0);
}

std::optional<std::string> Database::query_text(const std::string& sql) {
  Statement st = prepare(sql);
  if (!st.step() || st.is_null(0)) return std::nullopt;
  return st.column_text(0);
}

Statement::Statement(const Database& db, sqlite3_stmt* stmt, std::string sql)
    : db_(db.handle()), path_(db.path()), stmt_(stmt), sql_(std::move(sql)) {}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      path_(std::move(other.path_)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)) {}

void Statement::bind(int index, double value) {
  if (!std::isfinite(value)) {
    bind_null(index);
    return;
  }
  check_rc(db_, path_, sqlite3_bind_double(stmt_, index, value), "binding a value");
}

void Statement::bind(int index, std::int64_t value) {
  check_rc(db_, path_, sqlite3_bind_int64(stmt_, index, value), "binding a value");
}

void Statement::bind(int index, std::string_view value) {
  check_rc(db_, path_,
           sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                             SQLITE_TRANSIENT),
           "binding a value");
}

void Statement::bind_null(int index) {
  check_rc(db_, path_, sqlite3_bind_null(stmt_, index), "binding a value");
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  check_rc(db_, path_, rc, "executing '" + sql_.substr(0, 200) + "'");
  return false;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }

std::string Statement::column_name(int column) const {
  const char* n = sqlite3_column_name(stmt_, column);
  return n ? n : "";
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

double Statement::column_double(int column) const {
  if (is_null(column)) return std::nan("");
  return sqlite3_column_double(stmt_, column);
}

std::int64_t Statement::column_int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::column_text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
      // Rolling back a failed transaction can fail again (e.g. disk full); SQLite rolls back
      // on close regardless, so nothing committed is affected.
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string sqlite_library_version() { return sqlite3_libversion(); }

}  // namespace tmex::storage
