// Subsample sequences for PRCC and Sobol' indices and the last-doubling verdict.
#include "analysis/convergence.hpp"

#include <cmath>

#include "analysis/analysis_error.hpp"
#include "analysis/partial_correlation.hpp"
#include "analysis/sobol_indices.hpp"
#include "text/number_text.hpp"

namespace tmex::analysis {

namespace {

std::vector<Eigen::Index> doubling_sizes(Eigen::Index n, int steps, Eigen::Index minimum,
                                         const char* unit) {
  if (steps < 2)
    throw AnalysisError("convergence: steps must be >= 2, got " + std::to_string(steps));
  std::vector<Eigen::Index> sizes;
  for (int s = steps - 1; s >= 0; --s) sizes.push_back(n >> s);
  if (sizes.front() < minimum) {
    throw AnalysisError("convergence: the smallest of " + std::to_string(steps) +
                        " subsamples has " + std::to_string(sizes.front()) + " " + unit +
                        ", fewer than the " + std::to_string(minimum) +
                        " needed; use fewer steps "
                        "or more samples");
  }
  return sizes;
}

void judge(ConvergenceReport& r, const std::string& measure, const char* unit) {
  const Eigen::MatrixXd& last = r.values.back();
  const Eigen::MatrixXd& before = r.values[r.values.size() - 2];
  r.max_change = 0.0;
  for (Eigen::Index j = 0; j < last.cols(); ++j) {
    for (Eigen::Index i = 0; i < last.rows(); ++i) {
      const double change = std::abs(last(i, j) - before(i, j));
      if (std::isfinite(change) && (change > r.max_change || r.worst_row.empty())) {
        r.max_change = change;
        r.worst_row = r.rows[static_cast<std::size_t>(i)];
        r.worst_output = r.outputs[static_cast<std::size_t>(j)];
      }
    }
  }
  // An index that is not a number (a constant output or input) cannot have converged: the
  // verdict says so instead of judging only the others.
  Eigen::Index undefined = 0;
  std::string undefined_row, undefined_output;
  for (Eigen::Index j = 0; j < last.cols(); ++j) {
    for (Eigen::Index i = 0; i < last.rows(); ++i) {
      if (std::isfinite(last(i, j))) continue;
      if (undefined++ == 0) {
        undefined_row = r.rows[static_cast<std::size_t>(i)];
        undefined_output = r.outputs[static_cast<std::size_t>(j)];
      }
    }
  }
  r.converged = undefined == 0 && r.max_change <= r.tolerance;
  const auto brief = [](double v) { return text::format_number(v, text::NumberStyle::kBrief); };
  const std::string doubling = "over the last doubling (" +
                               std::to_string(r.sample_sizes[r.sample_sizes.size() - 2]) + " to " +
                               std::to_string(r.sample_sizes.back()) + " " + unit + ")";
  if (undefined > 0) {
    r.verdict = "undefined: " + measure + " " + undefined_row + " on " + undefined_output +
                " is not a number at " + std::to_string(r.sample_sizes.back()) + " " + unit +
                " (is " + undefined_output + " constant?)";
    if (undefined > 1)
      r.verdict += "; " + std::to_string(undefined) + " indices in all are not numbers";
    if (undefined < last.size()) {
      r.verdict += "; the others moved by at most " + brief(r.max_change) + " " + doubling;
    }
  } else if (r.converged) {
    r.verdict = "converged: " + measure + " moved by at most " + brief(r.max_change) + " " +
                doubling + ", within the tolerance " + brief(r.tolerance);
  } else {
    r.verdict = "not converged: " + measure + " " + r.worst_row + " on " + r.worst_output +
                " moved by " + brief(r.max_change) + " " + doubling + ", more than the tolerance " +
                brief(r.tolerance) + "; increase samples";
  }
}

}  // namespace

ConvergenceReport prcc_convergence(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                   const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                   const Labels& labels, const ConvergenceOptions& options) {
  const Labels names = labels.resolve(inputs.cols(), outputs.cols());
  doubling_sizes(inputs.rows(), options.steps, inputs.cols() + 4, "rows");  // checks first
  return prcc_convergence(rank_inputs_and_outputs(inputs, outputs, options.threads), inputs.cols(),
                          names, options);
}

ConvergenceReport prcc_convergence(RankMatrix ranks, Eigen::Index k, const Labels& labels,
                                   const ConvergenceOptions& options, const Eigen::MatrixXd* full) {
  const Labels names = labels.resolve(k, ranks.cols() - k);
  ConvergenceReport r;
  r.rows = names.parameters;
  r.outputs = names.outputs;
  r.tolerance = options.tolerance;
  r.sample_sizes = doubling_sizes(ranks.rows(), options.steps, k + 4, "rows");
  r.values.resize(r.sample_sizes.size());
  PartialCorrelationOptions pc;
  pc.threads = options.threads;
  // Largest first: each subsample's ranks come from the one before by counting.
  for (std::size_t s = r.sample_sizes.size(); s-- > 0;) {
    const Eigen::Index n = r.sample_sizes[s];
    if (n < ranks.rows()) ranks.keep_leading(n, options.threads);
    r.values[s] =
        s + 1 == r.sample_sizes.size() && full ? *full : prcc(ranks, k, names, pc).coefficient;
  }
  judge(r, "PRCC", "rows");
  return r;
}

ConvergenceReport sobol_convergence(const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                    Eigen::Index k, const Labels& labels,
                                    const ConvergenceOptions& options) {
  if (k < 1 || outputs.rows() % (k + 2) != 0) {
    throw AnalysisError("sobol_convergence: " + std::to_string(outputs.rows()) +
                        " rows is not a multiple of k + 2 = " + std::to_string(k + 2));
  }
  const Labels names = labels.resolve(k, outputs.cols());
  ConvergenceReport r;
  for (const auto& p : names.parameters) r.rows.push_back("S(" + p + ")");
  for (const auto& p : names.parameters) r.rows.push_back("ST(" + p + ")");
  r.outputs = names.outputs;
  r.tolerance = options.tolerance;
  r.sample_sizes = doubling_sizes(outputs.rows() / (k + 2), options.steps, 2, "base rows");
  SobolOptions no_intervals;
  no_intervals.resamples = 0;
  for (const Eigen::Index n : r.sample_sizes) {
    const auto s = sobol_indices(outputs.topRows(n * (k + 2)), k, names, no_intervals);
    Eigen::MatrixXd v(2 * k, outputs.cols());
    v << s.first, s.total;
    r.values.push_back(std::move(v));
  }
  judge(r, "Sobol' indices", "base rows");
  return r;
}

}  // namespace tmex::analysis
