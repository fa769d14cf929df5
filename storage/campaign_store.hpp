// The campaign store: one campaign per SQLite file (schema, batched writes, resume, status).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/database.hpp"
#include "storage/run_numbering.hpp"
#include "storage/store_file.hpp"

namespace tmex::storage {

/// Version of the store layout written by this tmex. Version 2 added session provenance, the
/// campaign YAML and design algorithm version in meta, the crash quarantine (`in_flight`,
/// `quarantine`), `sessions.last_active_at` and the checks of self-stopping campaigns
/// (`checks`, `check_criteria`; added to a version-2 store without them when it is opened for
/// writing). A file with a newer version is refused; one of
/// version 1 (tmex 0.1.0) opens read-only (status, analyze, export, verify, check) but is not
/// resumed; its typed metadata is recovered from its descriptions (legacy_meta.hpp).
inline constexpr int kSchemaVersion = 2;
/// Oldest store layout this tmex still reads.
inline constexpr int kOldestReadableSchemaVersion = 1;

/// The columns the runs table has, besides one per parameter and output (which may not take
/// these names); `integer` where they hold whole numbers. `arm` exists only in stores of
/// campaigns with arms.
struct RunColumn {
  std::string_view name;
  bool integer;
};
inline constexpr std::array<RunColumn, 11> kRunColumns = {{{"id", true},
                                                           {"sample", true},
                                                           {"arm", true},
                                                           {"replicate", true},
                                                           {"block", true},
                                                           {"status", false},
                                                           {"attempts", true},
                                                           {"error", false},
                                                           {"elapsed_s", false},
                                                           {"rank", true},
                                                           {"session", true}}};

/// True when `name` is one of kRunColumns.
bool is_run_column(std::string_view name);

/// One named number of a parameter's distribution, e.g. {"min", 0.1}.
struct DistributionArgument {
  std::string name{};  ///< "min", "max", "mean", "sd", ..., "level" for each discrete level
  double value = 0.0;

  bool operator==(const DistributionArgument&) const = default;
};

/// One sampled parameter column of the runs table, with its distribution as data.
struct ParameterColumn {
  std::string name{};
  std::string distribution{};  ///< canonical description, e.g. "loguniform(min=0.1, max=10)"
  std::string kind{};          ///< "uniform", "loguniform", ... (empty when unknown)
  std::vector<DistributionArgument> arguments{};  ///< the distribution's numbers, in order
  bool dummy = false;  ///< sampled and stored but not passed to the model (a yardstick)
};

/// How the design's points are laid out, as analysis needs it.
struct DesignLayout {
  std::string kind{};  ///< the design method: "lhs", "sobol", "saltelli", "morris", "grid", "file"
  /// Consecutive samples that belong together: k + 2 for saltelli (a base row: A, A_B(1..k), B;
  /// the runs' block column says which), k + 1 for morris (a trajectory), 1 otherwise.
  std::uint64_t group_size = 1;

  bool operator==(const DesignLayout&) const = default;
};

/// A treatment arm of a campaign that has arms; its position in CampaignMeta::arms is the
/// runs' `arm` column.
struct ArmInfo {
  std::string name{};
  /// The settings and options it overrides, as one line of flow YAML (driver's
  /// ArmConfig::overrides(): "{settings: {il6_block: 0.8}, options: {...}}", "{}" for none).
  std::string overrides{};

  bool operator==(const ArmInfo&) const = default;
};

/// What a campaign is: fixed when the store is created, read back on open.
struct CampaignMeta {
  std::string name;
  std::uint64_t seed = 0;
  std::uint64_t samples = 0;
  std::uint32_t replicates = 1;
  std::string design;                       ///< canonical design description
  DesignLayout layout;                      ///< the design's kind and layout, as data
  std::string model;                        ///< model name
  int model_version = 1;                    ///< models::ModelInfo::version that made the runs
  std::vector<ParameterColumn> parameters;  ///< sampled, in design column order
  std::vector<std::string> outputs;         ///< stored outputs, in column order
  std::vector<std::string> trajectory_variables;
  std::vector<double> trajectory_times;
  std::string config;       ///< canonical config text (one "path: value" line each)
  std::string config_hash;  ///< hex digest of `config`
  std::string tmex_version;
  /// The campaign YAML as written and the absolute path it was read from (relative paths in it
  /// resolve next to that file), so that `tmex verify` can rebuild the campaign from the store
  /// alone. Empty in stores of schema version 1.
  std::string config_yaml;
  std::string config_file;
  /// Design::algorithm_version() of the design; 1 where a store of schema version 1 has none.
  int design_algorithm_version = 1;
  /// Further key/value facts (design quality, model settings, ...), stored in `meta`.
  std::vector<std::pair<std::string, std::string>> extra;
  std::vector<ArmInfo> arms;  ///< treatment arms in order; empty for a campaign without arms
  /// Per output (as `outputs`): which direction of it is better, "lower", "higher" or "" (not
  /// declared), from the model's declarations (models::OutputInfo::better). Empty in stores
  /// made before directions were recorded.
  std::vector<std::string> output_better;

