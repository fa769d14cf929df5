// Standardised regression and partial correlations through one Cholesky factorisation.
#include "analysis/standardised_regression.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/analysis_error.hpp"

namespace tmex::analysis {

StandardisedRegression standardised_regression(const Eigen::Ref<const Eigen::MatrixXd>& correlation,
                                               Eigen::Index k) {
  const Eigen::Index m = correlation.cols() - k;
  if (k < 1 || m < 0 || correlation.rows() != correlation.cols()) {
    throw AnalysisError("standardised_regression: need a square matrix with at least " +
                        std::to_string(k) + " input columns");
  }
  const Eigen::LLT<Eigen::MatrixXd> llt(correlation.topLeftCorner(k, k));
  if (llt.info() != Eigen::Success || !(llt.rcond() > 1e-12)) {
    throw AnalysisError(
        "the inputs are collinear (their correlation matrix is singular); "
        "remove parameters that are functions of others");
  }
  const Eigen::VectorXd inverse_diagonal = llt.solve(Eigen::MatrixXd::Identity(k, k)).diagonal();
  StandardisedRegression out;
  // Eigen's triangular solve dereferences the data of an empty right-hand side.
  out.coefficient =
      m > 0 ? Eigen::MatrixXd(llt.solve(correlation.topRightCorner(k, m))) : Eigen::MatrixXd(k, 0);
  out.r_squared.resize(m);
  out.partial.resize(k, m);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (Eigen::Index o = 0; o < m; ++o) {
    const auto c = correlation.col(k + o).head(k);
    if (std::isnan(correlation(k + o, k + o))) {
      out.coefficient.col(o).setConstant(nan);
      out.r_squared[o] = nan;
      out.partial.col(o).setConstant(nan);
      continue;
    }
    const double r2 = c.dot(out.coefficient.col(o));
    out.r_squared[o] = r2;
    // Rounding can push 1 - R^2 a hair below 0 for an output that is exactly linear.
    const double unexplained = std::max(0.0, 1.0 - r2);
    for (Eigen::Index i = 0; i < k; ++i) {
      const double b = out.coefficient(i, o);
      const double denominator = std::sqrt(b * b + unexplained * inverse_diagonal[i]);
      out.partial(i, o) = denominator > 0.0 ? b / denominator : 0.0;
    }
  }
  return out;
}

}  // namespace tmex::analysis
