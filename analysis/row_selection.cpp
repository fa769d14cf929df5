// Pipeline stages 1-3: row selection, failure dependence, replicate averaging.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "analysis/analysis_error.hpp"
#include "analysis/pipeline_stages.hpp"

namespace tmex::analysis {

namespace {

// Above this many successful runs the failure test compares with an evenly spaced subset.
constexpr std::size_t kFailureComparisonRows = 100000;

std::uint32_t arm_of(const RunTable& runs, std::size_t r) {
  return runs.arm.empty() ? 0u : runs.arm[r];
}

}  // namespace

std::vector<std::size_t> columns_of(const RunTable& runs, const std::vector<std::string>& names) {
  std::vector<std::size_t> out;
  for (const auto& name : names) {
    const auto c = runs.find(name);
    if (!c) throw AnalysisError("the run table has no column '" + name + "'");
    out.push_back(*c);
  }
  return out;
}

RowSelection select_rows(const RunTable& runs, const std::vector<std::size_t>& columns) {
  runs.check_shape();
  std::vector<std::size_t> order(runs.rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto before = [&](std::size_t a, std::size_t b) {
    const auto ka = std::make_tuple(arm_of(runs, a), runs.sample[a], runs.replicate[a]);
    const auto kb = std::make_tuple(arm_of(runs, b), runs.sample[b], runs.replicate[b]);
    return ka < kb;
  };
  // A store reads its rows in this order already; only an unordered table is sorted.
  if (!std::is_sorted(order.begin(), order.end(), before)) {
    std::stable_sort(order.begin(), order.end(), before);
  }
  RowSelection s;
  for (const std::size_t r : order) {
    if (!runs.ok[r]) {
      s.failed.push_back(r);
      continue;
    }
    s.ok.push_back(r);
    bool complete = true;
    for (const std::size_t c : columns) complete = complete && !std::isnan(runs.column(c)[r]);
    if (complete) s.analysed.push_back(r);
  }
  return s;
}

FailureAnalysis analyse_failures(const RunTable& runs, const RowSelection& rows,
                                 const std::vector<std::size_t>& parameters,
                                 const std::vector<std::string>& names) {
  const auto k = static_cast<Eigen::Index>(parameters.size());
  Eigen::MatrixXd failed(static_cast<Eigen::Index>(rows.failed.size()), k);
  Eigen::Index f = 0;
  for (const std::size_t r : rows.failed) {
    bool finite = true;
    for (const std::size_t c : parameters) finite = finite && std::isfinite(runs.column(c)[r]);
    if (!finite) continue;
    for (Eigen::Index j = 0; j < k; ++j) failed(f, j) = runs.column(parameters[j])[r];
    ++f;
  }
  failed.conservativeResize(f, k);
  const std::size_t n = rows.ok.size();
  const std::size_t compared = std::min(n, kFailureComparisonRows);
  Eigen::MatrixXd ok(static_cast<Eigen::Index>(compared), k);
  for (std::size_t i = 0; i < compared; ++i) {
    const std::size_t r = rows.ok[i * n / compared];
    for (Eigen::Index j = 0; j < k; ++j) {
      ok(static_cast<Eigen::Index>(i), j) = runs.column(parameters[j])[r];
    }
  }
  FailureAnalysis out;
  out.stored_runs = runs.rows;
  out.ok_runs = n;
  out.compared_ok = compared;
  out.test = failure_dependence(failed, ok, {names, {}});
  out.summary = describe(out.test, out.stored_runs);
  if (compared < n) {
    out.summary += " (The failed runs were compared with " + std::to_string(compared) +
                   " evenly spaced successful runs of " + std::to_string(n) + ".)";
  }
  return out;
}

RunTable average_replicates(const RunTable& runs, const std::vector<std::size_t>& rows,
                            const std::vector<std::size_t>& columns) {
  // Groups of consecutive rows of one (arm, sample).
  std::vector<std::size_t> start;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == 0 || runs.sample[rows[i]] != runs.sample[rows[i - 1]] ||
        arm_of(runs, rows[i]) != arm_of(runs, rows[i - 1])) {
      start.push_back(i);
    }
  }
  start.push_back(rows.size());
  const std::size_t groups = start.size() - 1;
  RunTable out;
  out.rows = groups;
  for (const std::size_t c : columns) out.columns.push_back(runs.columns[c]);
  out.values.resize(groups * columns.size());
  const auto mean_of = [&](const double* column, std::size_t g) {
    double sum = 0.0;
    for (std::size_t i = start[g]; i < start[g + 1]; ++i) sum += column[rows[i]];
    return sum / static_cast<double>(start[g + 1] - start[g]);
  };
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const double* column = runs.column(columns[c]);
    for (std::size_t g = 0; g < groups; ++g) out.values[c * groups + g] = mean_of(column, g);
  }
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t first = rows[start[g]];
    out.sample.push_back(runs.sample[first]);
    out.replicate.push_back(0);
    if (!runs.arm.empty()) out.arm.push_back(runs.arm[first]);
    out.block.push_back(runs.block[first]);
    out.ok.push_back(1);
  }
  for (const auto& t : runs.trajectories) {
    TrajectoryColumns m{t.variable, t.times, std::vector<double>(groups * t.times.size())};
    for (std::size_t ti = 0; ti < t.times.size(); ++ti) {
      const double* column = t.values.data() + ti * runs.rows;
      for (std::size_t g = 0; g < groups; ++g) m.values[ti * groups + g] = mean_of(column, g);
    }
    out.trajectories.push_back(std::move(m));
  }
  return out;
}

}  // namespace tmex::analysis
