// Tests of the gnuplot scripts of every figure kind and of the HTML document: text is literal,
// log axes where due, every kind draws (with gnuplot, where it is installed), documents are
// self-contained.
#include "report/figures.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "report/html_writer.hpp"

namespace tmex::report {
namespace {

namespace fs = std::filesystem;

Figure tornado_figure() {
  Figure f{FigureKind::kTornado, "tornado_prcc_death_ratio", "PRCC of final_burden", "PRCC", ""};
  f.output = "final_burden";
  f.data.columns = {
      {"parameter", "", Role::kKey}, {"prcc"}, {"ci_low"}, {"ci_high"}, {"p_bh"}, {"dummy"}};
  // Largest first, as the report gives them.
  f.data.rows = {{"growth_rate", 0.78, 0.76, 0.79, 1e-300, false},
                 {"death_ratio", -0.67, -0.70, -0.65, 1e-200, false},
                 {"sdf1_level", 0.01, -0.03, 0.05, 0.6, false},
                 {"dummy", -0.02, -0.06, 0.02, 0.4, true}};
  f.bands = {{-0.06, 0.06, "dummy's reach (95% CI)"}};
  return f;
}

Figure index_bars_figure() {
  Figure f{FigureKind::kIndexBars, "sobol_y", "Sobol' indices of y", "Sobol' index", ""};
  f.axis_low = -0.5;
  f.axis_high = 1.1;
  f.data.columns = {{"parameter", "", Role::kKey},
                    {"first", "S1 (first order)"},
                    {"first_low"},
                    {"first_high"},
                    {"total", "ST (total)"},
                    {"total_low"},
                    {"total_high"}};
  f.data.rows = {{"x1", 0.31, 0.25, 0.37, 0.55, 0.5, 0.6},
                 {"x3", -0.04, -0.1, 0.02, 0.24, 0.2, 0.28},  // a negative first-order estimate
                 {"x2", 0.44, 0.4, 20.3, 0.44, 0.41, 0.47}};  // an absurd interval end
  return f;
}

Figure scatter_figure() {
  Figure f{FigureKind::kScatter, "scatter_final_burden", "final_burden against its top parameters",
           "", "final_burden"};
  f.y_log = true;
  Column growth{"growth_rate", "growth_rate"};
  growth.log_scale = true;
  f.data.columns = {growth, {"death_ratio", "death_ratio"}, {"final_burden", "final_burden"}};
  for (int i = 0; i < 50; ++i) {
    const double g = 0.02 * std::pow(10.0, i / 49.0), d = 0.3 + 0.01 * i;
    f.data.rows.push_back({g, d, std::pow(10.0, 3 + 0.15 * i)});
  }
  return f;
}

Figure probability_figure() {
  Figure f{FigureKind::kProbability, "probability_relapsed", "P(relapsed = 1)", "",
           "P(relapsed = 1)"};
  f.data.columns = {{"parameter", "", Role::kKey},
                    {"x"},
                    {"x_low"},
                    {"x_high"},
                    {"probability"},
                    {"ci_low"},
                    {"ci_high"},
                    {"log_x"}};
  for (int b = 0; b < 5; ++b) {
    const double lo = 0.02 * std::pow(10.0, b / 5.0), hi = 0.02 * std::pow(10.0, (b + 1) / 5.0);
    f.data.rows.push_back({"growth_rate", std::sqrt(lo * hi), lo, hi, 0.1 + 0.15 * b,
                           0.05 + 0.15 * b, 0.15 + 0.15 * b, true});
  }
  for (int b = 0; b < 5; ++b) {
    const double lo = 0.3 + 0.1 * b, hi = 0.4 + 0.1 * b;
    f.data.rows.push_back(
        {"death_ratio", (lo + hi) / 2, lo, hi, 0.6 - 0.1 * b, 0.5 - 0.1 * b, 0.7 - 0.1 * b, false});
  }
  return f;
}

Figure histogram_figure(bool log) {
  Figure f{FigureKind::kHistogram, log ? "histogram_log" : "histogram_lin", "final_burden",
           "final_burden", "runs"};
  f.x_log = log;
  f.data.columns = {{"bin_low"}, {"bin_high"}, {"count"}};
  for (int b = 0; b < 8; ++b) {
    const double lo = log ? std::pow(10.0, b) : b, hi = log ? std::pow(10.0, b + 1) : b + 1;
    f.data.rows.push_back({lo, hi, std::int64_t{10 + b * (7 - b)}});
  }
  return f;
}

Figure lines_figure() {
  Figure f{FigureKind::kLines, "convergence_y", "Convergence of y", "rows (log2 scale)", "PRCC"};
  f.x_log = true;
  f.data.columns = {{"n", "n", Role::kKey}};
  for (int p = 0; p < 9; ++p) {  // more series than the palette: the rest grey
    f.data.columns.push_back({"p_" + std::to_string(p), "p_" + std::to_string(p)});
  }
  for (int n = 250; n <= 2000; n *= 2) {
    std::vector<Value> row = {static_cast<double>(n)};
    for (int p = 0; p < 9; ++p) row.emplace_back(0.9 - 0.1 * p + 10.0 / n);
    f.data.rows.push_back(std::move(row));
  }
  return f;
}

Figure mu_sigma_figure() {
  Figure f{FigureKind::kMuSigma, "morris_y", "Morris screening of y", "mu*", "sigma"};
  f.data.columns = {{"parameter", "", Role::kKey}, {"mu_star"}, {"mu"}, {"sigma"}};
  for (int p = 0; p < 12; ++p) {
    f.data.rows.push_back({"param_" + std::to_string(p), 1.0 + p, 0.5 + p, 0.2 * p});
  }
  return f;
}

Report every_kind() {
  Report r{"figures", "", {}};
  Section s{"figures", "Figures"};
  s.figures = {tornado_figure(),     index_bars_figure(),     scatter_figure(),
               probability_figure(), histogram_figure(false), histogram_figure(true),
               lines_figure(),       mu_sigma_figure()};
  r.sections.push_back(std::move(s));
  return r;
}

TEST(Figures, TextIsLiteralInEveryScript) {
  for (const auto& s : figure_scripts(every_kind(), "pngcairo")) {
    // Both terminals and the session: underscores stay underscores (death_ratio, not death
    // with a subscript r).
    EXPECT_NE(s.script.find("set termoption noenhanced"), std::string::npos) << s.name;
    const std::regex terminal("set terminal (svg|pngcairo)[^\n]*");
    for (auto it = std::sregex_iterator(s.script.begin(), s.script.end(), terminal);
         it != std::sregex_iterator(); ++it) {
      EXPECT_NE(it->str().find("noenhanced"), std::string::npos) << s.name << ": " << it->str();
    }
    const std::regex enhanced("(^|[^o])enhanced");
    EXPECT_FALSE(std::regex_search(s.script, enhanced)) << s.name;
    EXPECT_NE(s.script.find("set output '" + s.name + ".svg'"), std::string::npos);
    EXPECT_NE(s.script.find("set output '" + s.name + ".png'"), std::string::npos);
  }
}

const FigureScript& script_named(const std::vector<FigureScript>& scripts,
                                 const std::string& name) {
  for (const auto& s : scripts) {
    if (s.name == name) return s;
  }
  throw std::runtime_error("no figure " + name);
}

TEST(Figures, LogAxesWhereTheValuesSpanDecades) {
  const auto scripts = figure_scripts(every_kind(), "png");
  const auto& scatter = script_named(scripts, "scatter_final_burden").script;
  // The output on a log y axis, the log-uniform parameter on a log x axis, the other linear.
  EXPECT_NE(scatter.find("set logscale y"), std::string::npos);
  const auto growth = scatter.find("growth_rate (log scale)");
  const auto death = scatter.find("\"death_ratio\"");
  ASSERT_NE(growth, std::string::npos);
  ASSERT_NE(death, std::string::npos);
  EXPECT_NE(scatter.rfind("set logscale x", growth), std::string::npos);
  EXPECT_GT(scatter.rfind("unset logscale x", death), growth);
  // Tics at 0.02, 0.05, 0.1, 0.2 (not only whole decades), the range not widened to them.
  EXPECT_NE(scatter.find("\"0.05\" 0.05"), std::string::npos) << scatter;
  EXPECT_NE(script_named(scripts, "histogram_log").script.find("set logscale x"),
            std::string::npos);
  EXPECT_EQ(script_named(scripts, "histogram_lin").script.find("\nset logscale"),
            std::string::npos);
  EXPECT_NE(script_named(scripts, "probability_relapsed").script.find("set logscale x"),
            std::string::npos);
  EXPECT_NE(script_named(scripts, "convergence_y").script.find("set logscale x 2"),
            std::string::npos);
}

TEST(Figures, BarsAreHorizontalSortedAndMarked) {
  const auto scripts = figure_scripts(every_kind(), "png");
  const auto& tornado = script_named(scripts, "tornado_prcc_death_ratio");
  // Largest last in the data (drawn on top), significant bars coloured by sign, the others grey,
  // stars beside the significant ones, the dummy's band shaded behind.
  std::istringstream lines(tornado.data);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] != '#') rows.push_back(line);
  }
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows.back().rfind("\"growth_rate\"", 0), 0u);
  EXPECT_NE(rows.back().find("0x4477AA"), std::string::npos);
  EXPECT_NE(rows[2].find("0xEE6677"), std::string::npos);  // death_ratio: negative
  EXPECT_NE(rows[1].find("0xBBBBBB"), std::string::npos);  // sdf1_level: p >= 0.05
  EXPECT_NE(rows.back().find("\"***\""), std::string::npos);
  EXPECT_NE(tornado.script.find("set object 1 rect from -0.06, graph 0 to 0.06, graph 1"),
            std::string::npos);
  EXPECT_NE(tornado.script.find("boxxyerror"), std::string::npos);
  EXPECT_NE(tornado.script.find("dummy parameter"), std::string::npos);
  // Sobol' pairs: the negative S1 is inside the range, the absurd interval end is not.
  const auto& sobol = script_named(scripts, "sobol_y").script;
  const std::regex range(R"(set xrange \[([-0-9.e]+):([-0-9.e]+)\])");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(sobol, m, range)) << sobol;
  EXPECT_LT(std::stod(m[1]), -0.1);
  EXPECT_LE(std::stod(m[2]), 1.1);
}

