// Pearson and Spearman tables from the joint correlation matrix.
#include "analysis/correlation.hpp"

#include "analysis/correlation_matrix.hpp"

namespace tmex::analysis {

namespace {

CorrelationTable marginal(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                          const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels,
                          double confidence, Scale scale) {
  const Eigen::Index k = inputs.cols();
  const Labels names = labels.resolve(k, outputs.cols());
  const Eigen::MatrixXd c = correlation_of_centred(centred_columns(inputs, outputs, scale, names));
  return correlation_table(c.topRightCorner(k, outputs.cols()), names, inputs.rows(), 0,
                           confidence);
}

}  // namespace

CorrelationTable pearson(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                         const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels,
                         double confidence) {
  return marginal(inputs, outputs, labels, confidence, Scale::kRaw);
}

CorrelationTable spearman(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                          const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels,
                          double confidence) {
  return marginal(inputs, outputs, labels, confidence, Scale::kRank);
}

}  // namespace tmex::analysis
