// Simple (marginal) correlations of each parameter with each output: Pearson and Spearman.
#pragma once

#include <Eigen/Core>

#include "analysis/correlation_table.hpp"
#include "analysis/labels.hpp"

namespace tmex::analysis {

/// Pearson correlation of every input column with every output column (N x k and N x m,
/// NaN-free), with t-test p-values (df = N - 2), Fisher-z intervals (se = 1 / sqrt(N - 3)) at
/// `confidence`, and adjustments across the table. Throws AnalysisError for mismatched
/// shapes, NaN, a constant input, or N < 4.
CorrelationTable pearson(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                         const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                         const Labels& labels = {}, double confidence = 0.95);

/// Spearman rank correlation (Pearson on average ranks); inference as pearson(), which is the
/// usual large-sample approximation for ranks.
CorrelationTable spearman(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                          const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                          const Labels& labels = {}, double confidence = 0.95);

}  // namespace tmex::analysis
