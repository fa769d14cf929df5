// RunTable: views, look-ups, shape checks and row subsets.
#include "analysis/run_table.hpp"

#include <algorithm>

#include "analysis/analysis_error.hpp"

namespace tmex::analysis {

Eigen::Map<const Eigen::MatrixXd> RunTable::matrix() const {
  return {values.data(), static_cast<Eigen::Index>(rows),
          static_cast<Eigen::Index>(columns.size())};
}

std::optional<std::size_t> RunTable::find(std::string_view name) const {
  const auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) return std::nullopt;
  return static_cast<std::size_t>(it - columns.begin());
}

void RunTable::check_shape() const {
  const auto expect = [&](std::size_t size, const char* what) {
    if (size != rows) {
      throw AnalysisError("run table: " + std::string(what) + " has " + std::to_string(size) +
                          " entries for " + std::to_string(rows) + " rows");
    }
  };
  if (values.size() != rows * columns.size()) {
    throw AnalysisError("run table: " + std::to_string(values.size()) + " values for " +
                        std::to_string(rows) + " rows x " + std::to_string(columns.size()) +
                        " columns");
  }
  expect(sample.size(), "sample");
  expect(replicate.size(), "replicate");
  expect(block.size(), "block");
  expect(ok.size(), "ok");
  if (!arm.empty()) expect(arm.size(), "arm");
  for (const auto& t : trajectories) {
    if (t.values.size() != rows * t.times.size()) {
      throw AnalysisError("run table: trajectory " + t.variable + " has " +
                          std::to_string(t.values.size()) + " values for " + std::to_string(rows) +
                          " rows x " + std::to_string(t.times.size()) + " times");
    }
  }
}

RunTable RunTable::rows_at(const std::vector<std::size_t>& keep) const {
  RunTable t;
  t.columns = columns;
  t.rows = keep.size();
  t.values.reserve(t.rows * columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    for (const std::size_t r : keep) t.values.push_back(column(c)[r]);
  }
  for (const std::size_t r : keep) {
    t.sample.push_back(sample[r]);
    t.replicate.push_back(replicate[r]);
    if (!arm.empty()) t.arm.push_back(arm[r]);
    t.block.push_back(block[r]);
    t.ok.push_back(ok[r]);
  }
  for (const auto& trajectory : trajectories) {
    TrajectoryColumns m{trajectory.variable, trajectory.times, {}};
    m.values.reserve(t.rows * trajectory.times.size());
    for (std::size_t ti = 0; ti < trajectory.times.size(); ++ti) {
      for (const std::size_t r : keep) m.values.push_back(trajectory.values[ti * rows + r]);
    }
    t.trajectories.push_back(std::move(m));
  }
  return t;
}

}  // namespace tmex::analysis
