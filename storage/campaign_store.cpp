// CampaignStore: schema creation, metadata, batched run inserts, resume mask, sessions, status.
#include "storage/campaign_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "storage/legacy_meta.hpp"
#include "text/number_text.hpp"
#include "text/strings.hpp"

namespace tmex::storage {

namespace {

// 'tmex' in ASCII: marks a SQLite file as a tmex store (PRAGMA application_id).
constexpr std::int64_t kApplicationId = 0x746d6578;

// The checks of a campaign that stops itself at checkpoints (README, "Campaigns that stop by
// themselves"): one row per checkpoint checked, and each criterion of each output.
constexpr const char* kChecksSchema =
    "CREATE TABLE checks(checkpoint INTEGER PRIMARY KEY, samples INTEGER NOT NULL,"
    " runs INTEGER NOT NULL, rows_used INTEGER NOT NULL, decision TEXT NOT NULL,"
    " summary TEXT NOT NULL, session INTEGER REFERENCES sessions(id), seconds REAL,"
    " checked_at TEXT NOT NULL);"
    "CREATE TABLE check_criteria(checkpoint INTEGER NOT NULL REFERENCES checks(checkpoint),"
    " position INTEGER NOT NULL, output TEXT NOT NULL, criterion TEXT NOT NULL, value REAL,"
    " target REAL, met INTEGER NOT NULL, detail TEXT NOT NULL, contrast TEXT,"
    " PRIMARY KEY(checkpoint, position)) WITHOUT ROWID;";
// A campaign that converged is complete with the runs of the checkpoint it stopped at.
constexpr const char* kProgressView =
    "CREATE VIEW progress AS SELECT"
    " coalesce((SELECT runs FROM checks WHERE decision = 'converged'),"
    " (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'total_runs')) AS total,"
    " (SELECT count(*) FROM runs) AS stored,"
    " (SELECT count(*) FROM runs WHERE status = 'ok') AS ok,"
    " (SELECT count(*) FROM runs WHERE status <> 'ok') AS failed;";

bool has_table(Database& db, const std::string& name) {
  Statement st =
      db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
  st.bind(1, std::string_view(name));
  return st.step() && st.column_int(0) > 0;
}

void set_meta(Database& db, const std::string& key, const std::string& value) {
  Statement st = db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");
  st.bind(1, std::string_view(key));
  st.bind(2, std::string_view(value));
  st.step();
}

// Writes a campaign's changed identity into the meta table (inside the caller's transaction): the
// sample count before it in extended_from when it has more samples, then its samples, total runs,
// design and configuration (canonical text, hash, YAML, file).
void write_changed_identity(Database& db, const CampaignMeta& before, const CampaignMeta& changed) {
  if (changed.samples > before.samples) {
    Statement st = db.prepare(
        "INSERT INTO meta(key, value) VALUES ('extended_from', ?1) ON CONFLICT(key) DO UPDATE"
        " SET value = value || ', ' || excluded.value");
    st.bind(1, std::to_string(before.samples));
    st.step();
  }
  set_meta(db, "samples", std::to_string(changed.samples));
  set_meta(db, "total_runs", std::to_string(changed.total_runs()));
  set_meta(db, "design", changed.design);
  set_meta(db, "config", changed.config);
  set_meta(db, "config_hash", changed.config_hash);
  set_meta(db, "config_yaml", changed.config_yaml);
  set_meta(db, "config_file", changed.config_file);
}

// The same change in the metadata held in memory, once committed.
void adopt_changed_identity(CampaignMeta& meta, const CampaignMeta& changed) {
  meta.samples = changed.samples;
  meta.design = changed.design;
  meta.config = changed.config;
  meta.config_hash = changed.config_hash;
  meta.config_yaml = changed.config_yaml;
  meta.config_file = changed.config_file;
}

std::string require_meta(Database& db, const std::string& key) {
  Statement st = db.prepare("SELECT value FROM meta WHERE key = ?1");
  st.bind(1, std::string_view(key));
  if (!st.step()) {
    throw StorageError(db.path() + ": damaged tmex store (its metadata '" + key + "' is missing)");
  }
  return st.column_text(0);
}

std::optional<std::string> optional_meta(Database& db, const std::string& key) {
  Statement st = db.prepare("SELECT value FROM meta WHERE key = ?1");
  st.bind(1, std::string_view(key));
  if (!st.step()) return std::nullopt;
  return st.column_text(0);
}

enum class Access { kRead, kWrite };

// Refuses, without SQLite, a file that is not a tmex store; says "damaged" for one that is.
void check_file_kind(const std::string& path, const StoreFileProbe& probe) {
  switch (probe.kind) {
    case StoreFileProbe::Kind::kTmex:
      return;
    case StoreFileProbe::Kind::kEmpty:
      throw StorageError(path +
                         ": not a tmex store yet: the file is empty (0 bytes); `tmex run` builds "
                         "the store in it");
    case StoreFileProbe::Kind::kOtherSqlite:
      throw StorageError(path + ": not a tmex store (an SQLite database of another program)");
    case StoreFileProbe::Kind::kNotSqlite:
      throw StorageError(path + ": not a tmex store (not an SQLite database)");
  }
}

// Checks the file is a tmex store of a schema version we can use (read: 1..current; write:
// current) before anything else reads it. Returns the version.
int check_identity(Database& db, Access access) {
  std::int64_t app = 0;
  std::int64_t version = 0;
  try {
    app = db.query_int("PRAGMA application_id").value_or(0);
    version = db.query_int("PRAGMA user_version").value_or(0);
    db.query_int("SELECT count(*) FROM sqlite_master");
  } catch (const StorageError& e) {
    throw StorageError(db.path() + ": damaged tmex store (SQLite cannot read it: " + e.what() +
                       ")");
  }
  if (app != kApplicationId) {
    throw StorageError(db.path() + ": not a tmex store (SQLite application_id is " +
                       std::to_string(app) + ", expected " + std::to_string(kApplicationId) + ")");
  }
  if (!db.query_int("SELECT 1 FROM sqlite_master WHERE name = 'meta'")) {
    throw StorageError(db.path() +
                       ": damaged tmex store: marked as one but without its tables (a creation "
                       "killed part-way by a tmex before this one); remove it and run again");
  }
  if (version > kSchemaVersion) {
    throw StorageError(db.path() + ": written by a newer tmex (store schema version " +
                       std::to_string(version) + ", this tmex reads up to version " +
                       std::to_string(kSchemaVersion) + "); use a newer tmex");
  }
  if (version < kOldestReadableSchemaVersion) {
    throw StorageError(db.path() + ": unsupported store schema version " + std::to_string(version) +
                       " (this tmex reads versions " +
                       std::to_string(kOldestReadableSchemaVersion) + " to " +
                       std::to_string(kSchemaVersion) + ")");
  }
  if (access == Access::kWrite && version != kSchemaVersion) {
    const std::string made_by = optional_meta(db, "tmex_version").value_or("an older tmex");
    throw StorageError(db.path() + ": store schema version " + std::to_string(version) +
                       " (made by tmex " + made_by +
                       ") can be read (status, analyze, export, verify) but not resumed by this "
                       "tmex (schema version " +
                       std::to_string(kSchemaVersion) + "); finish it with tmex " + made_by +
                       ", or run the campaign into a new store (--db)");
  }
  return static_cast<int>(version);
}

// Stores up to this size get a full structural check (PRAGMA quick_check, which reads every
// page: a fraction of a second here) each time they are opened; larger ones report corruption
// when a damaged page is read.
constexpr std::uintmax_t kQuickCheckMaxBytes = 256ull << 20;

void check_structure(Database& db) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(db.path(), ec);
  if (ec || size > kQuickCheckMaxBytes) return;
  std::string verdict;
  try {
    verdict = db.query_text("PRAGMA quick_check(1)").value_or("");
  } catch (const StorageError& e) {
    verdict = e.what();
  }
  if (verdict != "ok") {
    throw StorageError(db.path() +
                       ": corrupt tmex store (SQLite quick_check: " + verdict.substr(0, 200) +
                       "); the file was not modified: restore it from a copy, or recover its "
                       "rows with the sqlite3 shell's .recover");
  }
}

void insert_parameters(Database& db, const std::vector<ParameterColumn>& parameters) {
  Statement st = db.prepare("INSERT INTO parameters VALUES (?1, ?2, ?3, ?4, ?5)");
  Statement arg = db.prepare("INSERT INTO parameter_arguments VALUES (?1, ?2, ?3, ?4)");
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const ParameterColumn& p = parameters[i];
    st.bind(1, static_cast<std::int64_t>(i));
    st.bind(2, std::string_view(p.name));
    st.bind(3, std::string_view(p.distribution));
    st.bind(4, std::string_view(p.kind));
    st.bind(5, static_cast<std::int64_t>(p.dummy ? 1 : 0));
    st.step();
    st.reset();
    for (std::size_t a = 0; a < p.arguments.size(); ++a) {
      arg.bind(1, static_cast<std::int64_t>(i));
      arg.bind(2, static_cast<std::int64_t>(a));
      arg.bind(3, std::string_view(p.arguments[a].name));
      arg.bind(4, p.arguments[a].value);
      arg.step();
      arg.reset();
    }
  }
}