  /// Arms of the campaign, at least 1 (a campaign without arms has one implicit arm).
  std::uint32_t arm_count() const {
    return arms.empty() ? 1u : static_cast<std::uint32_t>(arms.size());
  }
  /// samples x arms x replicates.
  std::uint64_t total_runs() const { return samples * arm_count() * replicates; }
  /// How run ids number (sample, arm, replicate).
  RunNumbering numbering() const { return {arm_count(), replicates}; }
};

/// One evaluation outcome, as stored in one row of `runs`.
struct RunRecord {
  std::uint64_t sample = 0;
  std::uint32_t arm = 0;  ///< position in CampaignMeta::arms (0 without arms)
  std::uint32_t replicate = 0;
  std::int64_t block = 0;
  std::string status;  ///< "ok" or a failure kind
  int attempts = 1;    ///< evaluations made (1 + retries)
  std::vector<double> parameters;
  std::vector<double> outputs;
  std::string error;
  double elapsed_s = 0.0;
  int rank = 0;
  std::vector<double> trajectories;  ///< variable-major, as models::EvalResult
};

/// Ordered (key, value) facts, e.g. a session's provenance.
using KeyValues = std::vector<std::pair<std::string, std::string>>;

/// Identity of one run of tmex against the store.
struct SessionInfo {
  int ranks = 1;
  std::string hosts;
  std::string command;
  std::string slurm_job_id;
  std::string slurm_array_task_id;
  /// What produced the session's rows (tmex build, compiler, libraries, model version, ...),
  /// stored in `session_provenance`.
  KeyValues provenance;
  std::string slurm_array_job_id;  ///< the array's job id (SLURM_ARRAY_JOB_ID), for array tasks
};

struct SessionRow {
  std::int64_t id = 0;
  /// outcome: as stored, except that a session stored as `running` whose process is gone (no
  /// writer holds the store) reads `crashed`.
  std::string started_at, ended_at, outcome, hosts, slurm_job_id, slurm_array_task_id;
  std::string slurm_array_job_id;  ///< empty in version 1 stores
  std::string tmex_version;
  int ranks = 0;
  std::int64_t runs_stored = 0;
  /// Seconds from the start to the end; for a crashed session, to its last commit.
  double duration_s = 0.0;
  KeyValues provenance;  ///< empty for sessions of schema version 1 stores
};

/// A half-open range [begin, end) of run ids (RunNumbering: id = (sample x arms + arm) x
/// replicates + replicate).
struct IdRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  friend bool operator==(const IdRange&, const IdRange&) = default;
};

/// Failures of one status whose reasons differ only in numbers (each number becomes '#').
struct FailureGroup {
  std::string status;
  std::string reason;  ///< the reason itself when the group has one text, else its pattern
  std::int64_t count = 0;
  std::vector<std::int64_t> example_samples;
};

/// The runs of one arm of a campaign with arms.
struct ArmStatus {
  std::string name;
  std::int64_t stored = 0;
  std::int64_t ok = 0;
};

/// A chunk of tasks handed to a rank, recorded before it is sent: the crash quarantine's record
/// of what was being evaluated when a session died.
struct InFlightChunk {
  std::uint64_t chunk = 0;
  int rank = 0;
  std::vector<std::uint64_t> ranges;  ///< half-open task ranges: begin0, end0, begin1, ...
};

/// A task (a run id: RunNumbering) that was in flight when sessions died.
struct QuarantinedTask {
  std::uint64_t task = 0;
  int crashes = 0;       ///< sessions that died while it was in flight
  std::string sessions;  ///< their ids, e.g. "3, 5"
};

/// One criterion of one output (of one contrast, in a campaign with arms) at a checkpoint of a
/// self-stopping campaign (`check_criteria`).
struct CheckCriterion {
  std::string output{};
  /// "halfwidth" (value: the largest half-width of an interval that excludes 0, target: the
  /// criterion; detail: that index), "stable_top" (value: the top parameters compared, target:
  /// convergence.stable_top; detail: their order, and the previous one where it differs),
  /// "defined" (an index is not a number) or, for a contrast, "difference" (value: the
  /// half-width of the mean paired difference's interval, target: convergence.difference;
  /// detail: the mean and its interval). Of a contrast, halfwidth and stable_top judge the PRCC
  /// of the paired differences on the parameters (who benefits).
  std::string criterion{};
  double value = 0.0;  ///< NaN reads and writes as NULL
  double target = 0.0;
  bool met = false;
  std::string detail{};
  /// The contrast judged, "ARM:REFERENCE"; empty (NULL in the store) in a campaign without arms.
  std::string contrast{};