// Every kind, drawn by gnuplot as PNG and SVG, where gnuplot is installed.
TEST(Figures, EveryKindDraws) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "gnuplot not installed";
  }
  const fs::path dir = fs::temp_directory_path() / ("tmex_figures_" + std::to_string(::getpid()));
  const auto scripts = figure_scripts(every_kind(), "pngcairo");
  write_figure_files(scripts, dir);
  for (const auto& s : scripts) {
    for (const char* format : {"png", "svg"}) {
      const std::string command = "cd '" + dir.string() + "' && gnuplot -e \"fmt='" + format +
                                  "'\" " + s.name + ".gp 2> " + s.name + "." + format + ".log";
      EXPECT_EQ(std::system(command.c_str()), 0) << s.name << "." << format;
      const fs::path image = dir / (s.name + "." + format);
      ASSERT_TRUE(fs::exists(image)) << image;
      EXPECT_GT(fs::file_size(image), 2000u) << image;
      std::ifstream log(dir / (s.name + "." + format + ".log"));
      const std::string errors(std::istreambuf_iterator<char>(log), {});
      EXPECT_EQ(errors.find("warning"), std::string::npos) << s.name << ": " << errors;
    }
  }
  fs::remove_all(dir);
}

TEST(Html, SectionsAreRenderedGenericallyAndSelfContained) {
  Report r{"tmex report: <x> & y", "sub", {}};
  Section contrast{"contrasts", "Arm contrasts"};  // a section kind the writer has never seen
  contrast.paragraphs = {"Differences between arms."};
  contrast.facts = {{"arms", "arms", std::vector<std::string>{"chemo", "chemo+il6"}}};
  Table t{"outputs", "output y", {{"output", "output", std::string("y")}}};
  t.columns = {{"arm", "arm", Role::kKey},
               {"difference", "difference", Role::kEstimate, text::NumberStyle::kCoefficient},
               {"ci_low", "95% CI", Role::kLow, text::NumberStyle::kCoefficient, "difference"},
               {"ci_high", "", Role::kHigh, text::NumberStyle::kCoefficient, "difference"},
               {"hidden", "hidden", Role::kDetail, text::NumberStyle::kGeneral, "", kJson}};
  t.rows = {{"chemo+il6", -0.12345, -0.2, -0.05, 1.0}};
  contrast.tables.push_back(t);
  Figure f = tornado_figure();
  f.output = "y";
  Figure g = histogram_figure(false);
  contrast.figures = {f, g};
  r.sections.push_back(contrast);
  HtmlInputs in;
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<svg width=\"10\" viewBox=\"0 0 10 10\"><title>Gnuplot</title>"
      "<defs><path id='gpPt0' d='M0,0'/></defs><g id=\"gnuplot_canvas\"><use "
      "xlink:href='#gpPt0'/></g></svg>";
  in.svg[figure_file_stem(f.name)] = svg;
  in.generator = "tmex test";
  std::ostringstream out;
  write_html(r, in, out);
  const std::string html = out.str();
  EXPECT_NE(html.find("<h2>Arm contrasts</h2>"), std::string::npos);
  EXPECT_NE(html.find("<title>tmex report: &lt;x&gt; &amp; y</title>"), std::string::npos);
  EXPECT_NE(html.find("[-0.2000, -0.0500]"), std::string::npos);  // the interval as one cell
  EXPECT_NE(html.find("-0.1235"), std::string::npos);
  EXPECT_EQ(html.find("hidden"), std::string::npos);  // a JSON-only column
  EXPECT_NE(html.find("<dt>arms</dt><dd>chemo, chemo+il6</dd>"), std::string::npos);
  EXPECT_NE(html.find("<meta name=\"tmex-figures\" content=\"2\">"), std::string::npos);
  // The figure follows its output's table; ids are prefixed; the XML prologue is gone.
  EXPECT_LT(html.find("<caption>output y</caption>"), html.find("data-figure=\"tornado_prcc"));
  EXPECT_NE(html.find("id='f1-gpPt0'"), std::string::npos);
  EXPECT_NE(html.find("xlink:href='#f1-gpPt0'"), std::string::npos);
  EXPECT_NE(html.find("id=\"f1-gnuplot_canvas\""), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_NE(html.find("<title>PRCC of final_burden</title>"), std::string::npos);
  // The figure without SVG is a visible gap, numbered like the others.
  EXPECT_NE(html.find("<div class=\"missing-figure\">Figure 2 (histogram_lin)"), std::string::npos);
  for (const char* external : {"<script", "<img", "<link", "http://", "https://"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
}

}  // namespace
}  // namespace tmex::report
