// The campaign-analysis pipeline: from a RunTable and a plan to every result a report shows.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis_request.hpp"
#include "analysis/campaign.hpp"
#include "analysis/checkpoint_path.hpp"
#include "analysis/convergence.hpp"
#include "analysis/correlation_table.hpp"
#include "analysis/event_probability.hpp"
#include "analysis/failure_dependence.hpp"
#include "analysis/histogram.hpp"
#include "analysis/morris_effects.hpp"
#include "analysis/partial_correlation.hpp"
#include "analysis/regression_coefficients.hpp"
#include "analysis/run_table.hpp"
#include "analysis/sobol_indices.hpp"
#include "analysis/uncertainty_summary.hpp"
#include "analysis/value_scale.hpp"

namespace tmex::analysis {

/// The coefficient a correlation-type table holds.
enum class Coefficient { kPrcc, kPcc, kPearson, kSpearman, kSrc, kSrrc };

/// "prcc", "pcc", "pearson", "spearman", "src", "srrc".
std::string coefficient_name(Coefficient coefficient);

/// A correlation table (PRCC, PCC, Pearson, Spearman) and its coefficient.
struct CorrelationResult {
  Coefficient coefficient = Coefficient::kPrcc;
  CorrelationTable table;
};

/// A standardised regression table (SRC, SRRC) and its coefficient.
struct RegressionResult {
  Coefficient coefficient = Coefficient::kSrc;
  RegressionTable table;
};

/// Failed runs and whether they depend on the inputs.
struct FailureAnalysis {
  FailureDependence test;         ///< Mann-Whitney U per parameter (with Bonferroni p)
  std::uint64_t stored_runs = 0;  ///< runs stored, failed or not
  std::uint64_t compared_ok = 0;  ///< successful runs the failed ones were compared with
  std::uint64_t ok_runs = 0;      ///< successful runs in all (compared_ok may be a subset)
  std::string summary;            ///< the account in words (describe())
};

/// P(event) over the runs the uncertainty summary uses.
struct EventResult {
  Event event;
  EventProbability probability;
};

/// Every analysed output's distribution.
struct UncertaintyResult {
  std::uint64_t runs = 0;  ///< runs summarised (all replicates; Saltelli: the A and B rows)
  std::vector<UncertaintySummary> summaries;  ///< one per output with at least 2 values
  std::vector<Histogram> histograms;          ///< one per summary
  SummaryIntervals intervals = SummaryIntervals::kBootstrap;
  int resamples = 0;  ///< of bootstrap intervals
};

/// A few rows of parameters and outputs for scatter plots (at most the plan's scatter_rows,
/// spread evenly over the rows analysed).
struct ScatterSample {
  std::vector<std::string> parameters;
  std::vector<std::string> outputs;
  Eigen::MatrixXd inputs;
  Eigen::MatrixXd outputs_values;
  std::vector<bool> parameter_log;        ///< per parameter: log-scaled distribution
  std::vector<ValueScale> output_scales;  ///< per output, over every analysed row
  /// For each binary output (else empty): P(output = 1) in kProbabilityBins equal-count bins of
  /// each parameter, over every analysed row: binned[output][parameter].
  std::vector<std::vector<std::vector<ProbabilityBin>>> binned;
};

/// Bins of a parameter for the probability of a 0/1 output along it.
inline constexpr int kProbabilityBins = 10;

/// Everything an analysis of a campaign found: the plan it followed, what it excluded and why,
/// and each method's results. Sections that did not run are empty. A plain value; report/
/// renders it.
struct CampaignAnalysis {
  CampaignInfo campaign;
  AnalysisPlan plan;
  std::uint64_t stored_runs = 0;
  std::uint64_t ok_runs = 0;
  std::uint64_t failed_runs = 0;
  std::uint64_t sensitivity_rows = 0;  ///< samples, base rows or trajectories analysed
  std::vector<std::string> notes;      ///< sentences on exclusions, averaging, choices
  /// Sentences on results that cannot be trusted (too few samples for the method, a constant
  /// output): shown before the results.
  std::vector<std::string> warnings;

  std::optional<FailureAnalysis> failures;
  std::vector<CorrelationResult> correlations;
  std::vector<RegressionResult> regressions;
  std::optional<SobolIndices> sobol;
  std::optional<MorrisEffects> morris;
  std::optional<ConvergenceReport> convergence;
  std::vector<TimeCourseCorrelation> time_courses;
  std::optional<UncertaintyResult> uncertainty;
  std::vector<EventResult> events;
  std::optional<ScatterSample> scatter;
  /// A campaign that stops itself: its recorded checks (set by whoever read them with the runs;
  /// analyse_campaign() leaves it empty).
  std::optional<CheckpointPath> checkpoints;
};

/// Runs the plan on `runs`: selects the successful runs with every needed value, tests whether
/// failures depend on the inputs, averages replicates for sensitivity, runs the sensitivity
/// method that fits the design with its convergence check, then the uncertainty summary and
/// events (pipeline_stages.hpp has each stage). `runs` must hold the plan's columns and the
/// runs of one arm (per-arm analyses and contrasts between arms are built on the stages). Cheap
/// to call again on a grown table: nothing is cached between calls. Throws AnalysisError when
/// the data cannot be analysed (no successful run, too few whole base rows or trajectories, a
/// collinear design, runs of several arms), naming the problem.
CampaignAnalysis analyse_campaign(const CampaignInfo& campaign, const RunTable& runs,
                                  const AnalysisPlan& plan);

}  // namespace tmex::analysis
