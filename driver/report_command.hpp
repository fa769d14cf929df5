// `tmex report`: one self-contained HTML document of a campaign (analysis, figures, provenance).
#pragma once

#include <string>

#include "driver/analyze_command.hpp"

namespace tmex::driver {

/// The options of `tmex report`: those of `tmex analyze` (method, outputs, events, intervals,
/// convergence criteria) and the document's path.
struct ReportOptions {
  AnalyzeOptions analysis;  ///< format, out and plots_dir are not used
  std::string out;          ///< the HTML file; empty: the store's file name with .html, here
};

/// The HTML file `options` ask for: options.out, or the store's file name with its extension
/// replaced by .html in the working directory (the store may sit on read-only media).
std::string report_path(const ReportOptions& options);

/// `tmex report DB [-o FILE.html]`: analyses the store (read only) as `tmex analyze` does, with
/// the rows of scatter and probability figures, adds the store's record (parameters, failures by
/// reason, sessions, provenance of the newest session), draws every figure as SVG with gnuplot
/// and writes one HTML file that needs nothing else: no network, no script. A figure gnuplot
/// could not draw is a marked gap in the document and a warning on stderr. Returns an exit
/// status; throws as analyze_store(), UsageError when the file cannot be written (a missing
/// folder) and OutputError when writing it fails (a full disk); the file is replaced atomically
/// (driver/output_file.hpp).
int report_command(const ReportOptions& options);

}  // namespace tmex::driver
