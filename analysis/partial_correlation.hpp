// Partial correlation coefficients: PCC on values and PRCC on ranks, with inference.
#pragma once

#include <Eigen/Core>
#include <span>
#include <string>
#include <vector>

#include "analysis/correlation_table.hpp"
#include "analysis/labels.hpp"
#include "analysis/rank_matrix.hpp"

namespace tmex::analysis {

/// How partial correlations are computed. Both give the same numbers (to about 1e-12).
enum class PartialCorrelationMethod {
  /// From the inverse of the joint correlation matrix (see standardised_regression):
  /// one O(N (k + m)^2) pass over the data. The default.
  kCorrelationInverse,
  /// Regress input i and each output on the other k - 1 inputs with an intercept by least
  /// squares (QR) and correlate the residuals: O(N k^2) per input. A reference.
  kResidualRegression,
};

struct PartialCorrelationOptions {
  double confidence = 0.95;  ///< of the Fisher-z intervals
  PartialCorrelationMethod method = PartialCorrelationMethod::kCorrelationInverse;
  unsigned threads = 1;  ///< for ranking and the correlation matrix (0: all cores); same result
};

/// Partial rank correlation coefficients (Marino et al. 2008): the correlation of the ranks of
/// input i and of output j after removing the linear effect of the ranks of the other k - 1
/// inputs. inputs is N x k, outputs N x m, rows matched; both must be free of NaN (drop
/// failed runs first: complete_rows.hpp). Inference with df = N - 2 - (k - 1) and Fisher-z
/// standard error 1 / sqrt(N - 3 - (k - 1)); adjustments across the whole k x m table.
/// Memory: one N x (k + m) matrix of ranks besides the arguments. Throws AnalysisError for
/// mismatched shapes, NaN, a constant input, collinear inputs, or N < k + 3.
CorrelationTable prcc(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                      const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels = {},
                      const PartialCorrelationOptions& options = {});

/// prcc() from ranks made beforehand: columns 0..k-1 of `ranks` are the inputs, the others the
/// outputs (labels resolved for them). The same numbers as prcc() on the ranked data (to
/// rounding); `options.method` is ignored (always kCorrelationInverse). Throws as prcc().
CorrelationTable prcc(const RankMatrix& ranks, Eigen::Index k, const Labels& labels = {},
                      const PartialCorrelationOptions& options = {});

/// The ranks prcc() works on: every column of `inputs` and then of `outputs`, ranked on up to
/// `threads` threads. Throws AnalysisError for mismatched shapes or a NaN.
RankMatrix rank_inputs_and_outputs(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                   const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                   unsigned threads = 1);

/// Partial correlation coefficients on the values themselves; otherwise as prcc().
CorrelationTable pcc(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                     const Eigen::Ref<const Eigen::MatrixXd>& outputs, const Labels& labels = {},
                     const PartialCorrelationOptions& options = {});

/// PRCC of one output variable recorded at several times.
struct TimeCourseCorrelation {
  std::string variable;
  std::vector<double> times;
  CorrelationTable table;  ///< k x T; output j is "variable@t=times[j]"
};

/// prcc() of each column of `trajectories` (N x T: column j is the variable at times[j]),
/// with p-values adjusted across all parameters and times together. Throws AnalysisError
/// when times.size() != T, and as prcc().
TimeCourseCorrelation prcc_over_time(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                     const Eigen::Ref<const Eigen::MatrixXd>& trajectories,
                                     std::span<const double> times, const std::string& variable,
                                     const std::vector<std::string>& parameters = {},
                                     const PartialCorrelationOptions& options = {});

}  // namespace tmex::analysis
