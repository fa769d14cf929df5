// AnalysisReport: everything `tmex analyze` found in a campaign, as plain data for the writers.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/convergence.hpp"
#include "analysis/correlation_table.hpp"
#include "analysis/event_probability.hpp"
#include "analysis/failure_dependence.hpp"
#include "analysis/histogram.hpp"
#include "analysis/morris_effects.hpp"
#include "analysis/partial_correlation.hpp"
#include "analysis/regression_coefficients.hpp"
#include "analysis/sobol_indices.hpp"
#include "analysis/uncertainty_summary.hpp"

namespace tmex::driver {

/// A correlation-type table (PRCC, PCC, Pearson, Spearman) and the method that made it.
struct NamedCorrelation {
  std::string method;  ///< "prcc", "pcc", "pearson", "spearman"
  std::string title;   ///< e.g. "PRCC: partial rank correlation coefficients"
  analysis::CorrelationTable table;
};

/// A standardised regression table (SRC, SRRC) and the method that made it.
struct NamedRegression {
  std::string method;  ///< "src", "srrc"
  std::string title;
  analysis::RegressionTable table;
};

/// P(OUTPUT OP NUMBER) over the successful runs.
struct EventResult {
  std::string expression;  ///< normalised, e.g. "cured == 1"
  analysis::EventProbability probability;
};

/// Failed runs and whether they depend on the inputs (Mann-Whitney U per parameter).
struct FailureReport {
  analysis::FailureDependence test;
  Eigen::VectorXd p_bonferroni;  ///< per parameter, min(1, k p)
  std::string summary;           ///< plain language
};

/// A few rows of parameters and outputs for scatter plots (at most a few thousand, spread
/// evenly over the rows used).
struct ScatterSample {
  std::vector<std::string> parameters;
  std::vector<std::string> outputs;
  Eigen::MatrixXd inputs;
  Eigen::MatrixXd outputs_values;
};

/// The result of `tmex analyze`: the campaign, what was excluded and why, and each method's
/// tables. Sections that did not run are empty.
struct AnalysisReport {
  std::string store;
  std::string campaign;
  std::string model;
  std::string design;         ///< canonical description, as in meta
  std::string design_method;  ///< "lhs", "sobol", "saltelli", "morris", "grid", "file"
  std::uint64_t total_runs = 0;
  std::uint64_t stored_runs = 0;
  std::uint64_t ok_runs = 0;
  std::uint64_t failed_runs = 0;
  std::uint32_t replicates = 1;
  std::uint64_t sensitivity_rows = 0;  ///< rows (samples, base rows or trajectories) analysed
  double confidence = 0.95;
  int resamples = 0;  ///< bootstrap resamples of Sobol' and Morris intervals
  std::uint64_t seed = 0;
  std::vector<std::string> methods;  ///< what ran, in report order
  std::vector<std::string> notes;    ///< sentences on exclusions, averaging, choices

  std::optional<FailureReport> failures;
  std::vector<NamedCorrelation> correlations;
  std::vector<NamedRegression> regressions;
  std::optional<analysis::SobolIndices> sobol;
  std::optional<analysis::MorrisEffects> morris;
  std::vector<analysis::UncertaintySummary> uncertainty;
  std::vector<analysis::Histogram> histograms;  ///< one per entry of `uncertainty`
  std::uint64_t uncertainty_runs = 0;
  std::string uncertainty_intervals;  ///< how the intervals of `uncertainty` were computed
  std::vector<EventResult> events;
  std::vector<analysis::TimeCourseCorrelation> time_courses;
  std::optional<analysis::ConvergenceReport> convergence;
  std::optional<ScatterSample> scatter;
};

}  // namespace tmex::driver