// The arms table exists only in stores of campaigns with arms.
void insert_arms(Database& db, const std::vector<ArmInfo>& arms) {
  if (arms.empty()) return;
  db.exec(
      "CREATE TABLE arms(position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
      " overrides TEXT NOT NULL)");
  Statement st = db.prepare("INSERT INTO arms VALUES (?1, ?2, ?3)");
  for (std::size_t i = 0; i < arms.size(); ++i) {
    st.bind(1, static_cast<std::int64_t>(i));
    st.bind(2, std::string_view(arms[i].name));
    st.bind(3, std::string_view(arms[i].overrides));
    st.step();
    st.reset();
  }
}

bool has_column(Database& db, const std::string& table, const std::string& column) {
  Statement st = db.prepare("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2");
  st.bind(1, std::string_view(table));
  st.bind(2, std::string_view(column));
  return st.step() && st.column_int(0) > 0;
}

void configure_connection(Database& db, bool writer) {
  if (writer) {
    db.exec("PRAGMA journal_mode=WAL");
    // NORMAL in WAL mode: a committed transaction survives a process crash; only an OS crash
    // or power loss can roll back the last transactions (https://sqlite.org/pragma.html).
    db.exec("PRAGMA synchronous=NORMAL");
  }
  db.exec("PRAGMA foreign_keys=ON");
}

// The schema and the metadata of a new store, in one transaction.
void write_schema(Database& db, const CampaignMeta& meta) {
  Transaction tx(db);
  db.exec("PRAGMA application_id=" + std::to_string(kApplicationId));
  db.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
  db.exec(
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "CREATE TABLE parameters(position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
      " distribution TEXT NOT NULL, kind TEXT NOT NULL, dummy INTEGER NOT NULL DEFAULT 0);"
      "CREATE TABLE parameter_arguments(parameter INTEGER NOT NULL"
      " REFERENCES parameters(position), position INTEGER NOT NULL, name TEXT NOT NULL,"
      " value REAL NOT NULL, PRIMARY KEY(parameter, position)) WITHOUT ROWID;"
      "CREATE TABLE outputs(position INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
      " better TEXT);"
      "CREATE TABLE trajectory_variables(position INTEGER PRIMARY KEY, name TEXT NOT NULL);"
      "CREATE TABLE trajectory_times(position INTEGER PRIMARY KEY, t REAL NOT NULL);"
      "CREATE TABLE sessions(id INTEGER PRIMARY KEY, started_at TEXT NOT NULL,"
      " ended_at TEXT, outcome TEXT NOT NULL, ranks INTEGER, hosts TEXT, command TEXT,"
      " slurm_job_id TEXT, slurm_array_job_id TEXT, slurm_array_task_id TEXT,"
      " tmex_version TEXT, runs_stored INTEGER NOT NULL DEFAULT 0, last_active_at TEXT);"
      // The crash quarantine: chunks handed out and not yet returned, and tasks that were in
      // flight when sessions died.
      "CREATE TABLE in_flight(session INTEGER NOT NULL REFERENCES sessions(id),"
      " chunk INTEGER NOT NULL, rank INTEGER NOT NULL, ranges TEXT NOT NULL,"
      " PRIMARY KEY(session, chunk)) WITHOUT ROWID;"
      "CREATE TABLE quarantine(task INTEGER PRIMARY KEY, crashes INTEGER NOT NULL,"
      " sessions TEXT NOT NULL);"
      "CREATE TABLE session_provenance(session INTEGER NOT NULL REFERENCES sessions(id),"
      " position INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
      " PRIMARY KEY(session, key)) WITHOUT ROWID;");
  db.exec(kChecksSchema);
  // Campaigns with arms have an arm column (the arm's position in `arms`); the others keep the
  // layout they always had.
  std::string runs =
      std::string("CREATE TABLE runs(id INTEGER PRIMARY KEY, sample INTEGER NOT NULL,") +
      (meta.arms.empty() ? "" : " arm INTEGER NOT NULL,") +
      " replicate INTEGER NOT NULL, block INTEGER NOT NULL, status TEXT NOT NULL,"
      " attempts INTEGER NOT NULL DEFAULT 1";
  for (const auto& p : meta.parameters) runs += ", " + quote_identifier(p.name) + " REAL";
  for (const auto& o : meta.outputs) runs += ", " + quote_identifier(o) + " REAL";
  runs += ", error TEXT, elapsed_s REAL, rank INTEGER, session INTEGER REFERENCES sessions(id))";
  // id = (sample x arms + arm) x replicates + replicate is the primary key, so (sample, arm,
  // replicate) needs no index of its own (an extra UNIQUE index made inserts markedly slower,
  // bench/README.md), and the runs of one sample under two arms are joined through it.
  db.exec(runs);
  db.exec(
      "CREATE INDEX runs_status ON runs(status);"
      "CREATE TABLE trajectories(run INTEGER NOT NULL REFERENCES runs(id),"
      " variable INTEGER NOT NULL, time_index INTEGER NOT NULL, value REAL,"
      " PRIMARY KEY(run, variable, time_index)) WITHOUT ROWID;"
      "CREATE VIEW ok_runs AS SELECT * FROM runs WHERE status = 'ok';"
      "CREATE VIEW failed_runs AS SELECT * FROM runs WHERE status <> 'ok';"
      "CREATE VIEW failures AS SELECT status, error, count(*) AS runs,"
      " min(sample) AS first_sample FROM runs WHERE status <> 'ok'"
      " GROUP BY status, error ORDER BY runs DESC;"
      "CREATE VIEW trajectory_long AS SELECT r.sample, r.replicate, v.name AS variable,"
      " t.t AS t, x.value FROM trajectories x JOIN runs r ON r.id = x.run"
      " JOIN trajectory_variables v ON v.position = x.variable"
      " JOIN trajectory_times t ON t.position = x.time_index;");
  db.exec(kProgressView);
  if (!meta.arms.empty()) {
    db.exec(
        "CREATE VIEW arm_runs AS SELECT a.name AS arm_name, r.* FROM runs r"
        " JOIN arms a ON a.position = r.arm;");
  }
  set_meta(db, "schema_version", std::to_string(kSchemaVersion));
  set_meta(db, "campaign_name", meta.name);
  set_meta(db, "seed", std::to_string(meta.seed));
  set_meta(db, "samples", std::to_string(meta.samples));
  set_meta(db, "replicates", std::to_string(meta.replicates));
  set_meta(db, "total_runs", std::to_string(meta.total_runs()));
  set_meta(db, "design", meta.design);
  set_meta(db, "design_kind", meta.layout.kind);
  set_meta(db, "design_group_size", std::to_string(meta.layout.group_size));
  set_meta(db, "model", meta.model);
  set_meta(db, "model_version", std::to_string(meta.model_version));
  set_meta(db, "config", meta.config);
  set_meta(db, "config_hash", meta.config_hash);
  set_meta(db, "tmex_version", meta.tmex_version);
  set_meta(db, "config_yaml", meta.config_yaml);
  set_meta(db, "config_file", meta.config_file);
  set_meta(db, "design_algorithm_version", std::to_string(meta.design_algorithm_version));
  {
    Statement st = db.prepare("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')");
    st.step();
    set_meta(db, "created_at", st.column_text(0));
  }
  for (const auto& [k, v] : meta.extra) set_meta(db, "extra." + k, v);
  insert_parameters(db, meta.parameters);
  insert_arms(db, meta.arms);
  {
    Statement st = db.prepare("INSERT INTO outputs VALUES (?1, ?2, ?3)");
    for (std::size_t i = 0; i < meta.outputs.size(); ++i) {
      st.bind(1, static_cast<std::int64_t>(i));
      st.bind(2, std::string_view(meta.outputs[i]));
      const std::string better = i < meta.output_better.size() ? meta.output_better[i] : "";
      if (better.empty()) {
        st.bind_null(3);
      } else {
        st.bind(3, std::string_view(better));
      }
      st.step();
      st.reset();
    }
  }
  {
    Statement st = db.prepare("INSERT INTO trajectory_variables VALUES (?1, ?2)");
    for (std::size_t i = 0; i < meta.trajectory_variables.size(); ++i) {
      st.bind(1, static_cast<std::int64_t>(i));
      st.bind(2, std::string_view(meta.trajectory_variables[i]));
      st.step();
      st.reset();
    }
  }
  {
    Statement st = db.prepare("INSERT INTO trajectory_times VALUES (?1, ?2)");
    for (std::size_t i = 0; i < meta.trajectory_times.size(); ++i) {
      st.bind(1, static_cast<std::int64_t>(i));
      st.bind(2, meta.trajectory_times[i]);
      st.step();
      st.reset();
    }
  }
  tx.commit();
}

