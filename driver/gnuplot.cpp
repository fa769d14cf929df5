// draw_figures(): report/'s gnuplot files, rendered by gnuplot through models::run_process.
#include "driver/gnuplot.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "models/subprocess.hpp"
#include "report/figures.hpp"
#include "text/strings.hpp"

namespace tmex::driver {

namespace {

namespace fs = std::filesystem;

// A script gets this long to draw before it is taken for stuck.
constexpr std::chrono::seconds kScriptTimeout{60};

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
                 std::vector<std::string> arguments, std::ofstream* log) {
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

}  // namespace

PlotResult draw_figures(const report::Report& report, const std::string& dir) {
  PlotResult result;
  const std::string gnuplot = find_gnuplot();
  result.gnuplot_found = !gnuplot.empty();
  std::string terminal = "pngcairo font ',10'";
  if (result.gnuplot_found && !run_gnuplot(gnuplot, "", {"-e", "set terminal pngcairo"}, nullptr)) {
    terminal = "png";
  }
  const auto scripts = report::figure_scripts(report, terminal);
  report::write_figure_files(scripts, dir);
  for (const auto& s : scripts) result.scripts.push_back(s.name + ".gp");
  if (!result.gnuplot_found) {
    result.message = fmt::format(
        "gnuplot not found (install gnuplot, e.g. apt-get install gnuplot-nox, or set "
        "TMEX_GNUPLOT): wrote {} data files and gnuplot scripts to {}; run `gnuplot NAME.gp` "
        "there to draw them",
        scripts.size(), dir);
    return result;
  }
  std::ofstream log(fs::path(dir) / "gnuplot.log", std::ios::app);
  std::vector<std::string> failed;
  for (const auto& s : scripts) {
    const bool drawn = run_gnuplot(gnuplot, dir, {s.name + ".gp"}, &log);
    std::error_code ec;
    if (drawn && fs::exists(fs::path(dir) / (s.name + ".png"), ec)) {
      result.images.push_back(s.name + ".png");
    } else {
      failed.push_back(s.name);
    }
  }
  result.message = fmt::format("drew {} plots into {} (data and gnuplot scripts alongside)",
                               result.images.size(), dir);
  if (!failed.empty()) {
    result.message +=
        fmt::format("; gnuplot failed on {} (see {}/gnuplot.log)", text::join(failed), dir);
  }
  return result;
}

}  // namespace tmex::driver
