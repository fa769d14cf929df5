// Tests of the report of a campaign with arms: every format carries the contrasts' numbers.
#include "report/arms_report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "report/figures.hpp"
#include "report/html_writer.hpp"
#include "report/writers.hpp"

namespace tmex::report {
namespace {

// 400 samples of x1, x2 under three arms: y = x1 + 2 x2 + noise under "ref"; "drug" lowers y by
// 2 x1 (a benefit that grows with x1, lower being better); "toxic" raises it by 0.5 where
// x2 > 0.5. A 0/1 event y > 2 that drug mostly prevents. The same noise in every arm.
analysis::ArmsAnalysis three_arms(bool directed = true) {
  analysis::CampaignInfo c;
  c.source = "arms.db";
  c.name = "three";
  c.design = "lhs(n=400, k=2)";
  c.samples = 400;
  c.seed = 3;
  c.parameters = {{"x1", 0.0, 1.0}, {"x2", 0.0, 1.0}};
  c.outputs = {"y", "event"};
  if (directed) c.better = {analysis::Direction::kLower, analysis::Direction::kLower};
  c.arms = {"ref", "drug", "toxic"};
  c.arm_overrides = {"{}", "{settings: {drug: 1}}", "{settings: {toxin: 1}}"};
  analysis::RunTable t;
  t.columns = {"x1", "x2", "y", "event"};
  std::vector<std::vector<double>> columns(4);
  std::mt19937_64 g(5);
  std::uniform_real_distribution<double> u;
  std::normal_distribution<double> e(0.0, 0.3);
  for (std::uint64_t s = 0; s < 400; ++s) {
    const double x1 = u(g), x2 = u(g), noise = e(g);
    for (std::uint32_t arm = 0; arm < 3; ++arm) {
      double y = x1 + 2 * x2 + noise;
      if (arm == 1) y -= 2 * x1;
      if (arm == 2 && x2 > 0.5) y += 0.5;
      columns[0].push_back(x1);
      columns[1].push_back(x2);
      columns[2].push_back(y);
      columns[3].push_back(y > 2 ? 1.0 : 0.0);
      t.sample.push_back(s);
      t.arm.push_back(arm);
      t.replicate.push_back(0);
      t.block.push_back(0);
      t.ok.push_back(1);
    }
  }
  t.rows = t.sample.size();
  for (const auto& col : columns) t.values.insert(t.values.end(), col.begin(), col.end());
  analysis::AnalysisRequest request;
  request.bootstrap = 200;
  analysis::ContrastRequest contrasts;
  contrasts.bootstrap = 200;
  contrasts.margin_outputs = {{"y", 0.01}};
  return analysis::analyse_arms(c, t, analysis::plan_analysis(c, request),
                                analysis::plan_contrasts(c, contrasts));
}

std::string written(const Report& r, Format f) {
  std::ostringstream out;
  write_report(r, f, out);
  return out.str();
}

TEST(ArmsReport, EveryFormatCarriesTheContrasts) {
  const auto a = three_arms();
  ASSERT_EQ(a.contrasts.size(), 2u);
  const auto& drug = a.contrasts[0].outputs[0];
  const Report r = build_arms_report(a);
  const std::string mean = text::format_number(drug.difference.mean, text::NumberStyle::kGeneral);
  for (const Format f : {Format::kTable, Format::kMarkdown}) {
    const std::string s = written(r, f);
    EXPECT_NE(s.find(mean), std::string::npos) << s;
    EXPECT_NE(s.find("toxic"), std::string::npos);
    EXPECT_NE(s.find("who is helped (beyond a margin of 0.01)"), std::string::npos) << s;
    EXPECT_NE(s.find("McNemar p"), std::string::npos);
  }
  // The text puts the arms side by side: one PRCC table per output with a column per arm.
  const std::string text = written(r, Format::kTable);
  EXPECT_NE(text.find("output y: PRCC by arm"), std::string::npos) << text;
  EXPECT_NE(text.find("   parameter  ref"), std::string::npos) << text;
  EXPECT_NE(text.find("output y by arm"), std::string::npos);
  // Drug's benefit grows with x1: its strongest predictor, negative (more benefit).
  EXPECT_NE(text.find("drug   x1 -"), std::string::npos) << text;

  const auto j = nlohmann::json::parse(written(r, Format::kJson));
  const auto& row = j["contrasts"]["outputs"][0]["rows"][0];
  EXPECT_EQ(row["arm"], "drug");
  EXPECT_EQ(row["reference"], "ref");
  EXPECT_EQ(row["mean"].get<double>(), drug.difference.mean);  // exact
  EXPECT_EQ(row["median_low"].get<double>(), drug.difference.median_low);
  EXPECT_EQ(row["p_benefit"].get<double>(), drug.benefit.probability);
  EXPECT_EQ(j["contrasts"]["outputs"][0]["margin"].get<double>(), 0.01);
  EXPECT_TRUE(row["prevented"].is_null());  // y is not 0/1
  const auto& event = j["contrasts"]["outputs"][1]["rows"][0];
  EXPECT_EQ(event["prevented"].get<int>(),
            static_cast<int>(a.contrasts[0].outputs[1].mcnemar->prevented));
  EXPECT_EQ(event["p_mcnemar"].get<double>(), a.contrasts[0].outputs[1].mcnemar->p_value);
  EXPECT_EQ(j["prcc"]["outputs"].size(), 6u);  // 3 arms x 2 outputs
  EXPECT_EQ(j["prcc"]["outputs"][2]["arm"], "drug");
  EXPECT_EQ(j["arms"]["arms"][0]["rows"][1]["overrides"], "{settings: {drug: 1}}");
  const auto& predictors = j["contrast_prcc"]["contrasts"][0];
  EXPECT_EQ(predictors["arm"], "drug");
  EXPECT_EQ(predictors["output"], "y");
  EXPECT_EQ(predictors["rows"][0]["parameter"], "x1");
  EXPECT_EQ(predictors["rows"][0]["prcc"].get<double>(),
            a.contrasts[0].predictors->coefficient(0, 0));
  EXPECT_EQ(j["subgroups"]["outputs"][0]["rows"].size(), 2u * 5 * 2);  // 2 contrasts, 2 parameters

  // CSV: arm and reference columns; one estimate per line.
  const std::string csv = written(r, Format::kCsv);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line,
            "section,arm,reference,output,parameter,time,statistic,estimate,ci_low,ci_high,"
            "p_value,p_adjusted");
  int contrast_lines = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 11) << line;
    contrast_lines +=
        line.rfind("contrasts,drug,ref,y,,,mean," +
                       text::format_number(drug.difference.mean, text::NumberStyle::kShortest),
                   0) == 0;
  }
  EXPECT_EQ(contrast_lines, 1) << csv;
}

