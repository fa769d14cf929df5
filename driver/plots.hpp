// Plots of an AnalysisReport: data files and gnuplot scripts, rendered to PNG when gnuplot is
// there.
#pragma once

#include <string>
#include <vector>

#include "driver/analysis_report.hpp"

namespace tmex::driver {

/// What write_plots() wrote.
struct PlotResult {
  std::vector<std::string> scripts;  ///< gnuplot scripts, relative to the plot folder
  std::vector<std::string> images;   ///< PNG files drawn, relative to the plot folder
  bool gnuplot_found = false;
  std::string message;  ///< one line for the user: what was drawn, or why not
};

/// Writes into `dir` (created when missing), for every section of the report: tornado charts
/// of each correlation table with interval bars, scatter plots of the three most influential
/// parameters against each output, Sobol' bars with intervals, Morris mu*-sigma plots, PRCC
/// over time, and output histograms. Each plot is a NAME.dat data file and a NAME.gp script
/// (editable, run from `dir` with `gnuplot NAME.gp`); when gnuplot is found ($TMEX_GNUPLOT,
/// else `gnuplot` on PATH) each script is run to draw NAME.png (pngcairo when available, else
/// png). Without gnuplot, the data and scripts are still written and the message says so.
/// Throws std::runtime_error when `dir` cannot be created or written.
PlotResult write_plots(const AnalysisReport& report, const std::string& dir);

}  // namespace tmex::driver
