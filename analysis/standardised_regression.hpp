// Standardised multiple regression of every output on all inputs, from a correlation matrix.
#pragma once

#include <Eigen/Core>

#include "analysis/labels.hpp"

namespace tmex::analysis {

/// The regression of each standardised output on all k standardised inputs.
struct StandardisedRegression {
  Eigen::MatrixXd coefficient;  ///< k x m: beta = C_xx^-1 c_xy (SRC, or SRRC on ranks)
  Eigen::VectorXd r_squared;    ///< m: c_xy' beta
  Eigen::MatrixXd partial;      ///< k x m: partial correlation of input i and output j
};

/// From the joint correlation matrix C of [inputs, outputs] ((k + m) square, from
/// correlation_of_centred), with C_xx the input block factorised once:
///   beta = C_xx^-1 c_xy,  1 - R^2 = 1 - c_xy' beta,
///   partial_i = beta_i / sqrt(beta_i^2 + (1 - R^2) (C_xx^-1)_ii).
/// The last line is -P_iy / sqrt(P_ii P_yy) for P the inverse of the (k + 1) block of C
/// [C_xx c_xy; c_xy' 1], written through its Schur complement: identical in exact arithmetic,
/// one factorisation for all outputs, and finite when an output is an exact linear function
/// of the inputs (then that block is singular and partial_i = sign(beta_i)). Columns of a
/// constant output are NaN. Throws AnalysisError when C_xx is singular or nearly so
/// (reciprocal condition number below 1e-12): inputs that are collinear, naming none.
StandardisedRegression standardised_regression(const Eigen::Ref<const Eigen::MatrixXd>& correlation,
                                               Eigen::Index k);

}  // namespace tmex::analysis
