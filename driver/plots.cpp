// gnuplot plots of `tmex analyze`: one data file and one script per plot, run from the plot folder.
#include "driver/plots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace tmex::driver {

namespace {

namespace fs = std::filesystem;

std::string file_stem(const std::string& name) {
  std::string s;
  for (char c : name) {
    s +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') ? c : '_';
  }
  return s;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A gnuplot string literal in double quotes.
std::string gp_string(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string dat(double v) { return std::isfinite(v) ? fmt::format("{:.10g}", v) : "NaN"; }

// The gnuplot executable: $TMEX_GNUPLOT, else `gnuplot` found on PATH; empty when missing.
std::string find_gnuplot() {
  std::string name = "gnuplot";
  if (const char* env = std::getenv("TMEX_GNUPLOT"); env && *env) name = env;
  if (name.find('/') != std::string::npos) {
    return fs::exists(name) ? name : std::string();
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto colon = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, colon - start)) / name;
    std::error_code ec;
    if (colon > start && fs::is_regular_file(candidate, ec)) return candidate.string();
    start = colon + 1;
  }
  return {};
}

class PlotWriter {
 public:
  PlotWriter(fs::path dir, std::string terminal)
      : dir_(std::move(dir)), terminal_(std::move(terminal)) {}

  // Writes NAME.dat and NAME.gp (the script after the terminal and output lines).
  void add(const std::string& name, const std::string& data, const std::string& script,
           int width = 800, int height = 500) {
    write(name + ".dat", data);
    write(name + ".gp", fmt::format("# {0}.png from {0}.dat; run `gnuplot {0}.gp` in this folder.\n"
                                    "set terminal {1} size {2},{3}\nset output '{0}.png'\n{4}",
                                    name, terminal_, width, height, script));
    names_.push_back(name);
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  void write(const std::string& file, const std::string& text) {
    std::ofstream out(dir_ / file);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write '" + (dir_ / file).string() + "'");
  }
  fs::path dir_;
  std::string terminal_;
  std::vector<std::string> names_;
};

std::vector<Eigen::Index> by_size(const Eigen::MatrixXd& v, Eigen::Index j) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(v.rows()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    const double x = std::abs(v(a, j)), y = std::abs(v(b, j));
    return std::isnan(y) ? !std::isnan(x) : x > y;
  });
  return order;
}

void tornado(PlotWriter& w, const NamedCorrelation& c) {
  const auto& t = c.table;
  std::string label = c.method;
  for (auto& ch : label) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (Eigen::Index j = 0; j < t.coefficient.cols(); ++j) {
    const auto& output = t.outputs[static_cast<std::size_t>(j)];
    auto order = by_size(t.coefficient, j);
    std::reverse(order.begin(), order.end());  // largest on top
    std::string data =
        fmt::format("# parameter {} ci_low ci_high (largest |{}| last)\n", c.method, c.method);
    for (auto i : order) {
      data += fmt::format("{} {} {} {}\n", gp_string(t.parameters[static_cast<std::size_t>(i)]),
                          dat(t.coefficient(i, j)), dat(t.ci_low(i, j)), dat(t.ci_high(i, j)));
    }
    const std::string name = file_stem("tornado_" + c.method + "_" + output);
    const std::string script = fmt::format(
        "set title {}\n"
        "set xrange [-1:1]\nset yrange [-0.6:{}]\nset xlabel '{}'\nset grid xtics\n"
        "set yzeroaxis lt -1\nset key off\nset style fill solid 0.7 noborder\n"
        "plot '{}.dat' using ($2/2):0:(abs($2)/2):(0.35):yticlabels(1) with boxxyerror lc rgb "
        "'#4477aa', \\\n     '' using 2:0:3:4 with xerrorbars pt -1 lc rgb 'black'\n",
        gp_string(fmt::format("{} of {} ({:g}% CI, {} rows)", label, output, 100 * t.confidence,
                              t.samples)),
        static_cast<double>(order.size()) - 0.4, label, name);
    w.add(name, data, script, 800, std::max(300, 120 + 40 * static_cast<int>(order.size())));
  }
}

