// Inference for correlation tables: Student-t p-values, Fisher-z intervals, adjustments.
#include "analysis/correlation_table.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

#include "analysis/analysis_error.hpp"
#include "analysis/p_value_adjustment.hpp"

namespace tmex::analysis {

CorrelationTable correlation_table(Eigen::MatrixXd coefficient, const Labels& labels,
                                   Eigen::Index samples, Eigen::Index controlled,
                                   double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw AnalysisError("confidence must be in (0, 1), got " + std::to_string(confidence));
  }
  if (samples - 3 - controlled < 1) {
    throw AnalysisError("correlation: " + std::to_string(samples) + " rows are too few with " +
                        std::to_string(controlled) + " controlled parameters; need at least " +
                        std::to_string(controlled + 4));
  }
  CorrelationTable t;
  t.parameters = labels.parameters;
  t.outputs = labels.outputs;
  t.samples = samples;
  t.controlled = controlled;
  t.degrees_of_freedom = static_cast<double>(samples - 2 - controlled);
  t.confidence = confidence;

  const double df = t.degrees_of_freedom;
  const boost::math::students_t student(df);
  const double z_crit =
      boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 * (1.0 + confidence));
  const double se = 1.0 / std::sqrt(static_cast<double>(samples - 3 - controlled));
  const double nan = std::numeric_limits<double>::quiet_NaN();

  const auto rows = coefficient.rows();
  const auto cols = coefficient.cols();
  t.t_statistic.resize(rows, cols);
  t.p_value.resize(rows, cols);
  t.ci_low.resize(rows, cols);
  t.ci_high.resize(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      const double r = coefficient(i, j);
      if (std::isnan(r)) {
        t.t_statistic(i, j) = t.p_value(i, j) = t.ci_low(i, j) = t.ci_high(i, j) = nan;
        continue;
      }
      const double one_minus_r2 = (1.0 - r) * (1.0 + r);
      if (one_minus_r2 <= 0.0) {
        t.t_statistic(i, j) = std::copysign(std::numeric_limits<double>::infinity(), r);
        t.p_value(i, j) = 0.0;
        t.ci_low(i, j) = t.ci_high(i, j) = std::copysign(1.0, r);
        continue;
      }
      const double stat = r * std::sqrt(df / one_minus_r2);
      t.t_statistic(i, j) = stat;
      t.p_value(i, j) = 2.0 * boost::math::cdf(boost::math::complement(student, std::abs(stat)));
      const double z = std::atanh(r);
      t.ci_low(i, j) = std::tanh(z - z_crit * se);
      t.ci_high(i, j) = std::tanh(z + z_crit * se);
    }
  }
  t.coefficient = std::move(coefficient);
  t.p_bonferroni = bonferroni(t.p_value);
  t.p_bh = benjamini_hochberg(t.p_value);
  return t;
}

}  // namespace tmex::analysis
