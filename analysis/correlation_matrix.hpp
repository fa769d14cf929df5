// Centred data columns and their correlation matrix: the single pass over the data that
// every correlation-type sensitivity measure shares.
#pragma once

#include <Eigen/Core>

#include "analysis/labels.hpp"

namespace tmex::analysis {

/// Which values a statistic correlates.
enum class Scale {
  kRaw,   ///< the values themselves (Pearson, PCC, SRC)
  kRank,  ///< average ranks (Spearman, PRCC, SRRC)
};

/// Returns [inputs, outputs] (N x (k + m), column-major) with every column transformed by
/// `scale` and centred. Raw columns are centred with a corrected two-pass mean; rank columns
/// are centred exactly (see centred_ranks). Throws AnalysisError when the row counts differ,
/// N < 2, a value is NaN, or an input is constant (named from `labels`, already resolved).
Eigen::MatrixXd centred_columns(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                const Eigen::Ref<const Eigen::MatrixXd>& outputs, Scale scale,
                                const Labels& labels);

/// Pearson correlation matrix of centred columns, from their Gram matrix (one symmetric rank
/// update over the data: O(N p^2 / 2) for p columns). Rows and columns of constant columns
/// are NaN, the diagonal otherwise exactly 1.
Eigen::MatrixXd correlation_of_centred(const Eigen::Ref<const Eigen::MatrixXd>& centred);

}  // namespace tmex::analysis