// Builds a store in the file at `path` (new, or empty): the schema and metadata in one
// transaction with full syncs, in rollback-journal mode, then closes it.
void build_store(const std::string& path, const CampaignMeta& meta) {
  Database db(path, OpenMode::kReadWrite);
  db.exec("PRAGMA synchronous=FULL");
  db.exec("PRAGMA foreign_keys=ON");
  write_schema(db, meta);
}

}  // namespace

namespace {

const RunColumn* find_run_column(std::string_view name) {
  const auto it = std::find_if(kRunColumns.begin(), kRunColumns.end(),
                               [&](const RunColumn& c) { return c.name == name; });
  return it == kRunColumns.end() ? nullptr : &*it;
}

}  // namespace

bool is_run_column(std::string_view name) { return find_run_column(name) != nullptr; }

std::string failure_reason_pattern(const std::string& reason) {
  auto word_char = [&](std::size_t k) {
    return std::isalnum(static_cast<unsigned char>(reason[k])) || reason[k] == '_';
  };
  std::string out;
  for (std::size_t i = 0; i < reason.size();) {
    const auto c = static_cast<unsigned char>(reason[i]);
    const bool starts_number =
        (std::isdigit(c) || ((reason[i] == '-' || reason[i] == '.') && i + 1 < reason.size() &&
                             std::isdigit(static_cast<unsigned char>(reason[i + 1])))) &&
        (i == 0 || !word_char(i - 1));
    if (starts_number) {
      std::size_t j = i + 1;
      while (j < reason.size() && (std::isdigit(static_cast<unsigned char>(reason[j])) ||
                                   reason[j] == '.' || reason[j] == 'e' || reason[j] == 'E' ||
                                   ((reason[j] == '-' || reason[j] == '+') &&
                                    (reason[j - 1] == 'e' || reason[j - 1] == 'E')))) {
        ++j;
      }
      out += '#';
      i = j;
    } else {
      out += reason[i++];
    }
  }
  return out;
}

CampaignStore::CampaignStore(WriterLock lock, Database db, CampaignMeta meta, int schema_version)
    : lock_(std::move(lock)),
      db_(std::move(db)),
      meta_(std::move(meta)),
      schema_version_(schema_version) {}

CampaignStore::~CampaignStore() {
  insert_run_.reset();
  insert_trajectory_.reset();
  count_session_runs_.reset();
  read_run_.reset();
  read_trajectory_.reset();
  if (lock_.held() && db_.handle()) {
    // One self-contained file: fold the write-ahead log into it and leave WAL mode, so that the
    // -wal and -shm files go and the store can be read from read-only media. A reader that has
    // it open at this moment keeps it in WAL mode (its companions then stay until it closes).
    try {
      db_.set_busy_timeout(1000);
      db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      db_.exec("PRAGMA journal_mode=DELETE");
    } catch (const StorageError&) {
      // Busy or failing (a full disk): the log stays and the next open replays it.
    }
  }
  // db_ closes before lock_ releases (member order).
}

// Every member moves itself (the lock and the connection leave the moved-from store empty).
CampaignStore::CampaignStore(CampaignStore&&) noexcept = default;

CampaignStore CampaignStore::create(const std::string& path, const CampaignMeta& meta) {
  if (auto problem = store_path_problem(path)) throw StorageError(*problem);
  if (std::filesystem::exists(std::filesystem::symlink_status(path))) {
    throw StoreExistsError("'" + path + "' already exists; not overwriting it");
  }
  NewStoreFile file(path);
  // The temporary file is written in rollback-journal mode: nothing of it is left in a -wal
  // file when it gets its name.
  build_store(file.temporary_path(), meta);
  file.publish();
  // From here on the store exists under its name and is complete: nothing below removes it.
  return open_locked(path, file.take_lock(), {}, nullptr);
}

CampaignStore CampaignStore::open_for_writing(
    const std::string& path, const std::function<void(const CampaignMeta&)>& check_stored) {
  if (auto problem = store_path_problem(path)) throw StorageError(*problem);
  return open_locked(path, WriterLock::acquire(path), check_stored, nullptr);
}

CampaignStore CampaignStore::open_or_create(
    const std::string& path, const CampaignMeta& meta, bool& created,
    const std::function<void(const CampaignMeta&)>& check_stored) {
  // Another process may create the store between our attempts: retry the other way once.
  for (int attempt = 0;; ++attempt) {
    try {
      created = false;
      if (auto problem = store_path_problem(path)) throw StorageError(*problem);
      return open_locked(path, WriterLock::acquire(path), check_stored, &meta);
    } catch (const StoreMissingError&) {
      if (attempt > 1) throw;
    }
    try {
      created = true;
      return create(path, meta);
    } catch (const StoreExistsError&) {
      if (attempt > 1) throw;
    }
  }
}

