// RunTable: the runs of a campaign in memory, the input of the campaign-analysis pipeline.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tmex::analysis {

/// One variable recorded over time, for every row of a RunTable.
struct TrajectoryColumns {
  std::string variable;
  std::vector<double> times;
  std::vector<double> values;  ///< column-major rows x times.size(); NaN where not recorded
};

/// Every run of a campaign (successful or not) as plain columns: the values of the parameters
/// and outputs an analysis needs, and each run's keys and status. Rows may come in any order
/// (the pipeline orders what it uses by sample, replicate and arm). Built by the driver from a
/// store, or by a test or a running campaign from memory; no file is involved.
struct RunTable {
  std::vector<std::string> columns;  ///< names of the value columns
  std::size_t rows = 0;
  /// Column-major rows x columns.size(): column c holds values[c rows .. (c + 1) rows).
  /// NaN where a value is missing (a failed run, or NULL).
  std::vector<double> values;
  std::vector<std::uint64_t> sample;            ///< per row: the design point
  std::vector<std::uint32_t> replicate;         ///< per row
  std::vector<std::uint32_t> arm;               ///< per row: the treatment arm; empty: one arm
  std::vector<std::int64_t> block;              ///< per row: the design block (Saltelli: A = 0,
                                                ///< A_B(i) = i, B = k + 1)
  std::vector<std::uint8_t> ok;                 ///< per row: 1 where the run succeeded
  std::vector<TrajectoryColumns> trajectories;  ///< optional, row for row

  /// The values as a rows x columns matrix, without a copy.
  Eigen::Map<const Eigen::MatrixXd> matrix() const;
  /// Column c's values (rows of them).
  const double* column(std::size_t c) const { return values.data() + c * rows; }
  /// The index of the column named `name`, or nullopt.
  std::optional<std::size_t> find(std::string_view name) const;
  /// Throws AnalysisError unless every per-row vector has `rows` entries (arm: 0 or rows),
  /// values has rows x columns, and each trajectory rows x its times.
  void check_shape() const;
  /// A table of the rows `keep` of this one (row indices, in that order): every value column,
  /// key, arm and trajectory. O(keep x (columns + trajectory times)).
  RunTable rows_at(const std::vector<std::size_t>& keep) const;
};

}  // namespace tmex::analysis
