// Bulk reads of the runs and trajectories tables into column-major buffers for analysis.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/campaign_store.hpp"

namespace tmex::storage {

/// Chosen columns of every stored run, in id order (sample, arm, replicate). The numbers are
/// one column-major rows x columns buffer, so that a caller can view it as a matrix without a
/// copy (Eigen::Map).
struct RunColumns {
  std::vector<std::string> columns;  ///< the value columns, as requested
  std::size_t rows = 0;
  std::vector<double> values;         ///< column-major, rows x columns.size(); NULL reads NaN
  std::vector<std::uint64_t> sample;  ///< per row
  std::vector<std::uint32_t> arm;     ///< per row; empty for a store without arms
  std::vector<std::uint32_t> replicate;
  std::vector<std::int64_t> block;  ///< per row: the design block (Saltelli: A, A_B(i), B)
  std::vector<std::uint8_t> ok;     ///< per row: 1 where status is 'ok'
};

/// Reads `columns` (parameter or output names of the runs table) of every stored run with
/// one prepared SELECT inside one read transaction (a consistent snapshot while a campaign
/// writes). Memory: 8 bytes per value plus 21 bytes per row (25 with arms). Throws StorageError for
/// an unknown column or a storage failure.
RunColumns read_run_columns(CampaignStore& store, const std::vector<std::string>& columns);

/// One trajectory variable over the stored times for chosen runs.
struct TrajectoryColumns {
  std::string variable;
  std::vector<double> times;
  std::size_t rows = 0;
  std::vector<double> values;  ///< column-major, rows x times.size(); NaN where not stored
};

/// Reads every trajectory variable of the runs `run_ids` (row r of each result is run
/// run_ids[r]). Runs without trajectories (failed runs) read as NaN. Throws StorageError.
std::vector<TrajectoryColumns> read_trajectories(CampaignStore& store,
                                                 const std::vector<std::int64_t>& run_ids);

}  // namespace tmex::storage
