// Figures of a report as gnuplot data files and scripts; drawing them is the caller's (gnuplot).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report/report_model.hpp"

namespace tmex::report {

/// One figure as gnuplot input: NAME.dat (data, whitespace-separated, quoted labels) and
/// NAME.gp (the script, which writes NAME.png, or NAME.svg, when run from its folder).
struct FigureScript {
  std::string name;    ///< file stem, safe for any file system
  std::string data;    ///< contents of NAME.dat
  std::string script;  ///< contents of NAME.gp
};

/// The file stem of a figure named `name`, as figure_scripts() uses it: letters, digits, '_',
/// '-' and '.' kept, anything else '_'.
std::string figure_file_stem(const std::string& name);

/// The gnuplot input of every figure of `report`, in report order, in one house style (Paul
/// Tol's colour-blind-safe palette, text taken literally: no enhanced-text markup). Each script
/// draws NAME.png with `png_terminal` ("pngcairo", or "png" where gnuplot lacks cairo) at twice
/// the SVG's pixels, or NAME.svg when run as `gnuplot -e "fmt='svg'" NAME.gp`.
std::vector<FigureScript> figure_scripts(const Report& report, const std::string& png_terminal);

/// Writes NAME.dat and NAME.gp of each script into `dir` (created when missing). Throws
/// std::runtime_error naming a folder or file that cannot be written.
void write_figure_files(const std::vector<FigureScript>& scripts, const std::filesystem::path& dir);

}  // namespace tmex::report
