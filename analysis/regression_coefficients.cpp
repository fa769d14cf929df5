// SRC and SRRC from the joint correlation matrix.
#include "analysis/regression_coefficients.hpp"

#include "analysis/analysis_error.hpp"
#include "analysis/correlation_matrix.hpp"
#include "analysis/standardised_regression.hpp"

namespace tmex::analysis {

namespace {

RegressionTable regression(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                           const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels,
                           Scale scale) {
  const Eigen::Index k = inputs.cols();
  const Labels names = labels.resolve(k, outputs.cols());
  if (k < 1) throw AnalysisError("regression needs at least one parameter");
  if (inputs.rows() < k + 2) {
    throw AnalysisError("regression on " + std::to_string(k) + " parameters needs at least " +
                        std::to_string(k + 2) + " rows, got " + std::to_string(inputs.rows()));
  }
  auto fit = standardised_regression(
      correlation_of_centred(centred_columns(inputs, outputs, scale, names)), k);
  return RegressionTable{names.parameters, names.outputs, std::move(fit.coefficient),
                         std::move(fit.r_squared), inputs.rows()};
}

}  // namespace

RegressionTable src(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                    const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels) {
  return regression(inputs, outputs, labels, Scale::kRaw);
}

RegressionTable srrc(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                     const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels) {
  return regression(inputs, outputs, labels, Scale::kRank);
}

}  // namespace tmex::analysis