void scatter(PlotWriter& w, const ScatterSample& s, const AnalysisReport& r) {
  const auto k = static_cast<Eigen::Index>(s.parameters.size());
  for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(s.outputs.size()); ++j) {
    const auto& output = s.outputs[static_cast<std::size_t>(j)];
    std::vector<Eigen::Index> top(static_cast<std::size_t>(k));
    std::iota(top.begin(), top.end(), Eigen::Index{0});
    if (!r.correlations.empty())
      top = by_size(r.correlations.front().table.coefficient, j);
    else if (!r.regressions.empty())
      top = by_size(r.regressions.front().table.coefficient, j);
    top.resize(std::min<std::size_t>(3, top.size()));
    std::string data = "#";
    for (auto i : top) data += " " + s.parameters[static_cast<std::size_t>(i)];
    data += " " + output + "\n";
    for (Eigen::Index row = 0; row < s.inputs.rows(); ++row) {
      for (auto i : top) data += dat(s.inputs(row, i)) + " ";
      data += dat(s.outputs_values(row, j)) + "\n";
    }
    const std::string name = file_stem("scatter_" + output);
    std::string script = fmt::format(
        "set multiplot layout 1,{} title {}\nset key off\n", top.size(),
        gp_string(fmt::format("{} against its top parameters ({} rows)", output, s.inputs.rows())));
    for (std::size_t p = 0; p < top.size(); ++p) {
      script += fmt::format(
          "set xlabel {}\nset ylabel {}\nplot '{}.dat' using {}:{} with points pt 7 ps 0.25 lc rgb "
          "'#4477aa'\n",
          gp_string(s.parameters[static_cast<std::size_t>(top[p])]), gp_string(output), name, p + 1,
          top.size() + 1);
    }
    script += "unset multiplot\n";
    w.add(name, data, script, 1200, 420);
  }
}

void sobol(PlotWriter& w, const analysis::SobolIndices& s) {
  for (Eigen::Index j = 0; j < s.first.cols(); ++j) {
    const auto& output = s.outputs[static_cast<std::size_t>(j)];
    std::string data = "# parameter S1 S1_low S1_high ST ST_low ST_high\n";
    for (auto i : by_size(s.total, j)) {
      data += fmt::format("{} {} {} {} {} {} {}\n",
                          gp_string(s.parameters[static_cast<std::size_t>(i)]), dat(s.first(i, j)),
                          dat(s.first_low(i, j)), dat(s.first_high(i, j)), dat(s.total(i, j)),
                          dat(s.total_low(i, j)), dat(s.total_high(i, j)));
    }
    const std::string name = file_stem("sobol_" + output);
    const std::string script = fmt::format(
        "set title {}\nset style data histograms\nset style histogram errorbars gap 1 lw 1\n"
        "set style fill solid 0.7 border -1\nset yrange [0:*]\nset ylabel 'index'\nset grid ytics\n"
        "set key top right\n"
        "plot '{}.dat' using 2:3:4:xtic(1) title 'S1 (first order)' lc rgb '#4477aa', \\\n"
        "     '' using 5:6:7 title 'ST (total)' lc rgb '#ee6677'\n",
        gp_string(fmt::format("Sobol' indices of {} ({:g}% bootstrap CI, {} base rows)", output,
                              100 * s.confidence, s.base_rows)),
        name);
    w.add(name, data, script);
  }
}

void morris(PlotWriter& w, const analysis::MorrisEffects& s) {
  for (Eigen::Index j = 0; j < s.mu.cols(); ++j) {
    const auto& output = s.outputs[static_cast<std::size_t>(j)];
    std::string data = "# parameter mu_star mu sigma\n";
    for (Eigen::Index i = 0; i < s.mu.rows(); ++i) {
      data += fmt::format("{} {} {} {}\n", gp_string(s.parameters[static_cast<std::size_t>(i)]),
                          dat(s.mu_star(i, j)), dat(s.mu(i, j)), dat(s.sigma(i, j)));
    }
    const std::string name = file_stem("morris_" + output);
    const std::string script = fmt::format(
        "set title {}\nset xlabel 'mu* (mean |elementary effect|)'\nset ylabel 'sigma'\n"
        "set key off\nset grid\nset xrange [0:*]\nset yrange [0:*]\nset offsets graph 0, graph "
        "0.15, graph 0.1, 0\n"
        "plot '{}.dat' using 2:4 with points pt 7 ps 1.2 lc rgb '#4477aa', \\\n"
        "     '' using 2:4:1 with labels offset char 1,0.6 left\n",
        gp_string(fmt::format("Morris screening of {} ({} trajectories)", output, s.trajectories)),
        name);
    w.add(name, data, script);
  }
}

