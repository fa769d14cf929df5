// CorrelationTable: coefficients of parameters against outputs with their inference.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "analysis/labels.hpp"

namespace tmex::analysis {

/// A parameters x outputs table of correlation-type coefficients (Pearson, Spearman, PCC,
/// PRCC) with two-sided p-values, Fisher-z confidence intervals and p-values adjusted across
/// the whole table. Entry (i, j) is parameter i against output j. An entry is NaN where it
/// is undefined (a constant output); NaN p-values are left out of the adjustments.
struct CorrelationTable {
  std::vector<std::string> parameters;
  std::vector<std::string> outputs;
  Eigen::MatrixXd coefficient;
  Eigen::MatrixXd t_statistic;  ///< r sqrt(df / (1 - r^2))
  Eigen::MatrixXd p_value;      ///< two-sided, Student t with `degrees_of_freedom`
  Eigen::MatrixXd ci_low;       ///< Fisher-z interval at `confidence`
  Eigen::MatrixXd ci_high;
  Eigen::MatrixXd p_bonferroni;     ///< min(1, p * M), M the number of finite p-values
  Eigen::MatrixXd p_bh;             ///< Benjamini-Hochberg (1995) adjusted p-values
  Eigen::Index samples = 0;         ///< N, the rows used
  Eigen::Index controlled = 0;      ///< parameters held fixed: k - 1 for partial, 0 otherwise
  double degrees_of_freedom = 0.0;  ///< N - 2 - controlled
  double confidence = 0.95;
};

/// Builds a table from coefficients (k x m, labels already resolved) by adding, per entry,
/// t = r sqrt(df / (1 - r^2)) with df = samples - 2 - controlled, the two-sided Student-t
/// p-value, the Fisher-z interval tanh(atanh(r) -/+ z_{(1+c)/2} / sqrt(samples - 3 -
/// controlled)), and the Bonferroni and Benjamini-Hochberg adjustments over the whole table.
/// |r| = 1 gives p = 0 and a degenerate interval. Throws AnalysisError when samples - 3 -
/// controlled < 1 or confidence is not in (0, 1).
CorrelationTable correlation_table(Eigen::MatrixXd coefficient, const Labels& labels,
                                   Eigen::Index samples, Eigen::Index controlled,
                                   double confidence);

}  // namespace tmex::analysis
