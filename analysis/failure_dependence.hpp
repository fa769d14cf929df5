// Whether failed runs differ from successful ones in their inputs: Mann-Whitney U per parameter.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/labels.hpp"

namespace tmex::analysis {

/// Per parameter, a two-sided Mann-Whitney U (Wilcoxon rank-sum) test of "the inputs of
/// failed runs and of successful runs come from the same distribution".
struct FailureDependence {
  std::vector<std::string> parameters;
  Eigen::Index failed = 0;
  Eigen::Index succeeded = 0;
  Eigen::VectorXd u;             ///< U of the failed group: rank sum - n_f (n_f + 1) / 2
  Eigen::VectorXd effect;        ///< U / (n_f n_s) = P(x_failed > x_ok) + P(tie) / 2
  Eigen::VectorXd z;             ///< normal approximation, tie- and continuity-corrected
  Eigen::VectorXd p_value;       ///< two-sided; NaN when a group is empty or all values tie
  Eigen::VectorXd p_bonferroni;  ///< Bonferroni across the parameters (bonferroni())
  Eigen::VectorXd p_bh;          ///< Benjamini-Hochberg across the parameters
  Eigen::VectorXd median_failed, median_succeeded;
};

/// Tests each column of `failed_inputs` (n_f x k) against the same column of
/// `succeeded_inputs` (n_s x k): ranks of the pooled column (average ranks for ties),
/// mean n_f n_s / 2, variance n_f n_s / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))), z with a
/// 0.5 continuity correction (as scipy.stats.mannwhitneyu, method="asymptotic"). Adequate
/// from about 8 runs per group. Only `labels.parameters` is used. Throws AnalysisError when
/// the column counts differ or a value is NaN.
FailureDependence failure_dependence(const Eigen::Ref<const Eigen::MatrixXd>& failed_inputs,
                                     const Eigen::Ref<const Eigen::MatrixXd>& succeeded_inputs,
                                     const Labels& labels = {});

/// A plain-language account for a report, e.g. "12 of 1000 stored runs failed (1.2%) and are
/// excluded. Failures depend on the inputs: x1 is higher in failed runs (median 0.91 against
/// 0.48; P(failed > ok) = 0.91; Mann-Whitney, Bonferroni-adjusted p = 3.1e-08). Results
/// describe the region where the model succeeds, not the whole space. No evidence that failures
/// depend on the other 2 parameters (Mann-Whitney, Bonferroni-adjusted p >= 0.05)."
/// `stored_runs` is the number of runs the failures are counted among (0: failed +
/// succeeded); a dependence is reported where the Bonferroni-adjusted p is below `alpha`
/// (family-wise error rate).
std::string describe(const FailureDependence& result, std::uint64_t stored_runs = 0,
                     double alpha = 0.05);

}  // namespace tmex::analysis
