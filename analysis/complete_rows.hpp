// Dropping incomplete rows (failed runs) before analysis, and saying how many were dropped.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace tmex::analysis {

/// The rows of (inputs, outputs) without a NaN, and which rows they were.
struct CompleteRows {
  Eigen::MatrixXd inputs;
  Eigen::MatrixXd outputs;
  std::vector<Eigen::Index> kept;  ///< original row of each kept row, ascending
  Eigen::Index dropped = 0;        ///< rows with a NaN in inputs or outputs
};

/// Keeps the rows with no NaN in either matrix. Every analysis takes clean matrices: callers
/// drop failed runs with this (or by status) and report `dropped`. Not for Saltelli or Morris
/// designs, whose row blocks must stay whole. Throws AnalysisError when the row counts differ.
CompleteRows complete_rows(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                           const Eigen::Ref<const Eigen::MatrixXd>& outputs);

}  // namespace tmex::analysis
