// Bulk reads for analysis: one SELECT straight into preallocated column-major buffers.
#include "storage/run_reader.hpp"

#include <limits>

namespace tmex::storage {

namespace {

// Ends the read transaction on every path (a read-only connection never writes, so COMMIT
// only releases the snapshot).
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db) : db_(db) { db_.exec("BEGIN"); }
  ~ReadSnapshot() {
    try {
      db_.exec("COMMIT");
    } catch (const StorageError&) {
      // Nothing was written; the snapshot ends with the connection at the latest.
    }
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Database& db_;
};

}  // namespace

RunColumns read_run_columns(CampaignStore& store, const std::vector<std::string>& columns) {
  Database& db = store.database();
  ReadSnapshot snapshot(db);
  RunColumns out;
  out.columns = columns;
  const auto count = db.query_int("SELECT count(*) FROM runs").value_or(0);
  const std::size_t capacity = static_cast<std::size_t>(count);
  const std::size_t ncol = columns.size();
  out.values.resize(capacity * ncol);
  out.sample.resize(capacity);
  out.replicate.resize(capacity);
  out.block.resize(capacity);
  out.ok.resize(capacity);
  const bool arms = !store.meta().arms.empty();
  if (arms) out.arm.resize(capacity);

  std::string sql =
      std::string("SELECT sample, replicate, block, status = 'ok', ") + (arms ? "arm" : "0");
  for (const auto& c : columns) sql += ", " + quote_identifier(c);
  sql += " FROM runs ORDER BY id";
  Statement st = db.prepare(sql);
  std::size_t r = 0;
  while (r < capacity && st.step()) {
    out.sample[r] = static_cast<std::uint64_t>(st.column_int(0));
    out.replicate[r] = static_cast<std::uint32_t>(st.column_int(1));
    out.block[r] = st.column_int(2);
    out.ok[r] = st.column_int(3) != 0 ? 1 : 0;
    if (arms) out.arm[r] = static_cast<std::uint32_t>(st.column_int(4));
    for (std::size_t c = 0; c < ncol; ++c) {
      out.values[c * capacity + r] = st.column_double(static_cast<int>(c) + 5);
    }
    ++r;
  }
  if (r != capacity) {
    throw StorageError(db.path() + ": the runs table changed during a read snapshot (" +
                       std::to_string(r) + " rows read, " + std::to_string(capacity) + " counted)");
  }
  out.rows = capacity;
  return out;
}

std::vector<TrajectoryColumns> read_trajectories(CampaignStore& store,
                                                 const std::vector<std::int64_t>& run_ids) {
  const auto& meta = store.meta();
  const std::size_t nt = meta.trajectory_times.size();
  std::vector<TrajectoryColumns> out;
  if (meta.trajectory_variables.empty() || nt == 0 || run_ids.empty()) return out;
  const std::size_t rows = run_ids.size();
  for (const auto& v : meta.trajectory_variables) {
    TrajectoryColumns t;
    t.variable = v;
    t.times = meta.trajectory_times;
    t.rows = rows;
    t.values.assign(rows * nt, std::numeric_limits<double>::quiet_NaN());
    out.push_back(std::move(t));
  }
  // Run ids are dense (storage::RunNumbering), so a vector maps them to rows.
  std::vector<std::int64_t> row_of(meta.total_runs(), -1);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto id = run_ids[r];
    if (id >= 0 && static_cast<std::uint64_t>(id) < row_of.size()) {
      row_of[static_cast<std::size_t>(id)] = static_cast<std::int64_t>(r);
    }
  }
  Database& db = store.database();
  ReadSnapshot snapshot(db);
  Statement st = db.prepare("SELECT run, variable, time_index, value FROM trajectories");
  while (st.step()) {
    const auto id = st.column_int(0);
    if (id < 0 || static_cast<std::uint64_t>(id) >= row_of.size()) continue;
    const auto row = row_of[static_cast<std::size_t>(id)];
    const auto var = st.column_int(1);
    const auto ti = st.column_int(2);
    if (row < 0 || var < 0 || static_cast<std::size_t>(var) >= out.size() || ti < 0 ||
        static_cast<std::size_t>(ti) >= nt) {
      continue;
    }
    out[static_cast<std::size_t>(var)]
        .values[static_cast<std::size_t>(ti) * rows + static_cast<std::size_t>(row)] =
        st.column_double(3);
  }
  return out;
}

}  // namespace tmex::storage