void time_course(PlotWriter& w, const analysis::TimeCourseCorrelation& tc) {
  const auto& t = tc.table;
  std::string data = "t";
  for (const auto& p : t.parameters) data += " " + gp_string(p);
  data += "\n";
  for (std::size_t ti = 0; ti < tc.times.size(); ++ti) {
    data += dat(tc.times[ti]);
    for (Eigen::Index i = 0; i < t.coefficient.rows(); ++i) {
      data += " " + dat(t.coefficient(i, static_cast<Eigen::Index>(ti)));
    }
    data += "\n";
  }
  const std::string name = file_stem("prcc_time_" + tc.variable);
  const std::string script = fmt::format(
      "set title {}\nset xlabel 'time'\nset ylabel 'PRCC'\nset yrange [-1:1]\nset grid\n"
      "set xzeroaxis lt -1\nset key outside right\n"
      "plot for [i=2:{}] '{}.dat' using 1:i with linespoints pt 7 ps 0.6 title columnheader(i)\n",
      gp_string("PRCC over time of " + tc.variable), t.coefficient.rows() + 1, name);
  w.add(name, data, script, 900, 500);
}

void histogram(PlotWriter& w, const analysis::UncertaintySummary& u, const analysis::Histogram& h) {
  std::string data = "# bin_low bin_high count\n";
  for (std::size_t b = 0; b < h.counts.size(); ++b) {
    data += fmt::format("{} {} {}\n", dat(h.edges[b]), dat(h.edges[b + 1]), h.counts[b]);
  }
  const std::string name = file_stem("histogram_" + u.output);
  const std::string script = fmt::format(
      "set title {}\nset xlabel {}\nset ylabel 'runs'\nset key off\nset style fill solid 0.7 "
      "border -1\n"
      "set grid ytics\nplot '{}.dat' using (($1+$2)/2):3:($2-$1) with boxes lc rgb '#4477aa'\n",
      gp_string(
          fmt::format("{}: {} runs, mean {:.4g}, sd {:.4g}", u.output, u.samples, u.mean, u.sd)),
      gp_string(u.output), name);
  w.add(name, data, script);
}

}  // namespace

PlotResult write_plots(const AnalysisReport& report, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir)) {
    throw std::runtime_error("cannot create the plot folder '" + dir + "'");
  }
  PlotResult result;
  const std::string gnuplot = find_gnuplot();
  result.gnuplot_found = !gnuplot.empty();
  std::string terminal = "pngcairo font ',10'";
  if (result.gnuplot_found &&
      std::system((shell_quote(gnuplot) + " -e 'set terminal pngcairo' >/dev/null 2>&1").c_str()) !=
          0) {
    terminal = "png";
  }
  PlotWriter w(dir, terminal);
  for (const auto& c : report.correlations) tornado(w, c);
  if (report.scatter) scatter(w, *report.scatter, report);
  if (report.sobol) sobol(w, *report.sobol);
  if (report.morris) morris(w, *report.morris);
  for (const auto& tc : report.time_courses) time_course(w, tc);
  for (std::size_t o = 0; o < report.uncertainty.size(); ++o) {
    histogram(w, report.uncertainty[o], report.histograms[o]);
  }
  for (const auto& n : w.names()) result.scripts.push_back(n + ".gp");
  if (!result.gnuplot_found) {
    result.message = fmt::format(
        "gnuplot not found (install gnuplot, e.g. apt-get install gnuplot-nox, or set "
        "TMEX_GNUPLOT): wrote {} data files and gnuplot scripts to {}; run `gnuplot NAME.gp` "
        "there to draw them",
        w.names().size(), dir);
    return result;
  }
  std::vector<std::string> failed;
  for (const auto& n : w.names()) {
    const std::string cmd = "cd " + shell_quote(dir) + " && " + shell_quote(gnuplot) + " " +
                            shell_quote(n + ".gp") + " 2>>gnuplot.log";
    const fs::path png = fs::path(dir) / (n + ".png");
    if (std::system(cmd.c_str()) == 0 && fs::exists(png)) {
      result.images.push_back(n + ".png");
    } else {
      failed.push_back(n);
    }
  }
  result.message = fmt::format("drew {} plots into {} (data and gnuplot scripts alongside)",
                               result.images.size(), dir);
  if (!failed.empty()) {
    std::string names;
    for (const auto& f : failed) names += (names.empty() ? "" : ", ") + f;
    result.message += fmt::format("; gnuplot failed on {} (see {}/gnuplot.log)", names, dir);
  }
  return result;
}

}  // namespace tmex::driver