TEST(ArmsReport, FiguresShowEveryArmsBenefit) {
  const Report r = build_arms_report(three_arms());
  const auto scripts = figure_scripts(r, "png");
  const auto find = [&](const std::string& name) -> const FigureScript* {
    for (const auto& s : scripts) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  const FigureScript* forest = find("forest_y");
  ASSERT_NE(forest, nullptr);
  EXPECT_NE(forest->script.find("with xerrorbars"), std::string::npos);
  EXPECT_NE(forest->script.find("set arrow 1 from first 0"), std::string::npos);
  // First contrast on top: last in the data file.
  EXPECT_EQ(forest->data.substr(forest->data.rfind("\n\"") + 1, 6), "\"drug\"");
  ASSERT_NE(find("benefit_drug_y"), nullptr);
  EXPECT_NE(find("tornado_prcc_y_toxic"), nullptr);
  EXPECT_NE(find("histogram_event_ref"), nullptr);
}

// Without a direction there is no benefit: the text shows increases and decreases instead, and
// says how to set one.
TEST(ArmsReport, OutputsWithoutADirectionShowSigns) {
  const auto a = three_arms(false);
  const std::string text = written(build_arms_report(a), Format::kTable);
  const auto j = nlohmann::json::parse(written(build_arms_report(a), Format::kJson));
  const std::string directions = j["contrasts"]["text"][1];
  EXPECT_NE(directions.find("no better direction declared for y, event"), std::string::npos)
      << directions;
  EXPECT_NE(directions.find("--better lower|higher"), std::string::npos);
  // 0/1 outputs still show what the arm prevented and caused.
  EXPECT_EQ(text.find("output y: who is helped"), std::string::npos);
  EXPECT_NE(text.find("output event: who is helped"), std::string::npos);
  EXPECT_TRUE(j["contrasts"]["outputs"][0]["rows"][0]["p_benefit"].is_null());
}

// The HTML document of a campaign with arms: the contrasts' tables with their intervals, who is
// helped with McNemar, the predictors and fifths, each output's forest plot after its difference
// table, and P(benefit) along the top parameter for a 0/1 output instead of a scatter of -1/0/1.
TEST(ArmsReport, TheHtmlDocumentAnswersWhichArmHelpsAndWhom) {
  const auto a = three_arms();
  const Report r = build_arms_report(a);
  const auto figure = [&](const std::string& name) -> const Figure* {
    for (const auto& s : r.sections) {
      for (const auto& f : s.figures) {
        if (f.name == name) return &f;
      }
    }
    return nullptr;
  };
  ASSERT_NE(figure("benefit_drug_y"), nullptr);
  EXPECT_EQ(figure("benefit_drug_y")->kind, FigureKind::kScatter);
  const Figure* event = figure("benefit_drug_event");
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->kind, FigureKind::kProbability);
  ASSERT_EQ(event->data.rows.size(), static_cast<std::size_t>(analysis::kBenefitBins));
  // Drug prevents the event more where x1 is large: P(benefit) rises from the first bin to the
  // last, each a share within its Wilson interval.
  EXPECT_LT(std::get<double>(event->data.rows.front()[4]),
            std::get<double>(event->data.rows.back()[4]));
  for (const auto& row : event->data.rows) {
    EXPECT_LE(std::get<double>(row[5]), std::get<double>(row[4]));
    EXPECT_GE(std::get<double>(row[6]), std::get<double>(row[4]));
  }

  HtmlInputs in;
  in.generator = "tmex test";
  std::ostringstream out;
  write_html(r, in, out);
  const std::string html = out.str();
  const auto at = [&](const std::string& s) {
    const auto p = html.find(s);
    EXPECT_NE(p, std::string::npos) << s;
    return p;
  };
  const auto contrasts = at("<section id=\"sec-contrasts\">");
  const auto predictors = at("<section id=\"sec-contrast_prcc\">");
  const auto fifths = at("<section id=\"sec-subgroups\">");
  EXPECT_LT(contrasts, predictors);
  EXPECT_LT(predictors, fifths);
  // The difference table, then its forest plot, then who is helped.
  const auto y_table = at("<caption>output y (lower is better): paired difference, arm - ref");
  const auto forest = at("data-figure=\"forest_y\"");
  const auto y_helped = at("<caption>output y: who is helped (beyond a margin of 0.01)");
  EXPECT_LT(contrasts, y_table);
  EXPECT_LT(y_table, forest);
  EXPECT_LT(forest, y_helped);
  EXPECT_LT(y_helped, predictors);
  const auto& drug = a.contrasts[0].outputs[0];
  const auto g = [](double v) { return text::format_number(v, text::NumberStyle::kGeneral); };
  at("<td class=\"num\">" + g(drug.difference.mean) + "</td><td class=\"num\">[" +
     g(drug.difference.mean_low) + ", " + g(drug.difference.mean_high) + "]</td>");
  at("<td class=\"num\">" +
     text::format_number(drug.benefit.probability, text::NumberStyle::kCoefficient) + "</td>");
  for (const char* heading : {"<th>P(benefit)</th>", "<th>prevented</th>", "<th>caused</th>",
                              "<th>McNemar p</th>", "<th>median diff</th>", "<th>fifth</th>"}) {
    EXPECT_NE(html.find(heading, contrasts), std::string::npos) << heading;
  }
  const auto& e = *a.contrasts[0].outputs[1].mcnemar;
  at("<td>drug</td><td class=\"num\">" +
     text::format_number(a.contrasts[0].outputs[1].benefit.probability,
                         text::NumberStyle::kCoefficient));
  EXPECT_NE(html.find(text::format_number(e.p_value, text::NumberStyle::kPValue), contrasts),
            std::string::npos);
  // Who benefits: drug's strongest predictor of y is x1, negative (more benefit); its scatter
  // and the event's P(benefit) figure sit in that section.
  EXPECT_NE(html.find("<td>x1 -", predictors), std::string::npos);
  EXPECT_GT(html.find("data-figure=\"benefit_drug_y\""), predictors);
  EXPECT_LT(html.find("data-figure=\"benefit_drug_event\""), fifths);
  EXPECT_NE(html.find("P(event prevented by drug vs ref)"), std::string::npos);
  // Each arm's usual analysis is there too, one figure per arm.
  at("data-figure=\"tornado_prcc_y_toxic\"");
  at("<li>toxic: {settings: {toxin: 1}}");
}

}  // namespace
}  // namespace tmex::report
