// Mann-Whitney U tests of failed against successful runs, and their summary in words.
#include "analysis/failure_dependence.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <sstream>

#include "analysis/analysis_error.hpp"
#include "analysis/bootstrap.hpp"
#include "analysis/p_value_adjustment.hpp"
#include "analysis/ranks.hpp"

namespace tmex::analysis {

namespace {

double median(const Eigen::Ref<const Eigen::VectorXd>& x) {
  std::vector<double> v(x.data(), x.data() + x.size());
  std::sort(v.begin(), v.end());
  return sorted_quantile(v, 0.5);
}

}  // namespace

FailureDependence failure_dependence(const Eigen::Ref<const Eigen::MatrixXd>& failed_inputs,
                                     const Eigen::Ref<const Eigen::MatrixXd>& succeeded_inputs,
                                     const Labels& labels) {
  const Eigen::Index k = failed_inputs.cols();
  if (succeeded_inputs.cols() != k) {
    throw AnalysisError("failure_dependence: failed runs have " + std::to_string(k) +
                        " parameters, successful runs " + std::to_string(succeeded_inputs.cols()));
  }
  const Eigen::Index n1 = failed_inputs.rows();
  const Eigen::Index n2 = succeeded_inputs.rows();
  FailureDependence out;
  out.parameters = Labels{labels.parameters, {}}.resolve(k, 0).parameters;
  out.failed = n1;
  out.succeeded = n2;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (auto* v :
       {&out.u, &out.effect, &out.z, &out.p_value, &out.median_failed, &out.median_succeeded}) {
    v->setConstant(k, nan);
  }
  const auto f1 = static_cast<double>(n1);
  const auto f2 = static_cast<double>(n2);
  const double n = f1 + f2;
  Eigen::VectorXd pooled(n1 + n2);
  const boost::math::normal_distribution<double> normal;
  for (Eigen::Index i = 0; i < k; ++i) {
    pooled << failed_inputs.col(i), succeeded_inputs.col(i);
    if (pooled.hasNaN()) {
      throw AnalysisError("failure_dependence: parameter '" +
                          out.parameters[static_cast<std::size_t>(i)] + "' has NaN inputs");
    }
    if (n1 == 0 || n2 == 0) continue;
    out.median_failed[i] = median(failed_inputs.col(i));
    out.median_succeeded[i] = median(succeeded_inputs.col(i));
    const Eigen::VectorXd ranks = average_ranks(pooled);
    const double u = ranks.head(n1).sum() - f1 * (f1 + 1.0) / 2.0;
    out.u[i] = u;
    out.effect[i] = u / (f1 * f2);
    const double variance =
        f1 * f2 / 12.0 * ((n + 1.0) - tie_correction_sum(pooled) / (n * (n - 1.0)));
    if (!(variance > 0.0)) continue;
    const double excess = u - f1 * f2 / 2.0;
    // The continuity correction moves U half a step towards the mean, never past it.
    const double corrected = std::copysign(std::max(0.0, std::abs(excess) - 0.5), excess);
    out.z[i] = corrected / std::sqrt(variance);
    out.p_value[i] = 2.0 * boost::math::cdf(boost::math::complement(normal, std::abs(out.z[i])));
  }
  out.p_bh = benjamini_hochberg(out.p_value);
  return out;
}

std::string describe(const FailureDependence& result, double alpha) {
  std::ostringstream s;
  const Eigen::Index total = result.failed + result.succeeded;
  s << result.failed << " of " << total << " runs failed";
  if (total > 0) {
    s.precision(3);
    s << " (" << 100.0 * static_cast<double>(result.failed) / static_cast<double>(total) << "%)";
  }
  s << ".";
  if (result.failed == 0 || result.succeeded == 0) {
    s << " Dependence on the inputs cannot be tested without both failed and successful runs.";
    return s.str();
  }
  std::vector<Eigen::Index> dependent;
  for (Eigen::Index i = 0; i < result.p_bh.size(); ++i) {
    if (result.p_bh[i] < alpha) dependent.push_back(i);
  }
  std::sort(dependent.begin(), dependent.end(),
            [&](Eigen::Index a, Eigen::Index b) { return result.p_bh[a] < result.p_bh[b]; });
  s.precision(2);
  if (!dependent.empty()) {
    s << " Failures depend on:";
    for (std::size_t d = 0; d < dependent.size(); ++d) {
      const Eigen::Index i = dependent[d];
      s << (d == 0 ? " " : "; ") << result.parameters[static_cast<std::size_t>(i)] << " ("
        << (result.effect[i] > 0.5 ? "higher" : "lower")
        << " in failed runs, P(failed > ok) = " << result.effect[i]
        << ", adjusted p = " << result.p_bh[i] << ")";
    }
    s << ".";
  }
  const auto others = static_cast<Eigen::Index>(result.parameters.size() - dependent.size());
  if (others > 0) {
    s << " No evidence that they depend on " << (dependent.empty() ? "any of the " : "the other ")
      << others << " parameter" << (others == 1 ? "" : "s") << " (BH-adjusted p >= " << alpha
      << ").";
  }
  return s.str();
}

}  // namespace tmex::analysis
