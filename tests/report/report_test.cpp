// Tests of the report model and its writers: every format carries the same numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>

#include "report/analysis_report.hpp"
#include "report/figures.hpp"
#include "report/writers.hpp"

namespace tmex::report {
namespace {

// An analysis of y = x1 + 2 x2 + 3 x3 + noise over 300 random points, with the runs where
// x1 < 0.06 failed (19 of them) and one event.
analysis::CampaignAnalysis linear_analysis(std::optional<analysis::Method> method = {}) {
  analysis::CampaignInfo c;
  c.source = "c.db";
  c.name = "linear";
  c.design = "lhs(n=300, k=3)";
  c.samples = 300;
  c.seed = 3;
  for (const char* p : {"x1", "x2", "x3"}) c.parameters.push_back({p, 0.0, 1.0});
  c.outputs = {"y"};
  analysis::RunTable t;
  t.columns = {"x1", "x2", "x3", "y"};
  t.rows = 300;
  t.values.resize(1200);
  std::mt19937_64 g(5);
  std::uniform_real_distribution<double> u;
  std::normal_distribution<double> e;
  for (std::size_t r = 0; r < 300; ++r) {
    for (std::size_t j = 0; j < 3; ++j) t.values[j * 300 + r] = u(g);
    const bool ok = t.values[r] >= 0.06;
    t.values[900 + r] =
        ok ? t.values[r] + 2 * t.values[300 + r] + 3 * t.values[600 + r] + 0.5 * e(g)
           : std::nan("");
    t.sample.push_back(r);
    t.replicate.push_back(0);
    t.block.push_back(0);
    t.ok.push_back(ok ? 1 : 0);
  }
  analysis::AnalysisRequest request{.method = method, .events = {analysis::parse_event("y > 3")}};
  request.bootstrap = 100;
  request.scatter = true;
  return analysis::analyse_campaign(c, t, analysis::plan_analysis(c, request));
}

std::string written(const Report& r, Format f) {
  std::ostringstream out;
  write_report(r, f, out);
  return out.str();
}

TEST(Report, EveryFormatCarriesTheNumbers) {
  const auto a = linear_analysis();
  const Report r = build_report(a);
  const double x3 = a.correlations.front().table.coefficient(2, 0);
  const std::string x3_text = text::format_number(x3, text::NumberStyle::kCoefficient);
  for (const Format f : {Format::kTable, Format::kMarkdown, Format::kCsv, Format::kJson}) {
    const std::string s = written(r, f);
    EXPECT_NE(s.find(x3_text.substr(0, 5)), std::string::npos) << s;
    EXPECT_NE(s.find("y > 3"), std::string::npos) << s;
  }
  // Sorted by |PRCC|: x3, then x2, then x1; markers from p (BH).
  const std::string table = written(r, Format::kTable);
  EXPECT_LT(table.find("  x3 "), table.find("  x2 "));
  EXPECT_LT(table.find("  x2 "), table.find("  x1 "));
  EXPECT_NE(table.find("***"), std::string::npos);
  EXPECT_NE(table.find("19 of 300 stored runs failed"), std::string::npos);
  EXPECT_NE(written(r, Format::kMarkdown).find("| parameter | PRCC | 95% CI | p | p (BH) |  |"),
            std::string::npos);
}

TEST(Report, JsonIsOneObjectOfSectionsWithExactNumbers) {
  const auto a = linear_analysis();
  const auto j = nlohmann::json::parse(written(build_report(a), Format::kJson));
  EXPECT_EQ(j["report"], "tmex analyze");
  EXPECT_EQ(j["campaign"]["runs_failed"], 19);
  EXPECT_EQ(j["campaign"]["methods"], (std::vector<std::string>{"prcc", "uncertainty"}));
  const auto& t = a.correlations.front().table;
  const auto& rows = j["prcc"]["outputs"][0]["rows"];
  EXPECT_EQ(j["prcc"]["outputs"][0]["output"], "y");
  EXPECT_EQ(rows[0]["parameter"], "x3");
  EXPECT_EQ(rows[0]["prcc"].get<double>(), t.coefficient(2, 0));  // exact, not rounded
  EXPECT_EQ(rows[0]["p_bh"].get<double>(), t.p_bh(2, 0));
  EXPECT_FALSE(rows[0].contains("marker"));  // text only
  EXPECT_EQ(j["failures"]["parameters"][0]["rows"].size(), 3u);
  EXPECT_EQ(j["events"]["events"][0]["rows"][0]["event"], "y > 3");
  EXPECT_EQ(j["uncertainty"]["outputs"][0]["rows"][0]["statistic"], "mean");
  EXPECT_TRUE(j["uncertainty"]["outputs"][0]["rows"].back()["ci_low"].is_null());  // max
  EXPECT_FALSE(j.contains("scatter"));                                             // figures only
}

TEST(Report, CsvIsLongFormatWithOneEstimatePerLine) {
  const auto a = linear_analysis(analysis::Method::kSrc);
  const std::string csv = written(build_report(a), Format::kCsv);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line,
            "section,output,parameter,time,statistic,estimate,ci_low,ci_high,p_value,p_adjusted");
  int src = 0, r2 = 0, failures = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 9) << line;
    src += line.rfind("src,y,x", 0) == 0;
    r2 += line.rfind("src,y,,,r_squared,", 0) == 0;
    failures += line.rfind("failures,,x", 0) == 0;
  }
  EXPECT_EQ(src, 3);
  EXPECT_EQ(r2, 1);
  EXPECT_EQ(failures, 3);
  const auto prcc_analysis = linear_analysis();
  const std::string prcc = written(build_report(prcc_analysis), Format::kCsv);
  const auto& t = prcc_analysis.correlations.front().table;
  EXPECT_NE(prcc.find("prcc,y,x3,,prcc," +
                      text::format_number(t.coefficient(2, 0), text::NumberStyle::kShortest) + "," +
                      text::format_number(t.ci_low(2, 0), text::NumberStyle::kShortest)),
            std::string::npos)
      << prcc;
  EXPECT_NE(prcc.find("uncertainty,y,,,q05,"), std::string::npos);
  EXPECT_NE(prcc.find("events,,,,y > 3,"), std::string::npos);
}

