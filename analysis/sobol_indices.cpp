// Saltelli 2010 first-order and Jansen 1999 total estimators with row-bootstrap intervals.
#include "analysis/sobol_indices.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/analysis_error.hpp"
#include "analysis/bootstrap.hpp"
#include "analysis/parallel.hpp"

namespace tmex::analysis {

namespace {

// Per base row, the terms whose means make up the estimators of one output: column i < k is
// f_B (f_ABi - f_A), column k + i is (f_A - f_ABi)^2 / 2, then f_A + f_B and f_A^2 + f_B^2;
// f is centred first, which removes the mean's contribution to the estimators' variance.
Eigen::MatrixXd row_terms(const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Index n,
                          Eigen::Index k) {
  const Eigen::Index stride = k + 2;
  double mean = 0.0;
  for (Eigen::Index j = 0; j < n; ++j) mean += y[j * stride] + y[j * stride + k + 1];
  mean /= static_cast<double>(2 * n);
  Eigen::MatrixXd terms(n, 2 * k + 2);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double fa = y[j * stride] - mean;
    const double fb = y[j * stride + k + 1] - mean;
    for (Eigen::Index i = 0; i < k; ++i) {
      const double fab = y[j * stride + 1 + i] - mean;
      terms(j, i) = fb * (fab - fa);
      terms(j, k + i) = 0.5 * (fa - fab) * (fa - fab);
    }
    terms(j, 2 * k) = fa + fb;
    terms(j, 2 * k + 1) = fa * fa + fb * fb;
  }
  return terms;
}

// Indices (first k, then total k) and V from the weighted sums of row terms; weights are the
// number of times each base row is drawn (all 1 for the estimate itself).
Eigen::VectorXd indices_from_sums(const Eigen::VectorXd& sums, double rows, Eigen::Index k) {
  const double mean = sums[2 * k] / (2.0 * rows);
  const double variance = sums[2 * k + 1] / (2.0 * rows) - mean * mean;
  Eigen::VectorXd out(2 * k + 1);
  out.head(2 * k) = sums.head(2 * k) / rows / variance;
  out[2 * k] = variance;
  return out;
}

}  // namespace

SobolIndices sobol_indices(const Eigen::Ref<const Eigen::MatrixXd>& outputs, Eigen::Index k,
                           const Labels& labels, const SobolOptions& options) {
  if (k < 1)
    throw AnalysisError("sobol_indices: need at least one parameter, got k = " + std::to_string(k));
  if (outputs.rows() % (k + 2) != 0) {
    throw AnalysisError("sobol_indices: " + std::to_string(outputs.rows()) +
                        " rows is not a multiple of k + 2 = " + std::to_string(k + 2));
  }
  const Eigen::Index n = outputs.rows() / (k + 2);
  if (n < 2)
    throw AnalysisError("sobol_indices: need at least 2 base rows, got " + std::to_string(n));
  if (options.resamples < 0 || !(options.confidence > 0.0 && options.confidence < 1.0)) {
    throw AnalysisError("sobol_indices: resamples must be >= 0 and confidence in (0, 1)");
  }
  if (!outputs.allFinite()) {
    throw AnalysisError(
        "sobol_indices: outputs contain NaN or infinite values; drop the base "
        "rows of failed runs first");
  }
  const Labels names = labels.resolve(k, outputs.cols());
  const Eigen::Index m = outputs.cols();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SobolIndices s;
  s.parameters = names.parameters;
  s.outputs = names.outputs;
  s.base_rows = n;
  s.resamples = options.resamples;
  s.confidence = options.confidence;
  for (auto* mat : {&s.first, &s.first_low, &s.first_high, &s.total, &s.total_low, &s.total_high}) {
    mat->setConstant(k, m, nan);
  }
  s.variance.setConstant(m, nan);

  const Eigen::Index width = 2 * k + 2;
  Eigen::MatrixXd terms(n, m * width);
  for (Eigen::Index o = 0; o < m; ++o)
    terms.middleCols(o * width, width) = row_terms(outputs.col(o), n, k);
  const auto rows = static_cast<double>(n);
  const Eigen::RowVectorXd totals = terms.colwise().sum();
  std::vector<bool> defined(static_cast<std::size_t>(m));
  for (Eigen::Index o = 0; o < m; ++o) {
    const Eigen::VectorXd estimate =
        indices_from_sums(totals.segment(o * width, width).transpose(), rows, k);
    defined[static_cast<std::size_t>(o)] = estimate[2 * k] > 0.0;
    if (!defined[static_cast<std::size_t>(o)]) continue;  // constant output: indices undefined
    s.variance[o] = estimate[2 * k];
    s.first.col(o) = estimate.head(k);
    s.total.col(o) = estimate.segment(k, k);
  }
  if (options.resamples == 0) return s;

  // A resample is a vector of draw counts over the base rows, shared by all outputs; blocks
  // of them turn the resampled sums into one matrix product with bounded memory.
  constexpr int kBlock = 64;
  std::vector<double> replicates(static_cast<std::size_t>(options.resamples * m * 2 * k));
  const auto at = [&](int r, Eigen::Index o, Eigen::Index i) -> double& {
    return replicates[static_cast<std::size_t>((o * 2 * k + i) * options.resamples + r)];
  };
  const int blocks = (options.resamples + kBlock - 1) / kBlock;
  // Each block of resamples draws from its own streams and fills its own replicates.
  parallel_for(static_cast<std::size_t>(blocks), options.threads, [&](std::size_t block) {
    const int first = static_cast<int>(block) * kBlock;
    const int count = std::min(kBlock, options.resamples - first);
    Eigen::MatrixXd weights = Eigen::MatrixXd::Zero(kBlock, n);
    for (int r = 0; r < count; ++r) {
      BootstrapStream stream(options.seed, static_cast<std::uint64_t>(first + r));
      for (Eigen::Index d = 0; d < n; ++d) {
        weights(r, static_cast<Eigen::Index>(stream.below(static_cast<std::uint64_t>(n)))) += 1.0;
      }
    }
    const Eigen::MatrixXd sums = weights.topRows(count) * terms;
    for (int r = 0; r < count; ++r) {
      for (Eigen::Index o = 0; o < m; ++o) {
        const Eigen::VectorXd b =
            indices_from_sums(sums.row(r).segment(o * width, width).transpose(), rows, k);
        for (Eigen::Index i = 0; i < 2 * k; ++i) at(first + r, o, i) = b[i];
      }
    }
  });
  for (Eigen::Index o = 0; o < m; ++o) {
    if (!defined[static_cast<std::size_t>(o)]) continue;
    for (Eigen::Index i = 0; i < 2 * k; ++i) {
      std::vector<double> values(&at(0, o, i), &at(0, o, i) + options.resamples);
      const auto [low, high] = percentile_interval(values, options.confidence);
      auto& lows = i < k ? s.first_low : s.total_low;
      auto& highs = i < k ? s.first_high : s.total_high;
      lows(i % k, o) = low;
      highs(i % k, o) = high;
    }
  }
  return s;
}

}  // namespace tmex::analysis
