// Standardised regression coefficients on values (SRC) and on ranks (SRRC).
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "analysis/labels.hpp"

namespace tmex::analysis {

/// A parameters x outputs table of standardised regression coefficients with the R^2 of
/// each output's regression (how much of its variance, or rank variance, the linear model
/// explains: SRC^2 sum to about R^2 for independent inputs).
struct RegressionTable {
  std::vector<std::string> parameters;
  std::vector<std::string> outputs;
  Eigen::MatrixXd coefficient;  ///< k x m; NaN columns for a constant output
  Eigen::VectorXd r_squared;    ///< m
  Eigen::Index samples = 0;
};

/// Standardised regression coefficients: b_i sd(x_i) / sd(y) for the least-squares fit of
/// y on all inputs with an intercept (Saltelli et al. 2008, ch. 1.2.5). inputs N x k, outputs
/// N x m, NaN-free. Throws AnalysisError for mismatched shapes, NaN, a constant input,
/// collinear inputs, or N < k + 2.
RegressionTable src(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                    const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels = {});

/// src() on average ranks (standardised rank regression coefficients).
RegressionTable srrc(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                     const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels = {});

}  // namespace tmex::analysis
