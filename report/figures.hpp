// Figures of a report as gnuplot data files and scripts; drawing them is the caller's (gnuplot).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report/report_model.hpp"

namespace tmex::report {

/// One figure as gnuplot input: NAME.dat (data, whitespace-separated, quoted labels) and
/// NAME.gp (the script, which sets the terminal and writes NAME.png when run from its folder).
struct FigureScript {
  std::string name;    ///< file stem, safe for any file system
  std::string data;    ///< contents of NAME.dat
  std::string script;  ///< contents of NAME.gp
};

/// The gnuplot input of every figure of `report`, in report order, for a gnuplot `terminal`
/// such as "pngcairo font ',10'": tornado charts with interval bars, Sobol' bars with
/// intervals, Morris mu*-sigma plots, lines (PRCC over time), histograms, scatter panels.
std::vector<FigureScript> figure_scripts(const Report& report, const std::string& terminal);

/// Writes NAME.dat and NAME.gp of each script into `dir` (created when missing). Throws
/// std::runtime_error naming a folder or file that cannot be written.
void write_figure_files(const std::vector<FigureScript>& scripts, const std::filesystem::path& dir);

}  // namespace tmex::report