CampaignStore CampaignStore::open_locked(
    const std::string& path, WriterLock lock,
    const std::function<void(const CampaignMeta&)>& check_stored, const CampaignMeta* new_meta) {
  // Everything below runs with the writer lock held: no other tmex run can create, change or
  // convert the file meanwhile, through this path or any other link to it.
  const std::string folder = [&] {
    const auto parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
  }();
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    throw StorageError("the folder '" + folder + "' of '" + path +
                       "' is not writable: SQLite keeps a write-ahead log (" + path +
                       "-wal) beside the store while a campaign runs");
  }
  StoreFileProbe probe = probe_store_file(path);
  if (probe.hot_journal) {
    // A writer was killed in the middle of a transaction in rollback-journal mode: SQLite rolls
    // it back on the first read of a read-write connection (we hold the writer lock).
    Database rollback(path, OpenMode::kReadWrite);
    rollback.query_int("PRAGMA schema_version");
    probe = probe_store_file(path);
  }
  if (probe.kind == StoreFileProbe::Kind::kEmpty && new_meta) {
    // An empty file (made by `touch`, or by an SQLite client reading a store not yet made)
    // holds nothing: the store is built in it, in one transaction that SQLite's journal makes
    // all or nothing.
    build_store(path, *new_meta);
    probe = probe_store_file(path);
  }
  check_file_kind(path, probe);
  {
    // Identity and structure first, read-only, so that a foreign or damaged file is never
    // modified (not even put in WAL mode).
    Database check(
        path, probe.wal_mode && !probe.wal_exists ? OpenMode::kImmutable : OpenMode::kReadOnly);
    check_identity(check, Access::kWrite);
    check_structure(check);
    if (check_stored) check_stored(load_meta(check));
  }
  Database db(path, OpenMode::kReadWrite);
  if (db.read_only()) throw StorageError("'" + path + "' can only be opened read-only");
  if (!lock.same_file(path)) {
    throw StorageError("'" + path + "' was replaced by another file while it was being opened");
  }
  configure_connection(db, true);
  if (db.query_text("PRAGMA journal_mode").value_or("") != "wal") {
    throw StorageError("'" + path + "': SQLite could not switch the store to WAL mode");
  }
  CampaignMeta meta = load_meta(db);
  {
    // Stores made during this schema version's development get what they lack; and, as we
    // hold the writer lock, a session still `running` belongs to a process that is gone.
    Transaction tx(db);
    if (!has_table(db, "checks")) {
      // Stores of schema version 2 made before campaigns could stop themselves.
      db.exec(kChecksSchema);
      db.exec("DROP VIEW IF EXISTS progress");
      db.exec(kProgressView);
    }
    if (!has_column(db, "sessions", "slurm_array_job_id")) {
      // Stores of schema version 2 made before sessions recorded SLURM array jobs.
      db.exec("ALTER TABLE sessions ADD COLUMN slurm_array_job_id TEXT");
    }
    db.exec(
        "UPDATE sessions SET outcome = 'crashed', ended_at = coalesce(last_active_at,"
        " started_at) WHERE outcome = 'running'");
    tx.commit();
  }
  CampaignStore store(std::move(lock), std::move(db), std::move(meta), kSchemaVersion);
  store.prepare_insert();
  return store;
}

CampaignStore CampaignStore::open_read_only(const std::string& path) {
  if (auto problem = store_path_problem(path)) throw StorageError(*problem);
  const StoreFileProbe probe = probe_store_file(path);
  check_file_kind(path, probe);
  // Asked before SQLite opens the file: asking opens and closes a descriptor of it, which would
  // drop the POSIX locks of this process's SQLite connection on it.
  const bool writer_active = WriterLock::held_elsewhere(path);
  // A store in WAL mode is read through its -wal and -shm only when they exist (a writer is
  // running, or one was killed); otherwise as an immutable snapshot, which creates nothing.
  OpenMode mode = OpenMode::kReadOnly;
  bool unread_log = false;
  if (probe.wal_mode && !writer_active) {
    if (!probe.wal_exists || probe.wal_bytes == 0) {
      mode = OpenMode::kImmutable;
    } else if (!probe.shm_exists) {
      mode = OpenMode::kImmutable;
      unread_log = true;
    }
  }
  std::optional<Database> opened;
  int version = 0;
  try {
    opened.emplace(path, mode);
    version = check_identity(*opened, Access::kRead);
  } catch (const StorageError&) {
    if (probe.hot_journal && !writer_active) {
      throw StorageError(path + ": an unfinished transaction sits in '" + path +
                         "-journal' (a writer was killed in the middle of it); run `tmex run` "
                         "on the store once where it is writable, which rolls it back");
    }
    if (mode == OpenMode::kImmutable || !probe.wal_mode) throw;
    // The log could not be read here (a read-only folder without a usable -shm file).
    opened.emplace(path, OpenMode::kImmutable);
    version = check_identity(*opened, Access::kRead);
    unread_log = probe.wal_bytes > 0;
  }
  Database& db = *opened;
  check_structure(db);
  configure_connection(db, false);
  if (unread_log) {
    store_notice(path + ": " + std::to_string(probe.wal_bytes) +
                 " bytes of committed runs sit in '" + path +
                 "-wal', which cannot be read here without creating '" + path +
                 "-shm' beside it (a read-only place): they are not shown. Run `tmex run` on the "
                 "store once where it is writable to fold them into the file.");
  }
  CampaignMeta meta = load_meta(db);
  CampaignStore store(WriterLock(), std::move(db), std::move(meta), version);
  store.writer_active_ = writer_active;
  return store;
}

CampaignMeta CampaignStore::load_meta(Database& db) {
  CampaignMeta m;
  try {
    m.name = require_meta(db, "campaign_name");
    m.seed = std::stoull(require_meta(db, "seed"));
    m.samples = std::stoull(require_meta(db, "samples"));
    m.replicates = static_cast<std::uint32_t>(std::stoul(require_meta(db, "replicates")));
  } catch (const std::logic_error&) {
    throw StorageError(db.path() + ": corrupt tmex store (unreadable campaign metadata)");
  }
  m.design = require_meta(db, "design");
  m.model = require_meta(db, "model");
  // Absent in stores of schema 1, which predate the record: their models were version 1.
  if (const auto text = optional_meta(db, "model_version")) {
    try {
      m.model_version = std::stoi(*text);
    } catch (const std::logic_error&) {
      throw StorageError(db.path() + ": corrupt tmex store (model_version '" + *text +
                         "' is not a number)");
    }
  }
  m.config = require_meta(db, "config");
  m.config_hash = require_meta(db, "config_hash");
  m.tmex_version = require_meta(db, "tmex_version");
  m.config_yaml = optional_meta(db, "config_yaml").value_or("");
  m.config_file = optional_meta(db, "config_file").value_or("");
  try {
    m.design_algorithm_version =
        std::stoi(optional_meta(db, "design_algorithm_version").value_or("1"));
  } catch (const std::logic_error&) {
    throw StorageError(db.path() + ": damaged tmex store (unreadable design_algorithm_version)");
  }
  if (db.query_int("PRAGMA user_version").value_or(0) >= 2) {
    m.layout.kind = require_meta(db, "design_kind");
    try {
      m.layout.group_size = std::stoull(require_meta(db, "design_group_size"));
    } catch (const std::logic_error&) {
      throw StorageError(db.path() + ": corrupt tmex store (unreadable design_group_size)");
    }
    Statement st =
        db.prepare("SELECT name, distribution, kind, dummy FROM parameters ORDER BY position");
    while (st.step()) {
      ParameterColumn p;
      p.name = st.column_text(0);
      p.distribution = st.column_text(1);
      p.kind = st.column_text(2);
      p.dummy = st.column_int(3) != 0;
      m.parameters.push_back(std::move(p));
    }
    Statement arg = db.prepare(
        "SELECT parameter, name, value FROM parameter_arguments ORDER BY parameter, position");
    while (arg.step()) {
      const auto i = arg.column_int(0);
      if (i < 0 || static_cast<std::size_t>(i) >= m.parameters.size()) {
        throw StorageError(db.path() + ": corrupt tmex store (argument of parameter " +
                           std::to_string(i) + ", which does not exist)");
      }
      m.parameters[static_cast<std::size_t>(i)].arguments.push_back(
          {arg.column_text(1), arg.column_double(2)});
    }
    if (has_table(db, "arms")) {
      Statement a = db.prepare("SELECT name, overrides FROM arms ORDER BY position");
      while (a.step()) m.arms.push_back({a.column_text(0), a.column_text(1)});
    }
  } else {
    Statement st = db.prepare("SELECT name, distribution FROM parameters ORDER BY position");
    while (st.step()) {
      ParameterColumn p;
      p.name = st.column_text(0);
      p.distribution = st.column_text(1);
      fill_legacy_parameter(p, m.config);
      m.parameters.push_back(std::move(p));
    }
    m.layout = legacy_design_layout(m.design, m.parameters.size());
  }
  {
    // Stores made before output directions were recorded have no `better` column.
    const bool better = has_column(db, "outputs", "better");
    Statement st =
        db.prepare(std::string("SELECT name, ") + (better ? "coalesce(better, '')" : "''") +
                   " FROM outputs ORDER BY position");
    while (st.step()) {
      m.outputs.push_back(st.column_text(0));
      m.output_better.push_back(st.column_text(1));
    }
  }
  {
    Statement st = db.prepare("SELECT name FROM trajectory_variables ORDER BY position");
    while (st.step()) m.trajectory_variables.push_back(st.column_text(0));
  }
  {
    Statement st = db.prepare("SELECT t FROM trajectory_times ORDER BY position");
    while (st.step()) m.trajectory_times.push_back(st.column_double(0));
  }
  {
    Statement st =
        db.prepare("SELECT substr(key, 7), value FROM meta WHERE key LIKE 'extra.%' ORDER BY key");
    while (st.step()) m.extra.emplace_back(st.column_text(0), st.column_text(1));
  }
  return m;
}

