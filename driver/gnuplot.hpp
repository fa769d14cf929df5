// Drawing a report's figures with gnuplot, run through the project's process launcher.
#pragma once

#include <string>
#include <vector>

#include "report/report_model.hpp"

namespace tmex::driver {

/// What draw_figures() did.
struct PlotResult {
  std::vector<std::string> scripts;  ///< gnuplot scripts written, relative to the plot folder
  std::vector<std::string> images;   ///< PNG files drawn, relative to the plot folder
  bool gnuplot_found = false;
  std::string message;  ///< one line for the user: what was drawn, or why not
};

/// Writes each figure of `report` into `dir` (created when missing) as NAME.dat and an
/// editable NAME.gp (run from `dir` with `gnuplot NAME.gp`); when gnuplot is found
/// ($TMEX_GNUPLOT, else `gnuplot` on PATH) runs each script to draw NAME.png (pngcairo when it
/// has it, else png), its standard error appended to gnuplot.log. Without gnuplot the data and
/// scripts are still written and the message says so. Throws std::runtime_error when `dir`
/// cannot be created or written.
PlotResult draw_figures(const report::Report& report, const std::string& dir);

}  // namespace tmex::driver
