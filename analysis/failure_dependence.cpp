// Mann-Whitney U tests of failed against successful runs, and their summary in words.
#include "analysis/failure_dependence.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>

#include "analysis/analysis_error.hpp"
#include "analysis/p_value_adjustment.hpp"
#include "analysis/ranks.hpp"
#include "text/number_text.hpp"

namespace tmex::analysis {

namespace {

// The type-7 median (the mean of the two middle values for an even count), by selection.
double median(const Eigen::Ref<const Eigen::VectorXd>& x) {
  if (x.size() == 0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v(x.data(), x.data() + x.size());
  const std::size_t lo = (v.size() - 1) / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double a = v[lo];
  if (v.size() % 2 == 1) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return a + 0.5 * (b - a);
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
  out.p_bonferroni = bonferroni(out.p_value);
  out.p_bh = benjamini_hochberg(out.p_value);
  return out;
}

std::string describe(const FailureDependence& result, std::uint64_t stored_runs, double alpha) {
  const auto number = [](double v, text::NumberStyle style) {
    return text::format_number(v, style);
  };
  const std::uint64_t total =
      stored_runs > 0 ? stored_runs : static_cast<std::uint64_t>(result.failed + result.succeeded);
  std::string s =
      std::to_string(result.failed) + " of " + std::to_string(total) + " stored runs failed";
  if (total > 0) {
    s +=
        " (" +
        text::format_number(100.0 * static_cast<double>(result.failed) / static_cast<double>(total),
                            text::NumberStyle::kGeneral) +
        "%)";
  }
  s += " and are excluded.";
  if (result.failed == 0 || result.succeeded == 0) {
    return s +
           " Dependence on the inputs cannot be tested without both failed and successful runs.";
  }
  std::vector<Eigen::Index> dependent;
  for (Eigen::Index i = 0; i < result.p_bonferroni.size(); ++i) {
    if (result.p_bonferroni[i] < alpha) dependent.push_back(i);
  }
  std::sort(dependent.begin(), dependent.end(), [&](Eigen::Index a, Eigen::Index b) {
    return result.p_bonferroni[a] < result.p_bonferroni[b];
  });
  if (!dependent.empty()) {
    s += " Failures depend on the inputs:";
    for (std::size_t d = 0; d < dependent.size(); ++d) {
      const Eigen::Index i = dependent[d];
      s += std::string(d == 0 ? " " : "; ") + result.parameters[static_cast<std::size_t>(i)] +
           " is " + (result.effect[i] > 0.5 ? "higher" : "lower") + " in failed runs (median " +
           number(result.median_failed[i], text::NumberStyle::kGeneral) + " against " +
           number(result.median_succeeded[i], text::NumberStyle::kGeneral) +
           "; P(failed > ok) = " + number(result.effect[i], text::NumberStyle::kCoefficient) +
           "; Mann-Whitney, Bonferroni-adjusted p = " +
           number(result.p_bonferroni[i], text::NumberStyle::kPValue) + ")";
    }
    s += ". Results describe the region where the model succeeds, not the whole space.";
  }
  const auto others = static_cast<Eigen::Index>(result.parameters.size() - dependent.size());
  if (others > 0) {
    s += std::string(" No evidence that failures depend on ") +
         (dependent.empty() ? "any of the " : "the other ") + std::to_string(others) +
         " parameter" + (others == 1 ? "" : "s") +
         " (Mann-Whitney, Bonferroni-adjusted p >= " + number(alpha, text::NumberStyle::kShortest) +
         ").";
  }
  if (result.failed < 8) s += " With fewer than 8 failed runs the tests have little power.";
  return s;
}

}  // namespace tmex::analysis