void CampaignStore::extend(const CampaignMeta& enlarged) {
  if (enlarged.samples <= meta_.samples || enlarged.replicates != meta_.replicates ||
      enlarged.outputs != meta_.outputs || enlarged.parameters.size() != meta_.parameters.size()) {
    throw StorageError(path() + ": the new campaign is not an enlargement of the stored one (" +
                       std::to_string(meta_.samples) + " -> " + std::to_string(enlarged.samples) +
                       " samples)");
  }
  for (std::size_t i = 0; i < meta_.parameters.size(); ++i) {
    if (enlarged.parameters[i].name != meta_.parameters[i].name) {
      throw StorageError(path() + ": an enlargement must keep the parameters");
    }
  }
  Transaction tx(db_);
  write_changed_identity(db_, meta_, enlarged);
  set_meta(db_, "design_algorithm_version", std::to_string(enlarged.design_algorithm_version));
  tx.commit();
  adopt_changed_identity(meta_, enlarged);
  meta_.design_algorithm_version = enlarged.design_algorithm_version;
}

void CampaignStore::change_convergence(const CampaignMeta& changed, int forget_checks_from) {
  if (changed.samples < meta_.samples || changed.replicates != meta_.replicates ||
      changed.outputs != meta_.outputs || changed.parameters.size() != meta_.parameters.size()) {
    throw StorageError(path() +
                       ": the new campaign is not the stored one with other criteria or "
                       "more samples (" +
                       std::to_string(meta_.samples) + " -> " + std::to_string(changed.samples) +
                       " samples)");
  }
  Transaction tx(db_);
  write_changed_identity(db_, meta_, changed);
  for (const char* sql : {"DELETE FROM check_criteria WHERE checkpoint >= ?1",
                          "DELETE FROM checks WHERE checkpoint >= ?1"}) {
    Statement st = db_.prepare(sql);
    st.bind(1, static_cast<std::int64_t>(forget_checks_from));
    st.step();
  }
  tx.commit();
  adopt_changed_identity(meta_, changed);
}

void CampaignStore::prepare_insert() {
  const bool arms = !meta_.arms.empty();
  std::string sql = std::string("INSERT INTO runs(id, sample, ") + (arms ? "arm, " : "") +
                    "replicate, block, status, attempts";
  std::string values = arms ? "?1, ?2, ?3, ?4, ?5, ?6, ?7" : "?1, ?2, ?3, ?4, ?5, ?6";
  int idx = arms ? 8 : 7;
  for (const auto& p : meta_.parameters) {
    sql += ", " + quote_identifier(p.name);
    values += ", ?" + std::to_string(idx++);
  }
  for (const auto& o : meta_.outputs) {
    sql += ", " + quote_identifier(o);
    values += ", ?" + std::to_string(idx++);
  }
  sql += ", error, elapsed_s, rank, session) VALUES (" + values;
  for (int i = 0; i < 4; ++i) sql += ", ?" + std::to_string(idx++);
  sql += ")";
  insert_run_ = std::make_unique<Statement>(db_.prepare(sql));
  count_session_runs_ = std::make_unique<Statement>(
      db_.prepare("UPDATE sessions SET runs_stored = runs_stored + ?1,"
                  " last_active_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?2"));
  if (!meta_.trajectory_variables.empty()) {
    insert_trajectory_ =
        std::make_unique<Statement>(db_.prepare("INSERT INTO trajectories VALUES (?1,?2,?3,?4)"));
  }
}

void CampaignStore::append(std::span<const RunRecord> runs) {
  if (runs.empty()) return;
  if (!insert_run_) throw StorageError(path() + ": store is open read-only");
  const std::size_t np = meta_.parameters.size();
  const std::size_t no = meta_.outputs.size();
  const std::size_t ntraj = meta_.trajectory_variables.size() * meta_.trajectory_times.size();
  const auto& session = session_;
  const RunNumbering numbering = meta_.numbering();
  Transaction tx(db_);
  Statement& st = *insert_run_;
  for (const RunRecord& r : runs) {
    if (r.parameters.size() != np || r.outputs.size() != no) {
      throw StorageError(path() + ": run (sample " + std::to_string(r.sample) + ") has " +
                         std::to_string(r.parameters.size()) + " parameters and " +
                         std::to_string(r.outputs.size()) + " outputs, the store expects " +
                         std::to_string(np) + " and " + std::to_string(no));
    }
    if (r.sample >= meta_.samples || r.replicate >= meta_.replicates ||
        r.arm >= meta_.arm_count()) {
      throw StorageError(path() + ": run (sample " + std::to_string(r.sample) + ", arm " +
                         std::to_string(r.arm) + ", replicate " + std::to_string(r.replicate) +
                         ") is outside the campaign");
    }
    const auto id = static_cast<std::int64_t>(numbering.id(r.sample, r.arm, r.replicate));
    st.reset();
    int idx = 1;
    st.bind(idx++, id);
    st.bind(idx++, static_cast<std::int64_t>(r.sample));
    if (!meta_.arms.empty()) st.bind(idx++, static_cast<std::int64_t>(r.arm));
    st.bind(idx++, static_cast<std::int64_t>(r.replicate));
    st.bind(idx++, r.block);
    st.bind(idx++, std::string_view(r.status));
    st.bind(idx++, static_cast<std::int64_t>(r.attempts));
    for (double v : r.parameters) st.bind(idx++, v);
    for (double v : r.outputs) st.bind(idx++, v);
    if (r.error.empty()) {
      st.bind_null(idx++);
    } else {
      st.bind(idx++, std::string_view(r.error));
    }
    st.bind(idx++, r.elapsed_s);
    st.bind(idx++, static_cast<std::int64_t>(r.rank));
    if (session) {
      st.bind(idx++, *session);
    } else {
      st.bind_null(idx++);
    }
    st.step();
    if (insert_trajectory_ && r.trajectories.size() == ntraj && r.status == "ok") {
      Statement& tr = *insert_trajectory_;
      const std::size_t nt = meta_.trajectory_times.size();
      for (std::size_t k = 0; k < ntraj; ++k) {
        tr.reset();
        tr.bind(1, id);
        tr.bind(2, static_cast<std::int64_t>(k / nt));
        tr.bind(3, static_cast<std::int64_t>(k % nt));
        tr.bind(4, r.trajectories[k]);
        tr.step();
      }
    }
  }
  if (session) {
    Statement& up = *count_session_runs_;
    up.reset();
    up.bind(1, static_cast<std::int64_t>(runs.size()));
    up.bind(2, *session);
    up.step();
  }
  tx.commit();
}

