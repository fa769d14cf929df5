// `tmex analyze`: sensitivity and uncertainty analysis of a campaign store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "driver/analysis_report.hpp"

namespace tmex::driver {

/// The options of `tmex analyze`, as given on the command line.
struct AnalyzeOptions {
  std::string db_path;
  /// "auto", "prcc", "pcc", "src", "srrc", "correlation" (Pearson and Spearman), "sobol",
  /// "morris" or "uncertainty".
  std::string method = "auto";
  std::vector<std::string> outputs;  ///< empty: every stored output
  std::string format = "table";      ///< "table", "csv", "json", "markdown"
  std::string out;                   ///< empty or "-": standard output
  std::string plots_dir;             ///< empty: no plots
  std::vector<std::string> events;   ///< "OUTPUT OP NUMBER"
  double confidence = 0.95;
  std::optional<int> bootstrap;       ///< resamples; default 1000 (fewer for huge summaries)
  std::optional<std::uint64_t> seed;  ///< of the bootstrap; default the campaign's seed
};

/// An event `OUTPUT OP NUMBER` with OP one of < <= > >= == !=.
struct EventExpression {
  std::string output;
  std::string op;
  double threshold = 0.0;

  /// "OUTPUT OP NUMBER" with single spaces.
  std::string text() const;
  /// Whether `value` satisfies the event (false for NaN).
  bool holds(double value) const;
};

/// Parses "cured == 1", "y>3.5", "tumour_volume <= 1e-3". Throws UsageError naming the text
/// and the expected form.
EventExpression parse_event(const std::string& text);

/// Reads the store at options.db_path and runs the methods that fit its design (or the one
/// asked for). Throws UsageError (exit 2) for bad options, a missing file or one that is not
/// a tmex store, unknown output names, bad events, or a method that does not fit the design
/// (with the reason); analysis::AnalysisError when the data cannot be analysed (too few
/// successful runs, a collinear design).
AnalysisReport analyze(const AnalyzeOptions& options);

/// `tmex analyze`: analyze(), then writes the report in options.format to options.out and
/// the plots to options.plots_dir. Returns an exit status; throws as analyze().
int analyze_command(const AnalyzeOptions& options);

}  // namespace tmex::driver