  bool operator==(const CheckCriterion&) const = default;
};

/// The check of a self-stopping campaign at one checkpoint (`checks`).
struct CheckRecord {
  int checkpoint = 0;           ///< 0 for the first
  std::uint64_t samples = 0;    ///< the checkpoint's size: design samples, or Saltelli base rows
  std::uint64_t runs = 0;       ///< its runs: the run ids below this
  std::uint64_t rows_used = 0;  ///< samples (base rows) the indices used
  /// "continue", "converged" (the campaign stopped here, complete) or "cap" (the last
  /// checkpoint, campaign.samples, without convergence: complete, not converged).
  std::string decision{};
  std::string summary{};  ///< the criteria in words
  std::vector<CheckCriterion> criteria{};
  std::int64_t session = 0;  ///< the session that recorded it (0: none)
  double seconds = 0.0;      ///< the analysis's wall time
  std::string checked_at{};  ///< UTC, set by the store

  bool operator==(const CheckRecord&) const = default;
};

struct StoreStatus {
  std::int64_t total = 0;   ///< samples x arms x replicates
  std::int64_t stored = 0;  ///< rows in runs
  std::int64_t ok = 0;
  std::int64_t failed = 0;
  std::vector<FailureGroup> failures;
  std::vector<SessionRow> sessions;
  std::vector<ArmStatus> arms;  ///< per arm, in order; empty for a campaign without arms
  bool writer_active = false;   ///< a tmex run held the writer lock when the store was opened
  /// Runs not stored that were in flight when a session died (they run alone first).
  std::int64_t quarantined = 0;
  int schema_version = 0;
  /// The checks of a self-stopping campaign, in checkpoint order (empty for other campaigns).
  std::vector<CheckRecord> checks;
  /// Runs of the campaign when complete: the checkpoint it converged at, else total.
  std::int64_t target = 0;
};

/// `reason` with every number replaced by '#' (for grouping failure reasons).
std::string failure_reason_pattern(const std::string& reason);

/// A campaign file. Not thread-safe; one writer process at a time (enforced by the store's
/// WriterLock, held from creation or open_for_writing until destruction). A writer that is
/// destroyed folds its write-ahead log into the file and leaves it in rollback-journal mode:
/// one self-contained file, readable from read-only media.
class CampaignStore {
 public:
  /// Creates a new store at `path` (which must not exist): the schema and metadata are built
  /// under a temporary name in the same folder and the file gets its name only when complete
  /// (NewStoreFile), so an interrupted creation leaves no file under the store's name and a
  /// failed one never removes a file it did not create. Throws StoreExistsError when `path`
  /// exists (also when another process created it meanwhile), StorageError otherwise.
  static CampaignStore create(const std::string& path, const CampaignMeta& meta);
  /// Opens an existing store for appending runs; the writer lock is taken before the file is
  /// examined. Throws StoreMissingError when it does not exist, StorageError when it is not a
  /// tmex store, is damaged, has another schema version, is read-only, or another process is
  /// writing it (through any link). Sessions left `running` are marked `crashed`.
  /// `check_stored`, when given, sees the stored metadata first, with the lock held and before
  /// anything is written (not even the switch to WAL mode); what it throws refuses the store
  /// unchanged.
  static CampaignStore open_for_writing(
      const std::string& path,
      const std::function<void(const CampaignMeta& stored)>& check_stored = {});
  /// open_for_writing(), or create() when the store does not exist; `created` says which. An
  /// empty file (0 bytes) at `path` is taken as a store not yet made and built in place.
  /// Safe against another process creating the same store at the same moment.
  static CampaignStore open_or_create(
      const std::string& path, const CampaignMeta& meta, bool& created,
      const std::function<void(const CampaignMeta& stored)>& check_stored = {});
  /// Opens an existing store read-only (also while a campaign writes it, also on a read-only
  /// file system). Never writes to the file or creates one beside it: a store in WAL mode that
  /// no writer holds is read as an immutable snapshot, and when committed transactions sit in a
  /// "-wal" file that cannot be read that way, a notice says so (store_notice).
  static CampaignStore open_read_only(const std::string& path);

  ~CampaignStore();
  CampaignStore(CampaignStore&&) noexcept;
  CampaignStore& operator=(CampaignStore&&) = delete;

  const CampaignMeta& meta() const { return meta_; }
  const std::string& path() const { return db_.path(); }

  /// Enlarges the campaign to `enlarged` (same parameters, outputs and replicates, more
  /// samples, new design and config text), in one transaction; stored runs keep their ids.
  /// Throws StorageError when `enlarged` is not an enlargement of this campaign.
  void extend(const CampaignMeta& enlarged);