std::vector<IdRange> CampaignStore::stored_ranges() {
  // The status index (status, id) holds every id, sorted within each status: read it one status
  // at a time (each an index range in id order, found by a seek) and merge. This reads the small
  // index, not the wide rows, and sorts nothing.
  std::vector<std::string> statuses;
  {
    Statement next = db_.prepare("SELECT min(status) FROM runs WHERE status > ?1");
    std::string after;
    while (true) {
      next.reset();
      next.bind(1, std::string_view(after));
      if (!next.step() || next.is_null(0)) break;
      after = next.column_text(0);
      statuses.push_back(after);
    }
  }
  struct Stream {
    std::unique_ptr<Statement> st;
    std::uint64_t id = 0;
    bool live = false;
    void advance() {
      live = st->step();
      if (live) id = static_cast<std::uint64_t>(st->column_int(0));
    }
  };
  std::vector<Stream> streams;
  for (const auto& status : statuses) {
    Stream s;
    s.st = std::make_unique<Statement>(
        db_.prepare("SELECT id FROM runs INDEXED BY runs_status WHERE status = ?1 ORDER BY id"));
    s.st->bind(1, std::string_view(status));
    s.advance();
    streams.push_back(std::move(s));
  }
  std::vector<IdRange> ranges;
  while (true) {
    Stream* lowest = nullptr;
    for (auto& s : streams) {
      if (s.live && (!lowest || s.id < lowest->id)) lowest = &s;
    }
    if (!lowest) break;
    const std::uint64_t id = lowest->id;
    if (!ranges.empty() && ranges.back().end == id) {
      ++ranges.back().end;
    } else {
      ranges.push_back({id, id + 1});
    }
    lowest->advance();
  }
  return ranges;
}

std::optional<RunRecord> CampaignStore::read_run(std::uint64_t id) {
  const std::size_t np = meta_.parameters.size();
  const std::size_t no = meta_.outputs.size();
  if (!read_run_) {
    std::string sql = std::string("SELECT sample, replicate, block, status, attempts, ") +
                      (meta_.arms.empty() ? "0" : "arm");
    for (const auto& p : meta_.parameters) sql += ", " + quote_identifier(p.name);
    for (const auto& o : meta_.outputs) sql += ", " + quote_identifier(o);
    sql += ", coalesce(error, ''), elapsed_s, rank FROM runs WHERE id = ?1";
    read_run_ = std::make_unique<Statement>(db_.prepare(sql));
    if (!meta_.trajectory_variables.empty()) {
      read_trajectory_ = std::make_unique<Statement>(
          db_.prepare("SELECT variable, time_index, value FROM trajectories WHERE run = ?1"));
    }
  }
  Statement& st = *read_run_;
  st.reset();
  st.bind(1, static_cast<std::int64_t>(id));
  if (!st.step()) return std::nullopt;
  RunRecord r;
  r.sample = static_cast<std::uint64_t>(st.column_int(0));
  r.replicate = static_cast<std::uint32_t>(st.column_int(1));
  r.block = st.column_int(2);
  r.status = st.column_text(3);
  r.attempts = static_cast<int>(st.column_int(4));
  r.arm = static_cast<std::uint32_t>(st.column_int(5));
  int c = 6;
  for (std::size_t i = 0; i < np; ++i) r.parameters.push_back(st.column_double(c++));
  for (std::size_t i = 0; i < no; ++i) r.outputs.push_back(st.column_double(c++));
  r.error = st.column_text(c++);
  r.elapsed_s = st.column_double(c++);
  r.rank = static_cast<int>(st.column_int(c++));
  st.reset();
  if (read_trajectory_) {
    const std::size_t nt = meta_.trajectory_times.size();
    r.trajectories.assign(meta_.trajectory_variables.size() * nt, std::nan(""));
    Statement& tr = *read_trajectory_;
    tr.reset();
    tr.bind(1, static_cast<std::int64_t>(id));
    while (tr.step()) {
      const auto v = static_cast<std::size_t>(tr.column_int(0));
      const auto t = static_cast<std::size_t>(tr.column_int(1));
      if (v * nt + t < r.trajectories.size()) r.trajectories[v * nt + t] = tr.column_double(2);
    }
    tr.reset();
  }
  return r;
}

std::int64_t CampaignStore::begin_session(const SessionInfo& info) {
  Transaction tx(db_);
  db_.exec(
      "UPDATE sessions SET outcome = 'crashed', ended_at = coalesce(last_active_at, started_at)"
      " WHERE outcome = 'running'");
  Statement st = db_.prepare(
      "INSERT INTO sessions(started_at, last_active_at, outcome, ranks, hosts, command,"
      " slurm_job_id, slurm_array_task_id, tmex_version, slurm_array_job_id) VALUES"
      " (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
      " 'running', ?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  // NULL rather than '' where SLURM did not say.
  auto bind_or_null = [&st](int i, const std::string& v) {
    if (v.empty()) {
      st.bind_null(i);
    } else {
      st.bind(i, std::string_view(v));
    }
  };
  st.bind(1, static_cast<std::int64_t>(info.ranks));
  st.bind(2, std::string_view(info.hosts));
  st.bind(3, std::string_view(info.command));
  bind_or_null(4, info.slurm_job_id);
  bind_or_null(5, info.slurm_array_task_id);
  st.bind(6, std::string_view(meta_.tmex_version));
  bind_or_null(7, info.slurm_array_job_id);
  st.step();
  const auto id = db_.query_int("SELECT last_insert_rowid()").value_or(0);
  Statement prov = db_.prepare(
      "INSERT OR REPLACE INTO session_provenance(session, position, key, value)"
      " VALUES (?1, ?2, ?3, ?4)");
  for (std::size_t i = 0; i < info.provenance.size(); ++i) {
    prov.reset();
    prov.bind(1, id);
    prov.bind(2, static_cast<std::int64_t>(i));
    prov.bind(3, std::string_view(info.provenance[i].first));
    prov.bind(4, std::string_view(info.provenance[i].second));
    prov.step();
  }
  tx.commit();
  session_ = id;
  return id;
}

std::uint64_t CampaignStore::record_check(const CheckRecord& check,
                                          std::optional<std::uint64_t> keep_runs_below) {
  std::uint64_t deleted = 0;
  Transaction tx(db_);
  {
    Statement del = db_.prepare("DELETE FROM check_criteria WHERE checkpoint = ?1");
    del.bind(1, static_cast<std::int64_t>(check.checkpoint));
    del.step();
  }
  Statement st = db_.prepare(
      "INSERT OR REPLACE INTO checks(checkpoint, samples, runs, rows_used, decision, summary,"
      " session, seconds, checked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
      " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
  st.bind(1, static_cast<std::int64_t>(check.checkpoint));
  st.bind(2, static_cast<std::int64_t>(check.samples));
  st.bind(3, static_cast<std::int64_t>(check.runs));
  st.bind(4, static_cast<std::int64_t>(check.rows_used));
  st.bind(5, std::string_view(check.decision));
  st.bind(6, std::string_view(check.summary));
  if (check.session > 0) {
    st.bind(7, check.session);
  } else if (session_) {
    st.bind(7, *session_);
  } else {
    st.bind_null(7);
  }
  st.bind(8, check.seconds);
  st.step();
  Statement cr = db_.prepare(
      "INSERT INTO check_criteria(checkpoint, position, output, criterion, value, target, met,"
      " detail, contrast) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  for (std::size_t i = 0; i < check.criteria.size(); ++i) {
    const CheckCriterion& c = check.criteria[i];
    cr.reset();
    cr.bind(1, static_cast<std::int64_t>(check.checkpoint));
    cr.bind(2, static_cast<std::int64_t>(i));
    cr.bind(3, std::string_view(c.output));
    cr.bind(4, std::string_view(c.criterion));
    cr.bind(5, c.value);
    cr.bind(6, c.target);
    cr.bind(7, static_cast<std::int64_t>(c.met ? 1 : 0));
    cr.bind(8, std::string_view(c.detail));
    if (c.contrast.empty()) {
      cr.bind_null(9);
    } else {
      cr.bind(9, std::string_view(c.contrast));
    }
    cr.step();
  }
  if (keep_runs_below) {
    const auto below = static_cast<std::int64_t>(*keep_runs_below);
    auto run = [&](const char* sql) {
      Statement q = db_.prepare(sql);
      q.bind(1, below);
      q.step();
    };
    run("UPDATE sessions SET runs_stored = runs_stored - (SELECT count(*) FROM runs"
        " WHERE runs.session = sessions.id AND runs.id >= ?1)");
    run("DELETE FROM trajectories WHERE run >= ?1");
    {
      Statement count = db_.prepare("SELECT count(*) FROM runs WHERE id >= ?1");
      count.bind(1, below);
      count.step();
      deleted = static_cast<std::uint64_t>(count.column_int(0));
    }
    run("DELETE FROM runs WHERE id >= ?1");
    run("DELETE FROM quarantine WHERE task >= ?1");
  }
  tx.commit();
  return deleted;
}

std::vector<CheckRecord> CampaignStore::checks() {
  std::vector<CheckRecord> out;
  if (!has_table(db_, "checks")) return out;
  Statement st = db_.prepare(
      "SELECT checkpoint, samples, runs, rows_used, decision, summary, coalesce(session, 0),"
      " coalesce(seconds, 0), checked_at FROM checks ORDER BY checkpoint");
  while (st.step()) {
    CheckRecord c;
    c.checkpoint = static_cast<int>(st.column_int(0));
    c.samples = static_cast<std::uint64_t>(st.column_int(1));
    c.runs = static_cast<std::uint64_t>(st.column_int(2));
    c.rows_used = static_cast<std::uint64_t>(st.column_int(3));
    c.decision = st.column_text(4);
    c.summary = st.column_text(5);
    c.session = st.column_int(6);
    c.seconds = st.column_double(7);
    c.checked_at = st.column_text(8);
    out.push_back(std::move(c));
  }
  Statement cr = db_.prepare(
      "SELECT checkpoint, output, criterion, value, target, met, detail, coalesce(contrast, '')"
      " FROM check_criteria ORDER BY checkpoint, position");
  while (cr.step()) {
    const auto checkpoint = static_cast<int>(cr.column_int(0));
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const CheckRecord& c) { return c.checkpoint == checkpoint; });
    if (it == out.end()) continue;
    it->criteria.push_back({cr.column_text(1), cr.column_text(2), cr.column_double(3),
                            cr.column_double(4), cr.column_int(5) != 0, cr.column_text(6),
                            cr.column_text(7)});
  }
  return out;
}