TEST(Report, FiguresComeFromTheModelWithTheirData) {
  const Report r = build_report(linear_analysis());
  const auto scripts = figure_scripts(r, "png");
  std::vector<std::string> names;
  for (const auto& s : scripts) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"tornado_prcc_y", "scatter_y", "convergence_y",
                                             "histogram_y"}));
  const auto& tornado = scripts[0];
  EXPECT_NE(tornado.script.find("set output 'tornado_prcc_y.png'"), std::string::npos);
  EXPECT_NE(tornado.script.find("plot 'tornado_prcc_y.dat'"), std::string::npos);
  // Largest last: x3 on the last data line.
  EXPECT_EQ(tornado.data.substr(tornado.data.rfind("\n\"") + 1, 4), "\"x3\"");
  EXPECT_EQ(std::count(scripts[1].data.begin(), scripts[1].data.end(), '\n'),
            282);  // # + 281 successful runs
}

std::string json_verdict(const Report& r) {
  return nlohmann::json::parse(written(r, Format::kJson))["checkpoints"]["verdict"];
}

TEST(Report, CheckpointsShowThePathAndTheVerdictInEveryFormat) {
  auto a = linear_analysis();
  analysis::CheckpointPath path;
  path.cap = 1200;
  for (unsigned c = 0; c < 3; ++c) {
    const std::uint64_t n = 75u << c;
    path.checkpoints.push_back(
        {c,
         n,
         n,
         c == 2 ? "converged" : "continue",
         c == 2 ? "converged: the top parameters keep their order" : "not converged: too wide",
         {{"y", "halfwidth", 0.2 / (c + 1.0), 0.08, c == 2, "x1"},
          {"y", "stable_top", 3, 3, c > 0, "x3, x2, x1"}}});
  }
  a.checkpoints = path;
  const Report r = build_report(a);
  ASSERT_GE(r.sections.size(), 2u);
  EXPECT_EQ(r.sections[1].key, "checkpoints");  // right after the campaign
  const std::string text = written(r, Format::kTable);
  EXPECT_NE(text.find("A campaign that stops itself: it converged at checkpoint 2 (300 samples, "
                      "300 runs, of at most"),
            std::string::npos)
      << text;
  EXPECT_EQ(json_verdict(r),
            "converged at checkpoint 2 (300 samples, 300 runs, of at most 1200 "
            "samples): the top parameters keep their order");
  const auto json = nlohmann::json::parse(written(r, Format::kJson));
  EXPECT_EQ(json["checkpoints"]["converged"], true);
  EXPECT_EQ(json["checkpoints"]["size"], 300);
  const auto& rows = json["checkpoints"]["criteria"][0]["rows"];
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[4]["criterion"], "halfwidth");
  EXPECT_DOUBLE_EQ(rows[4]["value"].get<double>(), 0.2 / 3.0);
  EXPECT_EQ(rows[4]["met"], true);
  EXPECT_NE(written(r, Format::kCsv).find("checkpoints,y,x1,,halfwidth_at_150,0.1,,,,\n"),
            std::string::npos);
  // Without checks, no section.
  EXPECT_NE(build_report(linear_analysis()).sections[1].key, "checkpoints");
}

TEST(Report, SignificanceMarkers) {
  EXPECT_EQ(significance_marker(0.0005), "***");
  EXPECT_EQ(significance_marker(0.005), "**");
  EXPECT_EQ(significance_marker(0.02), "*");
  EXPECT_EQ(significance_marker(0.2), "");
  EXPECT_EQ(significance_marker(std::nan("")), "");
  EXPECT_THROW(parse_format("xml"), std::invalid_argument);
  EXPECT_EQ(parse_format("markdown"), Format::kMarkdown);
}

}  // namespace
}  // namespace tmex::report
