// `tmex analyze`: check the options, read the store, call analysis/, then report/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/arms_analysis.hpp"
#include "analysis/campaign_analysis.hpp"
#include "report/report_model.hpp"

namespace tmex::driver {

/// The options of `tmex analyze`, as given on the command line.
struct AnalyzeOptions {
  std::string db_path;
  /// "auto" (the methods that fit the design) or a method name (analysis::parse_method).
  std::string method = "auto";
  std::vector<std::string> outputs;  ///< comma-separated lists; empty: every stored output
  std::string format = "table";      ///< "table", "csv", "json", "markdown"
  std::string out;                   ///< empty or "-": standard output
  std::string plots_dir;             ///< empty: no plots
  std::vector<std::string> events;   ///< "OUTPUT OP NUMBER"
  double confidence = 0.95;
  std::optional<int> bootstrap;       ///< resamples; default 1000 (fewer for huge summaries)
  std::optional<std::uint64_t> seed;  ///< of the bootstrap; default the campaign's seed
  /// Campaigns with arms: "ARM" (against the first arm) or "ARM:REFERENCE"; empty: every arm
  /// against the first.
  std::vector<std::string> contrasts;
  /// "lower" or "higher" (every output whose model declares no better direction), or
  /// "OUTPUT=lower|higher" (one output, over the model's declaration).
  std::vector<std::string> better;
  /// "X" (every output) or "OUTPUT=X": differences within +-X count as unchanged.
  std::vector<std::string> margins;
  analysis::ConvergenceCriteria convergence;  ///< --tolerance (half-width), --stable-top
  /// Whether --tolerance and --stable-top were given; where not, a campaign that stops itself
  /// is judged by its own convergence.halfwidth and convergence.stable_top.
  bool tolerance_given = true;
  bool stable_top_given = true;
  bool scatter = false;  ///< keep the rows of scatter and probability figures (also with plots)
  std::size_t scatter_rows = 2000;  ///< points of a scatter plot
};

/// Reads the store at options.db_path and analyses it as the options ask. Throws UsageError
/// (exit 2) for bad options, a missing file or one that is not a tmex store, unknown outputs,
/// bad events, a method that does not fit the design (with the reason), a store with arms
/// (analyze_arms_store) or contrast options for one without; analysis::AnalysisError when the
/// data cannot be analysed; storage::StorageError.
analysis::CampaignAnalysis analyze_store(const AnalyzeOptions& options);

/// analyze_store() of a store whose campaign has arms: each arm's analysis and the contrasts
/// the options ask for. Throws as analyze_store(), and UsageError for a store without arms or
/// bad contrast options (an unknown arm, a bad --better).
analysis::ArmsAnalysis analyze_arms_store(const AnalyzeOptions& options);

/// A store's analysis as a report, with the campaign it describes.
struct StoreReport {
  analysis::CampaignInfo campaign;
  report::Report report;
};

/// The report of the store at options.db_path: report::build_arms_report(analyze_arms_store())
/// for a campaign with arms, report::build_report(analyze_store()) otherwise. Throws as those.
StoreReport report_store(const AnalyzeOptions& options);

/// `tmex analyze`: analyze_store() or analyze_arms_store(), then the report in options.format
/// to options.out and its figures to options.plots_dir. Returns an exit status; throws as
/// analyze_store().
int analyze_command(const AnalyzeOptions& options);

/// The stores of separate campaigns as the arms of one: the campaign of `stores[0]` with an arm
/// per store (named by its campaign name, or by its file name where those repeat), and the
/// runs of every store, with the outputs they all have. Throws UsageError naming the store and
/// exactly what differs unless every store has the same model and model version, design,
/// seed, sample count, replicates and parameters (name, distribution, dummy), and none has
/// arms of its own; UsageError for fewer than two stores or a missing file.
analysis::ArmsAnalysis compare_stores(const std::vector<std::string>& stores,
                                      const AnalyzeOptions& options);

/// `tmex compare`: compare_stores(), then the report as analyze_command() writes it.
int compare_command(const std::vector<std::string>& stores, const AnalyzeOptions& options);

}  // namespace tmex::driver