void CampaignStore::end_session(std::int64_t id, const std::string& outcome) {
  Statement st = db_.prepare(
      "UPDATE sessions SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), outcome = ?1"
      " WHERE id = ?2");
  st.bind(1, std::string_view(outcome));
  st.bind(2, id);
  st.step();
}

void CampaignStore::update_in_flight(std::span<const InFlightChunk> dispatched,
                                     std::span<const std::uint64_t> finished) {
  if (!session_) throw StorageError(path() + ": no session to record work in flight for");
  if (dispatched.empty() && finished.empty()) return;
  Transaction tx(db_);
  if (!dispatched.empty()) {
    Statement st = db_.prepare(
        "INSERT OR REPLACE INTO in_flight(session, chunk, rank, ranges) VALUES (?1, ?2, ?3, ?4)");
    for (const InFlightChunk& c : dispatched) {
      std::string ranges;
      for (std::size_t i = 0; i + 1 < c.ranges.size(); i += 2) {
        ranges += (ranges.empty() ? "" : " ") + std::to_string(c.ranges[i]) + "-" +
                  std::to_string(c.ranges[i + 1]);
      }
      st.reset();
      st.bind(1, *session_);
      st.bind(2, static_cast<std::int64_t>(c.chunk));
      st.bind(3, static_cast<std::int64_t>(c.rank));
      st.bind(4, std::string_view(ranges));
      st.step();
    }
  }
  if (!finished.empty()) {
    Statement st = db_.prepare("DELETE FROM in_flight WHERE session = ?1 AND chunk = ?2");
    for (std::uint64_t chunk : finished) {
      st.reset();
      st.bind(1, *session_);
      st.bind(2, static_cast<std::int64_t>(chunk));
      st.step();
    }
  }
  tx.commit();
}

std::vector<QuarantinedTask> CampaignStore::recover_in_flight() {
  if (!lock_.held()) throw StorageError(path() + ": store is open read-only");
  Transaction tx(db_);
  {
    // Every record belongs to a session that is gone (we hold the writer lock and have not
    // begun ours): each task it lists that is not stored was being evaluated when it died.
    std::map<std::int64_t, std::set<std::uint64_t>> tasks_by_session;
    Statement st = db_.prepare("SELECT session, ranges FROM in_flight");
    while (st.step()) {
      auto& tasks = tasks_by_session[st.column_int(0)];
      std::istringstream ranges(st.column_text(1));
      std::string range;
      while (ranges >> range) {
        const auto dash = range.find('-');
        if (dash == std::string::npos) continue;
        const std::uint64_t begin = std::stoull(range.substr(0, dash));
        const std::uint64_t end =
            std::min<std::uint64_t>(std::stoull(range.substr(dash + 1)), meta_.total_runs());
        for (std::uint64_t t = begin; t < end; ++t) tasks.insert(t);
      }
    }
    Statement stored = db_.prepare("SELECT 1 FROM runs WHERE id = ?1");
    Statement strike = db_.prepare(
        "INSERT INTO quarantine(task, crashes, sessions) VALUES (?1, 1, ?2) ON CONFLICT(task)"
        " DO UPDATE SET crashes = crashes + 1, sessions = sessions || ', ' || excluded.sessions");
    for (const auto& [session, tasks] : tasks_by_session) {
      for (std::uint64_t t : tasks) {
        stored.reset();
        stored.bind(1, static_cast<std::int64_t>(t));
        if (stored.step()) continue;
        strike.reset();
        strike.bind(1, static_cast<std::int64_t>(t));
        strike.bind(2, std::to_string(session));
        strike.step();
      }
    }
    db_.exec("DELETE FROM in_flight");
  }
  tx.commit();
  std::vector<QuarantinedTask> out;
  Statement st = db_.prepare(
      "SELECT task, crashes, sessions FROM quarantine q WHERE NOT EXISTS"
      " (SELECT 1 FROM runs WHERE id = q.task) ORDER BY task");
  while (st.step()) {
    out.push_back({static_cast<std::uint64_t>(st.column_int(0)), static_cast<int>(st.column_int(1)),
                   st.column_text(2)});
  }
  return out;
}

std::int64_t CampaignStore::retry_crashed() {
  if (!lock_.held()) throw StorageError(path() + ": store is open read-only");
  Transaction tx(db_);
  db_.exec(
      "INSERT INTO quarantine(task, crashes, sessions) SELECT id, 1, '' FROM runs"
      " WHERE status = 'crashed' ON CONFLICT(task) DO UPDATE SET crashes = 1");
  // Also those about to be stored as crashed (their second crash was just recovered).
  db_.exec("UPDATE quarantine SET crashes = 1 WHERE crashes > 1");
  db_.exec("DELETE FROM trajectories WHERE run IN (SELECT id FROM runs WHERE status = 'crashed')");
  // The checks of a campaign that stops itself made on these runs are made again with them (a
  // writer's store always has the checks table: open_locked adds it where it is missing).
  db_.exec(
      "DELETE FROM check_criteria WHERE checkpoint IN (SELECT checkpoint FROM checks WHERE runs >"
      " (SELECT min(id) FROM runs WHERE status = 'crashed'))");
  db_.exec("DELETE FROM checks WHERE runs > (SELECT min(id) FROM runs WHERE status = 'crashed')");
  db_.exec("DELETE FROM runs WHERE status = 'crashed'");
  const auto removed = db_.query_int("SELECT changes()").value_or(0);
  tx.commit();
  return removed;
}

namespace {

// Longest part of a failure reason that status reads and groups by; reasons are bounded when
// stored, but stores made before that may hold megabytes.
constexpr int kReasonCharsRead = 1000;
// Longest reason a status group shows.
constexpr std::size_t kGroupReasonChars = 500;

std::string shortened(std::string text, std::size_t limit) {
  if (text.size() > limit) {
    text.resize(limit);
    text += "...";
  }
  return text;
}

}  // namespace

