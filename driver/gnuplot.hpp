// Drawing a report's figures with gnuplot, run through the project's process launcher.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "report/report_model.hpp"

namespace tmex::driver {

/// What draw_figures() did.
struct PlotResult {
  std::vector<std::string> scripts;  ///< gnuplot scripts written, relative to the plot folder
  std::vector<std::string> images;   ///< PNG and SVG files drawn, relative to the plot folder
  bool gnuplot_found = false;
  std::string message;  ///< one line for the user: what was drawn, or why not
};

/// Writes each figure of `report` into `dir` (created when missing) as NAME.dat and an
/// editable NAME.gp (run from `dir` with `gnuplot NAME.gp`); when gnuplot is found
/// ($TMEX_GNUPLOT, else `gnuplot` on PATH) runs each script to draw NAME.png (pngcairo when it
/// has it, else png) and NAME.svg, its standard error appended to gnuplot.log. Without gnuplot
/// the data and scripts are still written and the message says so. Throws std::runtime_error
/// when `dir` cannot be created or written.
PlotResult draw_figures(const report::Report& report, const std::string& dir);

/// Every figure of `report` drawn as SVG (in a temporary folder, removed afterwards).
struct SvgFigures {
  std::map<std::string, std::string> svg;  ///< SVG text by figure file stem
  std::vector<std::string> failed;         ///< stems gnuplot did not draw
  std::string problem;  ///< empty, or why figures are missing (no gnuplot, its errors)
};

/// Draws the figures of `report` as SVG with gnuplot for a document. Never throws for a missing
/// gnuplot or a failing script: `problem` says so. Throws std::runtime_error when no temporary
/// folder can be made.
SvgFigures svg_figures(const report::Report& report);

}  // namespace tmex::driver