  /// A campaign that stops itself, changed on its store: a higher campaign.samples (more
  /// checkpoints) and/or other criteria. Takes `changed`'s samples (never fewer: StorageError),
  /// design and configuration texts, records `extended_from` when it grew, and forgets the checks
  /// of checkpoints `forget_checks_from` and later (the campaign makes them again), in one
  /// transaction.
  void change_convergence(const CampaignMeta& changed, int forget_checks_from);

  /// Stores a batch of runs in one transaction; all or nothing. Throws StorageError.
  void append(std::span<const RunRecord> runs);

  /// The stored run ids as sorted, disjoint, non-adjacent ranges: O(stored rows) time (a scan
  /// of the narrow status index), memory O(ranges), independent of the campaign's size.
  std::vector<IdRange> stored_ranges();

  /// One stored run with its trajectories (variable-major, NaN where not stored), or nullopt
  /// when no run has this id. Throws StorageError.
  std::optional<RunRecord> read_run(std::uint64_t id);

  /// Starts a session row (outcome "running"); earlier sessions still "running" are marked
  /// "crashed" (their process is gone: we hold the writer lock). Returns the session id.
  std::int64_t begin_session(const SessionInfo& info);

  /// Updates the current session's in-flight record in one transaction: adds `dispatched`,
  /// removes the chunks `finished` (received, or abandoned by a rank that is alive). Throws
  /// StorageError. Requires begin_session().
  void update_in_flight(std::span<const InFlightChunk> dispatched,
                        std::span<const std::uint64_t> finished);
  /// Turns the in-flight records of sessions that died into quarantine: each recorded task not
  /// stored gets one more crash, and the records go. Returns the quarantined tasks not stored,
  /// in task order. Writer only; call before begin_session().
  std::vector<QuarantinedTask> recover_in_flight();
  /// For --retry-crashed: deletes the rows stored with status `crashed` and sets the crash
  /// count of every quarantined task to 1 (they run alone, once, before the rest), and the
  /// checks of a self-stopping campaign whose checkpoint holds one of those rows (they are made
  /// again once the rows are back). Returns how many rows went.
  std::int64_t retry_crashed();
  /// Records the check of a checkpoint in one transaction (replacing an earlier record of the
  /// same checkpoint). With `keep_runs_below`, runs with an id at or above it, their trajectories,
  /// quarantine entries and their count in their sessions' runs_stored go in the same
  /// transaction: a campaign that converged keeps exactly the runs of its checkpoint. Returns
  /// how many runs went. Throws StorageError.
  std::uint64_t record_check(const CheckRecord& check,
                             std::optional<std::uint64_t> keep_runs_below = std::nullopt);
  /// The recorded checks in checkpoint order (empty for a store without any, or made before
  /// campaigns could stop themselves). Throws StorageError.
  std::vector<CheckRecord> checks();
  /// Ends a session with its outcome ("complete", "interrupted", "failed", ...).
  void end_session(std::int64_t id, const std::string& outcome);

  StoreStatus status(std::size_t examples_per_group = 5);

  /// Writes the runs table as CSV (header row; NULL as empty field), ordered by id (sample, arm,
  /// replicate); the arm column, where there is one, holds the arm's name.
  void export_csv(std::ostream& out);

  /// Reads columns (parameters or outputs by name) of the runs with status ok, ordered by
  /// sample and replicate. Column-major: result[c][row].
  std::vector<std::vector<double>> read_ok_columns(const std::vector<std::string>& columns);

  Database& database() { return db_; }
  /// Schema version of the file (1 or kSchemaVersion).
  int schema_version() const { return schema_version_; }

 private:
  CampaignStore(WriterLock lock, Database db, CampaignMeta meta, int schema_version);
  /// The writer's open under `lock`; with `new_meta`, an empty file becomes a new store.
  static CampaignStore open_locked(
      const std::string& path, WriterLock lock,
      const std::function<void(const CampaignMeta& stored)>& check_stored,
      const CampaignMeta* new_meta);
  static CampaignMeta load_meta(Database& db);
  void prepare_insert();

  // Declared before db_, so destroyed after it: the lock's descriptor must outlive SQLite's.
  WriterLock lock_;
  Database db_;
  CampaignMeta meta_;
  int schema_version_ = kSchemaVersion;
  bool writer_active_ = false;  ///< read-only: a writer held the store when it was opened
  std::unique_ptr<Statement> read_run_;
  std::unique_ptr<Statement> read_trajectory_;
  std::optional<std::int64_t> session_;  ///< the session appended runs belong to
  std::unique_ptr<Statement> insert_run_;
  std::unique_ptr<Statement> insert_trajectory_;
  std::unique_ptr<Statement> count_session_runs_;  ///< append's session bookkeeping
};

}  // namespace tmex::storage