StoreStatus CampaignStore::status(std::size_t examples_per_group) {
  StoreStatus s;
  s.total = static_cast<std::int64_t>(meta_.total_runs());
  s.checks = checks();
  s.target = s.total;
  for (const auto& c : s.checks) {
    if (c.decision == "converged") s.target = static_cast<std::int64_t>(c.runs);
  }
  s.schema_version = schema_version_;
  s.writer_active = lock_.held() || writer_active_;
  {
    Statement st = db_.prepare("SELECT status = 'ok', count(*) FROM runs GROUP BY status = 'ok'");
    while (st.step()) {
      (st.column_int(0) ? s.ok : s.failed) += st.column_int(1);
    }
    s.stored = s.ok + s.failed;
  }
  if (!meta_.arms.empty()) {
    for (const auto& a : meta_.arms) s.arms.push_back({a.name, 0, 0});
    Statement st =
        db_.prepare("SELECT arm, count(*), sum(status = 'ok') FROM runs GROUP BY arm ORDER BY arm");
    while (st.step()) {
      const auto a = st.column_int(0);
      if (a < 0 || static_cast<std::size_t>(a) >= s.arms.size()) continue;
      s.arms[static_cast<std::size_t>(a)].stored = st.column_int(1);
      s.arms[static_cast<std::size_t>(a)].ok = st.column_int(2);
    }
  }
  {
    // Reasons that differ only in their numbers ("x1 = 0.0033 is below ...") form one group.
    // One pass over the failed rows in sample order: O(rows x reason length), with the
    // pattern of recently seen reasons cached (most failures repeat a few texts).
    struct Group {
      FailureGroup summary;
      std::string first_reason;
      bool several_reasons = false;
    };
    std::unordered_map<std::string, Group> groups;
    std::unordered_map<std::string, Group*> by_reason;
    Statement st = db_.prepare("SELECT status, substr(coalesce(error, ''), 1, " +
                               std::to_string(kReasonCharsRead) +
                               "), sample FROM runs WHERE status <> 'ok' ORDER BY id");
    std::string key;
    while (st.step()) {
      const std::string status = st.column_text(0);
      std::string reason = st.column_text(1);
      key = status;
      key += '\0';
      key += reason;
      Group* g = nullptr;
      if (auto it = by_reason.find(key); it != by_reason.end()) {
        g = it->second;
      } else {
        const std::string pattern = failure_reason_pattern(reason);
        Group& group = groups[status + '\0' + pattern];
        if (group.summary.status.empty()) {
          group.summary.status = status;
          group.summary.reason = pattern;
          group.first_reason = reason;
        } else if (reason != group.first_reason) {
          group.several_reasons = true;
        }
        g = &group;
        if (by_reason.size() > 100000) by_reason.clear();  // bounded memory
        by_reason.emplace(key, g);
      }
      ++g->summary.count;
      const std::int64_t sample = st.column_int(2);
      auto& examples = g->summary.example_samples;
      if (examples.size() < examples_per_group && (examples.empty() || examples.back() != sample)) {
        examples.push_back(sample);
      }
    }
    for (auto& [k, g] : groups) {
      g.summary.reason =
          shortened(g.several_reasons ? g.summary.reason : g.first_reason, kGroupReasonChars);
      s.failures.push_back(std::move(g.summary));
    }
    std::sort(s.failures.begin(), s.failures.end(),
              [](const FailureGroup& a, const FailureGroup& b) {
                if (a.count != b.count) return a.count > b.count;
                return a.status != b.status ? a.status < b.status : a.reason < b.reason;
              });
  }
  if (schema_version_ >= 2) {
    s.quarantined = db_.query_int(
                           "SELECT count(*) FROM quarantine q WHERE NOT EXISTS"
                           " (SELECT 1 FROM runs WHERE id = q.task)")
                        .value_or(0);
  }
  {
    const std::string last_active = schema_version_ >= 2 ? "last_active_at" : "NULL";
    // Version 1 stores have no slurm_array_job_id column.
    const bool array_job = has_column(db_, "sessions", "slurm_array_job_id");
    Statement st = db_.prepare(
        "SELECT id, started_at, coalesce(ended_at, ''), outcome, coalesce(ranks, 0),"
        " coalesce(hosts, ''), coalesce(slurm_job_id, ''), coalesce(slurm_array_task_id, ''),"
        " runs_stored, julianday(started_at), julianday(ended_at), julianday(" +
        last_active + "), julianday('now'), coalesce(tmex_version, ''), " +
        (array_job ? "coalesce(slurm_array_job_id, '')" : "''") + " FROM sessions ORDER BY id");
    while (st.step()) {
      SessionRow r;
      r.id = st.column_int(0);
      r.started_at = st.column_text(1);
      r.ended_at = st.column_text(2);
      r.outcome = st.column_text(3);
      r.ranks = static_cast<int>(st.column_int(4));
      r.hosts = st.column_text(5);
      r.slurm_job_id = st.column_text(6);
      r.slurm_array_task_id = st.column_text(7);
      r.runs_stored = st.column_int(8);
      const double started = st.column_double(9);
      double ended = st.column_double(10);
      if (std::isnan(ended)) {
        // Still running, or crashed: a crashed session lasted until its last commit.
        const bool gone = r.outcome != "running" || !s.writer_active;
        if (r.outcome == "running" && gone) r.outcome = "crashed";
        ended = gone ? st.column_double(11) : st.column_double(12);
        if (std::isnan(ended)) ended = started;
      }
      r.duration_s = (ended - started) * 86400.0;
      r.tmex_version = st.column_text(13);
      r.slurm_array_job_id = st.column_text(14);
      s.sessions.push_back(std::move(r));
    }
  }
  if (schema_version_ >= 2) {
    Statement st = db_.prepare(
        "SELECT key, value FROM session_provenance WHERE session = ?1 ORDER BY position");
    for (auto& r : s.sessions) {
      st.reset();
      st.bind(1, r.id);
      while (st.step()) r.provenance.emplace_back(st.column_text(0), st.column_text(1));
    }
  }
  return s;
}

void CampaignStore::export_csv(std::ostream& out) {
  Statement st = db_.prepare("SELECT * FROM runs ORDER BY id");
  const int n = st.column_count();
  int id_column = -1;
  bool first = true;
  for (int c = 0; c < n; ++c) {
    if (st.column_name(c) == "id") {
      id_column = c;
      continue;
    }
    out << (first ? "" : ",") << st.column_name(c);
    first = false;
  }
  out << '\n';
  while (st.step()) {
    first = true;
    for (int c = 0; c < n; ++c) {
      if (c == id_column) continue;
      if (!first) out << ',';
      first = false;
      if (st.is_null(c)) continue;
      const std::string name = st.column_name(c);
      if (name == "arm") {
        const auto a = st.column_int(c);
        out << (a >= 0 && static_cast<std::size_t>(a) < meta_.arms.size()
                    ? text::csv_field(meta_.arms[static_cast<std::size_t>(a)].name)
                    : std::to_string(a));
      } else if (name == "status" || name == "error") {
        out << text::csv_field(st.column_text(c));
      } else if (const RunColumn* column = find_run_column(name); column && column->integer) {
        out << st.column_int(c);
      } else {
        out << text::format_number(st.column_double(c), text::NumberStyle::kExact);
      }
    }
    out << '\n';
  }
}

std::vector<std::vector<double>> CampaignStore::read_ok_columns(
    const std::vector<std::string>& columns) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    sql += (i ? ", " : "") + quote_identifier(columns[i]);
  }
  sql += " FROM runs WHERE status = 'ok' ORDER BY id";
  std::vector<std::vector<double>> out(columns.size());
  Statement st = db_.prepare(sql);
  while (st.step()) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      out[c].push_back(st.column_double(static_cast<int>(c)));
    }
  }
  return out;
}

}  // namespace tmex::storage
