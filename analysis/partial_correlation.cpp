// PCC and PRCC through the joint correlation matrix or through residual regressions.
#include "analysis/partial_correlation.hpp"

#include <Eigen/QR>
#include <cmath>
#include <limits>
#include <sstream>

#include "analysis/analysis_error.hpp"
#include "analysis/correlation_matrix.hpp"
#include "analysis/parallel.hpp"
#include "analysis/standardised_regression.hpp"

namespace tmex::analysis {

namespace {

// Residual-regression formulation on centred columns z = [x, y] (k inputs first).
Eigen::MatrixXd partial_by_residuals(const Eigen::MatrixXd& z, Eigen::Index k) {
  const Eigen::Index n = z.rows();
  const Eigen::Index m = z.cols() - k;
  Eigen::MatrixXd partial(k, m);
  Eigen::MatrixXd design(n, k);
  Eigen::MatrixXd targets(n, 1 + m);
  for (Eigen::Index i = 0; i < k; ++i) {
    design.col(0).setOnes();
    for (Eigen::Index j = 0, c = 1; j < k; ++j) {
      if (j != i) design.col(c++) = z.col(j);
    }
    targets.col(0) = z.col(i);
    targets.rightCols(m) = z.rightCols(m);
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(design);
    const Eigen::MatrixXd residual = targets - design * qr.solve(targets);
    const double norm_x = residual.col(0).norm();
    for (Eigen::Index o = 0; o < m; ++o) {
      const double norm_y = residual.col(1 + o).norm();
      partial(i, o) = norm_y > 0.0 ? residual.col(0).dot(residual.col(1 + o)) / (norm_x * norm_y)
                                   : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return partial;
}

// Partial correlations of k parameters need at least one parameter and k + 3 rows.
void check_rows(Eigen::Index rows, Eigen::Index k) {
  if (k < 1) throw AnalysisError("partial correlation needs at least one parameter");
  if (rows < k + 3) {
    throw AnalysisError("partial correlation of " + std::to_string(k) +
                        " parameters needs at least " + std::to_string(k + 3) + " rows, got " +
                        std::to_string(rows));
  }
}

CorrelationTable partial_correlation(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                     const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                     const Labels& labels, const PartialCorrelationOptions& options,
                                     Scale scale) {
  const Eigen::Index k = inputs.cols();
  const Labels names = labels.resolve(k, outputs.cols());
  check_rows(inputs.rows(), k);
  const Eigen::MatrixXd z = centred_columns(inputs, outputs, scale, names);
  Eigen::MatrixXd coefficient;
  if (options.method == PartialCorrelationMethod::kResidualRegression) {
    // Collinear inputs would only show as meaningless residuals here; reject them the same way.
    standardised_regression(correlation_of_centred(z.leftCols(k)), k);
    coefficient = partial_by_residuals(z, k);
  } else {
    coefficient = standardised_regression(correlation_of_centred(z), k).partial;
  }
  return correlation_table(std::move(coefficient), names, inputs.rows(), k - 1, options.confidence);
}

}  // namespace

CorrelationTable prcc(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                      const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels,
                      const PartialCorrelationOptions& options) {
  if (options.method == PartialCorrelationMethod::kResidualRegression) {
    return partial_correlation(inputs, outputs, labels, options, Scale::kRank);
  }
  const Labels names = labels.resolve(inputs.cols(), outputs.cols());
  check_rows(inputs.rows(), inputs.cols());
  return prcc(rank_inputs_and_outputs(inputs, outputs, options.threads), inputs.cols(), names,
              options);
}

CorrelationTable prcc(const RankMatrix& ranks, Eigen::Index k, const Labels& labels,
                      const PartialCorrelationOptions& options) {
  const Labels names = labels.resolve(k, ranks.cols() - k);
  check_rows(ranks.rows(), k);
  for (Eigen::Index j = 0; j < k; ++j) {
    if (ranks.constant(j)) {
      throw AnalysisError("parameter '" + names.parameters[static_cast<std::size_t>(j)] +
                          "' is constant over all " + std::to_string(ranks.rows()) + " rows");
    }
  }
  Eigen::MatrixXd coefficient =
      standardised_regression(ranks.correlation(options.threads), k).partial;
  return correlation_table(std::move(coefficient), names, ranks.rows(), k - 1, options.confidence);
}

RankMatrix rank_inputs_and_outputs(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                   const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                   unsigned threads) {
  if (outputs.rows() != inputs.rows()) {
    throw AnalysisError("inputs have " + std::to_string(inputs.rows()) + " rows but outputs have " +
                        std::to_string(outputs.rows()));
  }
  const Eigen::Index k = inputs.cols();
  RankMatrix ranks(inputs.rows(), k + outputs.cols());
  parallel_for(static_cast<std::size_t>(ranks.cols()), threads, [&](std::size_t jj) {
    const auto j = static_cast<Eigen::Index>(jj);
    // A column of a Ref<const MatrixXd> is contiguous (inner stride 1): ranked in place.
    const double* column = j < k ? inputs.col(j).data() : outputs.col(j - k).data();
    ranks.rank_column(j, {column, static_cast<std::size_t>(inputs.rows())});
  });
  return ranks;
}

CorrelationTable pcc(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                     const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels,
                     const PartialCorrelationOptions& options) {
  return partial_correlation(inputs, outputs, labels, options, Scale::kRaw);
}

TimeCourseCorrelation prcc_over_time(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                     const Eigen::Ref<const Eigen::MatrixXd>& trajectories,
                                     std::span<const double> times, const std::string& variable,
                                     const std::vector<std::string>& parameters,
                                     const PartialCorrelationOptions& options) {
  if (static_cast<Eigen::Index>(times.size()) != trajectories.cols()) {
    throw AnalysisError("prcc_over_time: " + std::to_string(times.size()) + " times for " +
                        std::to_string(trajectories.cols()) + " trajectory columns");
  }
  Labels labels{parameters, {}};
  for (double t : times) {
    std::ostringstream name;
    name << variable << "@t=" << t;
    labels.outputs.push_back(name.str());
  }
  return TimeCourseCorrelation{variable, std::vector<double>(times.begin(), times.end()),
                               prcc(inputs, trajectories, labels, options)};
}

}  // namespace tmex::analysis
