// `tmex analyze`: check the options, read the store, call analysis/, then report/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/campaign_analysis.hpp"

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
/// bad events, or a method that does not fit the design (with the reason);
/// analysis::AnalysisError when the data cannot be analysed; storage::StorageError.
analysis::CampaignAnalysis analyze_store(const AnalyzeOptions& options);

/// `tmex analyze`: analyze_store(), then the report in options.format to options.out and its
/// figures to options.plots_dir. Returns an exit status; throws as analyze_store().
int analyze_command(const AnalyzeOptions& options);

}  // namespace tmex::driver
