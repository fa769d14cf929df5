// complete_rows: NaN filtering of matched input and output rows.
#include "analysis/complete_rows.hpp"

#include "analysis/analysis_error.hpp"

namespace tmex::analysis {

CompleteRows complete_rows(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                           const Eigen::Ref<const Eigen::MatrixXd>& outputs) {
  if (inputs.rows() != outputs.rows()) {
    throw AnalysisError("complete_rows: inputs have " + std::to_string(inputs.rows()) +
                        " rows but outputs have " + std::to_string(outputs.rows()));
  }
  CompleteRows out;
  for (Eigen::Index i = 0; i < inputs.rows(); ++i) {
    if (!inputs.row(i).hasNaN() && !outputs.row(i).hasNaN()) out.kept.push_back(i);
  }
  out.dropped = inputs.rows() - static_cast<Eigen::Index>(out.kept.size());
  out.inputs = inputs(out.kept, Eigen::all);
  out.outputs = outputs(out.kept, Eigen::all);
  return out;
}

}  // namespace tmex::analysis
