// draw_figures(): report/'s gnuplot files, rendered by gnuplot through models::run_process.
#include "driver/gnuplot.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "models/subprocess.hpp"
#include "report/figures.hpp"
#include "text/strings.hpp"

namespace tmex::driver {

namespace {

namespace fs = std::filesystem;

// A script gets this long to draw before it is taken for stuck.
constexpr std::chrono::seconds kScriptTimeout{60};

// What to tell a user without gnuplot.
constexpr const char* kNoGnuplot =
    "gnuplot not found (install gnuplot, e.g. apt-get install gnuplot-nox, or set TMEX_GNUPLOT)";

// The gnuplot executable: $TMEX_GNUPLOT (a path, or a name on PATH), else `gnuplot` on PATH;
// empty when missing.
std::string find_gnuplot() {
  std::string name = "gnuplot";
  if (const char* env = std::getenv("TMEX_GNUPLOT"); env && *env) name = env;
  if (name.find('/') != std::string::npos) {
    std::error_code ec;
    return fs::is_regular_file(name, ec) ? fs::absolute(name).string() : std::string();
  }
  return models::find_on_path(name).value_or("");
}

// Runs gnuplot in `dir` with `arguments`; true when it exits with status 0. Its standard error
// is appended to `log` when given.
bool run_gnuplot(const std::string& gnuplot, const std::string& dir,
                 std::vector<std::string> arguments, std::ostream* log) {
  models::ProcessRequest request;
  request.program = gnuplot;
  request.arguments = std::move(arguments);
  request.working_directory = dir;
  request.deadline = std::chrono::steady_clock::now() + kScriptTimeout;
  try {
    const auto outcome = models::run_process(request);
    if (log && !outcome.stderr_tail.empty()) *log << outcome.stderr_tail;
    return outcome.end == models::ProcessOutcome::End::kExited && outcome.exit_code == 0;
  } catch (const models::ProcessStartError& e) {
    if (log) *log << e.what() << '\n';
    return false;
  }
}

// "pngcairo" when gnuplot has it (antialiased, with the scripts' fonts), else "png".
std::string png_terminal(const std::string& gnuplot) {
  if (gnuplot.empty() || run_gnuplot(gnuplot, "", {"-e", "set terminal pngcairo"}, nullptr)) {
    return "pngcairo";
  }
  return "png";
}

}  // namespace

PlotResult draw_figures(const report::Report& report, const std::string& dir) {
  PlotResult result;
  const std::string gnuplot = find_gnuplot();
  result.gnuplot_found = !gnuplot.empty();
  const auto scripts = report::figure_scripts(report, png_terminal(gnuplot));
  report::write_figure_files(scripts, dir);
  for (const auto& s : scripts) result.scripts.push_back(s.name + ".gp");
  if (!result.gnuplot_found) {
    result.message = fmt::format(
        "{}: wrote {} data files and gnuplot scripts to {}; run `gnuplot NAME.gp` there to draw "
        "them",
        kNoGnuplot, scripts.size(), dir);
    return result;
  }
  std::ofstream log(fs::path(dir) / "gnuplot.log", std::ios::app);
  std::vector<std::string> failed;
  for (const auto& s : scripts) {
    bool all = true;
    for (const char* format : {"png", "svg"}) {
      const std::string file = s.name + "." + format;
      const bool drawn =
          run_gnuplot(gnuplot, dir, {"-e", fmt::format("fmt='{}'", format), s.name + ".gp"}, &log);
      std::error_code ec;
      if (drawn && fs::exists(fs::path(dir) / file, ec)) {
        result.images.push_back(file);
      } else {
        all = false;
      }
    }
    if (!all) failed.push_back(s.name);
  }
  result.message =
      fmt::format("drew {} plots as PNG and SVG into {} (data and gnuplot scripts alongside)",
                  scripts.size() - failed.size(), dir);
  if (!failed.empty()) {
    result.message +=
        fmt::format("; gnuplot failed on {} (see {}/gnuplot.log)", text::join(failed), dir);
  }
  return result;
}

SvgFigures svg_figures(const report::Report& report) {
  SvgFigures result;
  const auto scripts = report::figure_scripts(report, "png");
  if (scripts.empty()) return result;
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) {
    result.problem = kNoGnuplot;
    for (const auto& s : scripts) result.failed.push_back(s.name);
    return result;
  }
  std::string pattern = (fs::temp_directory_path() / "tmex-report-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    throw std::runtime_error("cannot make a temporary folder for the figures in " +
                             fs::temp_directory_path().string());
  }
  const fs::path dir = pattern;
  std::string errors;
  try {
    report::write_figure_files(scripts, dir);
    std::ostringstream log;
    for (const auto& s : scripts) {
      const fs::path file = dir / (s.name + ".svg");
      std::error_code ec;
      if (run_gnuplot(gnuplot, dir.string(), {"-e", "fmt='svg'", s.name + ".gp"}, &log) &&
          fs::exists(file, ec)) {
        std::ifstream in(file, std::ios::binary);
        result.svg[s.name] = std::string(std::istreambuf_iterator<char>(in), {});
      } else {
        result.failed.push_back(s.name);
      }
    }
    errors = log.str();
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!result.failed.empty()) {
    const auto first_line = errors.substr(0, errors.find('\n'));
    result.problem = "gnuplot failed" + (first_line.empty() ? "" : ": " + first_line);
  }
  return result;
}

}  // namespace tmex::driver
