// Column transforms, centring and the Gram-matrix correlation.
#include "analysis/correlation_matrix.hpp"

#include <Eigen/Core>
#include <cmath>
#include <limits>

#include "analysis/analysis_error.hpp"
#include "analysis/rank_matrix.hpp"
#include "analysis/ranks.hpp"

namespace tmex::analysis {

namespace {

// Subtracts the mean; the second pass removes the rounding error of the first mean, which
// matters when the spread of the values is small next to their magnitude.
void centre_raw(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> out,
                const std::string& name) {
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) {
      throw AnalysisError("column '" + name + "' has NaN in row " + std::to_string(i) +
                          "; drop incomplete rows before analysis");
    }
  }
  const double mean = x.mean();
  out = x.array() - mean;
  out.array() -= out.mean();
}

}  // namespace

Eigen::MatrixXd centred_columns(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                const Eigen::Ref<const Eigen::MatrixXd>& outputs, Scale scale,
                                const Labels& labels) {
  const Eigen::Index n = inputs.rows();
  const Eigen::Index k = inputs.cols();
  const Eigen::Index m = outputs.cols();
  if (outputs.rows() != n) {
    throw AnalysisError("inputs have " + std::to_string(n) + " rows but outputs have " +
                        std::to_string(outputs.rows()));
  }
  if (n < 2) throw AnalysisError("need at least 2 rows, got " + std::to_string(n));
  Eigen::MatrixXd z(n, k + m);
  for (Eigen::Index j = 0; j < k + m; ++j) {
    const auto& name = j < k ? labels.parameters[static_cast<std::size_t>(j)]
                             : labels.outputs[static_cast<std::size_t>(j - k)];
    const auto source = j < k ? inputs.col(j) : outputs.col(j - k);
    if (scale == Scale::kRank) {
      centred_ranks(source, z.col(j));
    } else {
      centre_raw(source, z.col(j), name);
    }
    // Exact zeros for a constant column, so that its variance is exactly 0 and not rounding.
    if ((source.array() == source[0]).all()) {
      if (j < k) {
        throw AnalysisError("parameter '" + name + "' is constant over all " + std::to_string(n) +
                            " rows");
      }
      z.col(j).setZero();
    }
  }
  return z;
}

Eigen::MatrixXd correlation_of_centred(const Eigen::Ref<const Eigen::MatrixXd>& centred) {
  const Eigen::Index p = centred.cols();
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(p, p);
  gram.selfadjointView<Eigen::Lower>().rankUpdate(centred.transpose());
  return correlation_from_gram(gram.selfadjointView<Eigen::Lower>());
}

}  // namespace tmex::analysis
