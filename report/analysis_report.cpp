// build_report(): one function per section of the report of a campaign analysis.
#include "report/analysis_report.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "text/strings.hpp"

namespace tmex::report {

namespace {

using analysis::CampaignAnalysis;
using text::NumberStyle;

std::string number(double v, NumberStyle style) { return text::format_number(v, style); }

std::string percent(double c) { return number(100.0 * c, NumberStyle::kShortest) + "%"; }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

auto as_int(std::uint64_t v) { return static_cast<std::int64_t>(v); }

// Rows of column j of `values` by decreasing magnitude (NaN last).
std::vector<Eigen::Index> by_size(const Eigen::MatrixXd& values, Eigen::Index j) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(values.rows()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    const double x = std::abs(values(a, j)), y = std::abs(values(b, j));
    if (std::isnan(x)) return false;
    if (std::isnan(y)) return true;
    return x > y;
  });
  return order;
}

// Columns of an interval of `of` headed by the confidence level.
std::vector<Column> interval(const std::string& of, double confidence, NumberStyle style,
                             const std::string& low = "ci_low",
                             const std::string& high = "ci_high") {
  return {{low, percent(confidence) + " CI", Role::kLow, style, of},
          {high, "", Role::kHigh, style, of}};
}

std::vector<Column> concat(std::vector<Column> a, const std::vector<Column>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Fact output_fact(const std::string& output) { return {"output", "output", output}; }

Section campaign_section(const CampaignAnalysis& a) {
  const auto& c = a.campaign;
  Section s{"campaign", "Campaign"};
  std::vector<std::string> methods;
  for (const auto m : a.plan.methods) methods.push_back(analysis::method_name(m));
  s.facts = {
      {"store", "store", c.source},
      {"campaign", "campaign", c.name},
      {"model", "model", c.model + " (version " + std::to_string(c.model_version) + ")", {}, kText},
      {"model", "", c.model, {}, kData},
      {"model_version", "", std::int64_t{c.model_version}, {}, kData},
      {"design", "design", c.design},
      {"design_kind", "design kind", analysis::design_kind_name(c.layout.kind), {}, kData},
      {"runs",
       "runs",
       std::to_string(a.stored_runs) + " stored of " + std::to_string(c.total_runs()) + ": " +
           std::to_string(a.ok_runs) + " ok, " + std::to_string(a.failed_runs) +
           " failed (excluded)",
       {},
       kText},
      {"runs_total", "", as_int(c.total_runs()), {}, kData},
      {"runs_stored", "", as_int(a.stored_runs), {}, kData},
      {"runs_ok", "", as_int(a.ok_runs), {}, kData},
      {"runs_failed", "", as_int(a.failed_runs), {}, kData},
      {"replicates",
       "replicates",
       std::int64_t{c.replicates},
       {},
       c.replicates > 1 ? kEveryone : kData},
      {"sensitivity_rows", "", as_int(a.sensitivity_rows), {}, kData},
      {"confidence", "", a.plan.confidence, {}, kData},
      {"bootstrap_resamples", "", std::int64_t{a.plan.resamples}, {}, kData},
      {"seed", "", as_int(a.plan.seed), {}, kData},
      {"methods", "methods", methods},
  };
  return s;
}

// The path of a campaign that stops itself: each checkpoint, its criteria and the decision.
Section checkpoints_section(const analysis::CheckpointPath& path) {
  Section s{"checkpoints", "Checkpoints"};
  s.paragraphs = {"A campaign that stops itself: it " + path.verdict() + "."};
  const auto& last = path.checkpoints.back();
  s.facts = {{"converged", "", path.converged(), {}, kData},
             {"decision", "", last.decision, {}, kData},
             {"checkpoint", "", std::int64_t{last.checkpoint}, {}, kData},
             {"size", "", as_int(last.size), {}, kData},
             {"unit", "", path.unit, {}, kData},
             {"cap", "", as_int(path.cap), {}, kData},
             {"verdict", "", path.verdict(), {}, kJson}};
  Table t{"criteria", "", {}, {}, {}, kText | kJson};
  t.columns = {{"checkpoint", "#", Role::kKey},
               {"size", path.unit, Role::kKey},
               {"runs", "runs", Role::kKey, NumberStyle::kGeneral, "", kData},
               {"decision", "decision", Role::kKey},
               {"output", "output", Role::kKey},
               {"criterion", "criterion", Role::kStatistic},
               {"value", "value", Role::kEstimate, NumberStyle::kBrief},
               {"target", "target", Role::kDetail, NumberStyle::kBrief, "value"},
               {"met", "met", Role::kDetail, NumberStyle::kGeneral, "value"},
               {"detail", "detail", Role::kDetail, NumberStyle::kGeneral, "value"}};
  for (const auto& c : path.checkpoints) {
    for (const auto& k : c.criteria) {
      t.rows.push_back({std::int64_t{c.checkpoint}, as_int(c.size), as_int(c.runs), c.decision,
                        k.output, k.criterion, k.value, k.target, k.met, k.detail});
    }
    if (c.criteria.empty()) {
      t.rows.push_back({std::int64_t{c.checkpoint}, as_int(c.size), as_int(c.runs), c.decision,
                        std::string(), std::string("error"), std::monostate{}, std::monostate{},
                        false, c.summary});
    }
  }
  s.tables.push_back(std::move(t));
  // CSV, one estimate per line: "halfwidth_at_2000" of an output, with the widest index.
  Table csv{"criteria", "", {}, {}, {}, kCsv};
  csv.columns = {{"output", "output", Role::kKey},
                 {"parameter", "parameter", Role::kKey},
                 {"statistic", "statistic", Role::kStatistic},
                 {"value", "value"}};
  for (const auto& c : path.checkpoints) {
    for (const auto& k : c.criteria) {
      csv.rows.push_back({k.output, k.criterion == "halfwidth" ? k.detail : std::string(),
                          k.criterion + "_at_" + std::to_string(c.size), k.value});
    }
  }
  s.tables.push_back(std::move(csv));
  return s;
}

Section failures_section(const CampaignAnalysis& a) {
  Section s{"failures", "Failures"};
  if (!a.failures) {
    s.paragraphs = {"No run failed."};
    return s;
  }
  const auto& f = *a.failures;
  const auto& t = f.test;
  s.paragraphs = {f.summary};
  s.facts = {{"failed", "", std::int64_t{t.failed}, {}, kData},
             {"succeeded", "", std::int64_t{t.succeeded}, {}, kData}};
  Table table{"parameters", "", {}, {}, {}, kData};
  table.columns = {
      {"parameter", "parameter", Role::kKey},
      {"effect", "P(failed > ok)", Role::kEstimate, NumberStyle::kCoefficient},
      {"z", "z", Role::kDetail, NumberStyle::kGeneral, "effect"},
      {"p", "p", Role::kPValue, NumberStyle::kPValue, "effect"},
      {"p_bonferroni", "p (Bonferroni)", Role::kPAdjusted, NumberStyle::kPValue, "effect"},
      {"median_failed", "median failed", Role::kDetail, NumberStyle::kGeneral, "effect"},
      {"median_ok", "median ok", Role::kDetail, NumberStyle::kGeneral, "effect"}};
  for (Eigen::Index i = 0; i < t.p_value.size(); ++i) {
    table.rows.push_back({t.parameters[static_cast<std::size_t>(i)], t.effect[i], t.z[i],
                          t.p_value[i], t.p_bonferroni[i], t.median_failed[i],
                          t.median_succeeded[i]});
  }
  s.tables.push_back(std::move(table));
  return s;
}

Figure tornado(const std::string& coefficient, const analysis::CorrelationTable& t,
               Eigen::Index j) {
  const auto& output = t.outputs[static_cast<std::size_t>(j)];
  const std::string label = upper(coefficient);
  Figure f{FigureKind::kTornado, "tornado_" + coefficient + "_" + output,
           label + " of " + output + " (" + percent(t.confidence) + " CI, " +
               std::to_string(t.samples) + " rows)",
           label, ""};
  f.data.columns = {{"parameter", "", Role::kKey},
                    {coefficient},
                    {"ci_low", "", Role::kLow, NumberStyle::kCoefficient, coefficient},
                    {"ci_high", "", Role::kHigh, NumberStyle::kCoefficient, coefficient}};
  auto order = by_size(t.coefficient, j);
  std::reverse(order.begin(), order.end());  // largest on top
  for (const auto i : order) {
    f.data.rows.push_back({t.parameters[static_cast<std::size_t>(i)], t.coefficient(i, j),
                           t.ci_low(i, j), t.ci_high(i, j)});
  }
  return f;
}

std::string correlation_heading(analysis::Coefficient c) {
  switch (c) {
    case analysis::Coefficient::kPrcc:
      return "PRCC: partial rank correlation coefficients";
    case analysis::Coefficient::kPcc:
      return "PCC: partial correlation coefficients";
    case analysis::Coefficient::kPearson:
      return "Pearson correlation coefficients";
    case analysis::Coefficient::kSpearman:
      return "Spearman rank correlation coefficients";
    case analysis::Coefficient::kSrc:
      return "SRC: standardised regression coefficients";
    case analysis::Coefficient::kSrrc:
      return "SRRC: standardised rank regression coefficients";
  }
  return "";
}

Section correlation_section(const analysis::CorrelationResult& c) {
  const auto& t = c.table;
  const std::string name = analysis::coefficient_name(c.coefficient);
  Section s{name, correlation_heading(c.coefficient)};
  s.paragraphs = {std::to_string(t.samples) + " rows; " + percent(t.confidence) +
                  " Fisher-z intervals; two-sided p from Student's t (df = " +
                  number(t.degrees_of_freedom, NumberStyle::kShortest) +
                  "); p (BH) adjusted by Benjamini-Hochberg across all " +
                  std::to_string(t.coefficient.size()) +
                  " parameter-output pairs; * p (BH) < 0.05, ** < 0.01, *** < 0.001. Parameters "
                  "sorted by |coefficient|."};
  s.facts = {{"analysed_rows", "", std::int64_t{t.samples}, {}, kData},
             {"degrees_of_freedom", "", t.degrees_of_freedom, {}, kData},
             {"controlled", "", std::int64_t{t.controlled}, {}, kData},
             {"confidence", "", t.confidence, {}, kData}};
  const std::vector<Column> columns =
      concat(concat({{"parameter", "parameter", Role::kKey},
                     {name, upper(name), Role::kEstimate, NumberStyle::kCoefficient}},
                    interval(name, t.confidence, NumberStyle::kCoefficient)),
             {{"t", "t", Role::kDetail, NumberStyle::kGeneral, name, kData},
              {"p", "p", Role::kPValue, NumberStyle::kPValue, name},
              {"p_bonferroni", "p (Bonferroni)", Role::kDetail, NumberStyle::kPValue, name, kData},
              {"p_bh", "p (BH)", Role::kPAdjusted, NumberStyle::kPValue, name},
              {"marker", "", Role::kMarker, NumberStyle::kGeneral, name, kText}});
  for (Eigen::Index j = 0; j < t.coefficient.cols(); ++j) {
    const auto& output = t.outputs[static_cast<std::size_t>(j)];
    Table table{"outputs", "output " + output, {output_fact(output)}, columns};
    for (const auto i : by_size(t.coefficient, j)) {
      table.rows.push_back({t.parameters[static_cast<std::size_t>(i)], t.coefficient(i, j),
                            t.ci_low(i, j), t.ci_high(i, j), t.t_statistic(i, j), t.p_value(i, j),
                            t.p_bonferroni(i, j), t.p_bh(i, j), significance_marker(t.p_bh(i, j))});
    }
    s.tables.push_back(std::move(table));
    s.figures.push_back(tornado(name, t, j));
  }
  return s;
}

Section regression_section(const analysis::RegressionResult& g) {
  const auto& t = g.table;
  const std::string name = analysis::coefficient_name(g.coefficient);
  Section s{name, correlation_heading(g.coefficient)};
  s.paragraphs = {std::to_string(t.samples) + " rows. R^2 is the share of the output's " +
                  (g.coefficient == analysis::Coefficient::kSrrc ? "rank " : "") +
                  "variance the linear model explains; below about 0.7 the coefficients miss "
                  "much of it."};
  s.facts = {{"analysed_rows", "", std::int64_t{t.samples}, {}, kData}};
  for (Eigen::Index j = 0; j < t.coefficient.cols(); ++j) {
    const auto& output = t.outputs[static_cast<std::size_t>(j)];
    Table table{
        "outputs",
        "output " + output + " (R^2 = " + number(t.r_squared[j], NumberStyle::kCoefficient) + ")",
        {output_fact(output),
         {"r_squared", "R^2", t.r_squared[j], NumberStyle::kCoefficient, kData, true}},
        {{"parameter", "parameter", Role::kKey},
         {name, upper(name), Role::kEstimate, NumberStyle::kCoefficient}}};
    for (const auto i : by_size(t.coefficient, j)) {
      table.rows.push_back({t.parameters[static_cast<std::size_t>(i)], t.coefficient(i, j)});
    }
    s.tables.push_back(std::move(table));
  }
  return s;
}

Figure index_bars(const analysis::SobolIndices& s, Eigen::Index j) {
  const auto& output = s.outputs[static_cast<std::size_t>(j)];
  Figure f{FigureKind::kIndexBars, "sobol_" + output,
           "Sobol' indices of " + output + " (" + percent(s.confidence) + " bootstrap CI, " +
               std::to_string(s.base_rows) + " base rows)",
           "", "index"};
  f.data.columns = concat(
      concat({{"parameter", "", Role::kKey}, {"first", "S1 (first order)"}},
             interval("first", s.confidence, NumberStyle::kCoefficient, "first_low", "first_high")),
      concat({{"total", "ST (total)"}}, interval("total", s.confidence, NumberStyle::kCoefficient,
                                                 "total_low", "total_high")));
  for (const auto i : by_size(s.total, j)) {
    f.data.rows.push_back({s.parameters[static_cast<std::size_t>(i)], s.first(i, j),
                           s.first_low(i, j), s.first_high(i, j), s.total(i, j), s.total_low(i, j),
                           s.total_high(i, j)});
  }
  return f;
}

Section sobol_section(const analysis::SobolIndices& s) {
  Section sec{"sobol", "Sobol' indices"};
  sec.paragraphs = {std::to_string(s.base_rows) +
                    " base rows; first order S1 (Saltelli 2010) and total ST (Jansen 1999); " +
                    percent(s.confidence) + " percentile bootstrap intervals over the base rows (" +
                    std::to_string(s.resamples) +
                    " resamples). Parameters sorted by ST. ST - S1 is the share of variance from "
                    "interactions."};
  sec.facts = {{"base_rows", "", std::int64_t{s.base_rows}, {}, kData},
               {"resamples", "", std::int64_t{s.resamples}, {}, kData},
               {"confidence", "", s.confidence, {}, kData}};
  const std::vector<Column> columns =
      concat(concat(concat({{"parameter", "parameter", Role::kKey},
                            {"first", "S1", Role::kEstimate, NumberStyle::kCoefficient}},
                           interval("first", s.confidence, NumberStyle::kCoefficient, "first_low",
                                    "first_high")),
                    {{"total", "ST", Role::kEstimate, NumberStyle::kCoefficient}}),
             interval("total", s.confidence, NumberStyle::kCoefficient, "total_low", "total_high"));
  for (Eigen::Index j = 0; j < s.first.cols(); ++j) {
    const auto& output = s.outputs[static_cast<std::size_t>(j)];
    Table table{
        "outputs",
        "output " + output + " (variance " + number(s.variance[j], NumberStyle::kGeneral) + ")",
        {output_fact(output),
         {"variance", "variance", s.variance[j], NumberStyle::kGeneral, kData, true}},
        columns};
    for (const auto i : by_size(s.total, j)) {
      table.rows.push_back({s.parameters[static_cast<std::size_t>(i)], s.first(i, j),
                            s.first_low(i, j), s.first_high(i, j), s.total(i, j), s.total_low(i, j),
                            s.total_high(i, j)});
    }
    sec.tables.push_back(std::move(table));
    sec.figures.push_back(index_bars(s, j));
  }
  return sec;
}

Section morris_section(const analysis::MorrisEffects& s, double confidence) {
  Section sec{"morris", "Morris elementary effects"};
  sec.paragraphs = {std::to_string(s.trajectories) +
                    " trajectories; effects per unit fraction of each parameter's range. mu* "
                    "(mean |EE|) ranks importance, mu its sign, sigma non-linearity or "
                    "interactions. Intervals of mu*: " +
                    percent(confidence) + " percentile bootstrap. Parameters sorted by mu*."};
  sec.facts = {{"trajectories", "", std::int64_t{s.trajectories}, {}, kData}};
  const std::vector<Column> columns = concat(
      concat({{"parameter", "parameter", Role::kKey}, {"mu_star", "mu*"}},
             interval("mu_star", confidence, NumberStyle::kGeneral, "mu_star_low", "mu_star_high")),
      {{"mu", "mu"},
       {"sigma", "sigma"},
       {"effects", "effects", Role::kDetail, NumberStyle::kGeneral, "mu_star"}});
  for (Eigen::Index j = 0; j < s.mu.cols(); ++j) {
    const auto& output = s.outputs[static_cast<std::size_t>(j)];
    Table table{"outputs", "output " + output, {output_fact(output)}, columns};
    Figure f{
        FigureKind::kMuSigma, "morris_" + output,
        "Morris screening of " + output + " (" + std::to_string(s.trajectories) + " trajectories)",
        "mu* (mean |elementary effect|)", "sigma"};
    f.data.columns = {{"parameter", "", Role::kKey}, {"mu_star"}, {"mu"}, {"sigma"}};
    for (const auto i : by_size(s.mu_star, j)) {
      const auto& p = s.parameters[static_cast<std::size_t>(i)];
      table.rows.push_back({p, s.mu_star(i, j), s.mu_star_low(i, j), s.mu_star_high(i, j),
                            s.mu(i, j), s.sigma(i, j),
                            std::int64_t{s.effects[static_cast<std::size_t>(i)]}});
    }
    for (Eigen::Index i = 0; i < s.mu.rows(); ++i) {
      f.data.rows.push_back(
          {s.parameters[static_cast<std::size_t>(i)], s.mu_star(i, j), s.mu(i, j), s.sigma(i, j)});
    }
    sec.tables.push_back(std::move(table));
    sec.figures.push_back(std::move(f));
  }
  return sec;
}

Section convergence_section(const analysis::ConvergenceReport& c, bool base_rows) {
  Section s{"convergence", "Convergence"};
  std::vector<std::string> sizes;
  for (const auto n : c.sample_sizes) sizes.push_back(std::to_string(n));
  s.paragraphs = {"Indices recomputed on the leading " + text::join(sizes) + " " +
                  (base_rows ? "base rows" : "rows") + ": " + c.verdict + "."};
  const std::vector<std::int64_t> size_values(c.sample_sizes.begin(), c.sample_sizes.end());
  s.facts = {{"converged", "", c.converged, {}, kJson},
             {"max_change", "", c.max_change, {}, kData, true},
             {"tolerance", "", c.tolerance, {}, kJson},
             {"worst_row", "", c.worst_row, {}, kJson},
             {"worst_output", "", c.worst_output, {}, kJson},
             {"verdict", "", c.verdict, {}, kJson},
             {"sample_sizes", "", size_values, {}, kJson}};
  Table steps{"steps", "", {}, {}, {}, kJson};
  steps.columns = {{"size", "size", Role::kKey},
                   {"output", "output", Role::kKey},
                   {"index", "index", Role::kKey},
                   {"value", "value"}};
  for (std::size_t n = 0; n < c.sample_sizes.size(); ++n) {
    for (Eigen::Index j = 0; j < c.values[n].cols(); ++j) {
      for (Eigen::Index i = 0; i < c.values[n].rows(); ++i) {
        steps.rows.push_back({std::int64_t{c.sample_sizes[n]},
                              c.outputs[static_cast<std::size_t>(j)],
                              c.rows[static_cast<std::size_t>(i)], c.values[n](i, j)});
      }
    }
  }
  s.tables.push_back(std::move(steps));
  return s;
}

Section time_course_section(const std::vector<analysis::TimeCourseCorrelation>& courses) {
  Section s{"prcc_over_time", "PRCC over time"};
  constexpr std::size_t kMaxColumns = 12;
  for (const auto& tc : courses) {
    const auto& t = tc.table;
    const std::size_t nt = tc.times.size();
    const std::size_t step = (nt + kMaxColumns - 1) / kMaxColumns;
    // Text: parameters against (at most 12) times, markers from the BH-adjusted p.
    Table wide{"wide",
               tc.variable + ": " + std::to_string(t.samples) +
                   " rows; markers from p adjusted by Benjamini-Hochberg across all parameters "
                   "and times" +
                   (step > 1 ? "; every " + std::to_string(step) + "th time shown" : ""),
               {},
               {{"parameter", "parameter", Role::kKey}},
               {},
               kText};
    for (std::size_t ti = 0; ti < nt; ti += step) {
      wide.columns.push_back(
          {"t", "t=" + number(tc.times[ti], NumberStyle::kGeneral), Role::kMarker});
    }
    Table data{"variables", "", {{"output", "variable", tc.variable}}, {}, {}, kData};
    data.columns = concat(concat({{"parameter", "parameter", Role::kKey},
                                  {"time", "time", Role::kKey},
                                  {"prcc", "PRCC", Role::kEstimate, NumberStyle::kCoefficient}},
                                 interval("prcc", t.confidence, NumberStyle::kCoefficient)),
                          {{"p", "p", Role::kPValue, NumberStyle::kPValue, "prcc"},
                           {"p_bh", "p (BH)", Role::kPAdjusted, NumberStyle::kPValue, "prcc"}});
    Figure f{FigureKind::kLines, "prcc_time_" + tc.variable, "PRCC over time of " + tc.variable,
             "time", "PRCC"};
    f.data.columns = {{"t", "t", Role::kKey}};
    for (const auto& p : t.parameters) f.data.columns.push_back({p, p});
    for (std::size_t ti = 0; ti < nt; ++ti) f.data.rows.push_back({tc.times[ti]});
    for (Eigen::Index i = 0; i < t.coefficient.rows(); ++i) {
      const auto& p = t.parameters[static_cast<std::size_t>(i)];
      std::vector<Value> row = {p};
      for (std::size_t ti = 0; ti < nt; ti += step) {
        const auto c = static_cast<Eigen::Index>(ti);
        row.emplace_back(number(t.coefficient(i, c), NumberStyle::kCoefficient) +
                         significance_marker(t.p_bh(i, c)));
      }
      wide.rows.push_back(std::move(row));
      for (std::size_t ti = 0; ti < nt; ++ti) {
        const auto c = static_cast<Eigen::Index>(ti);
        data.rows.push_back({p, tc.times[ti], t.coefficient(i, c), t.ci_low(i, c), t.ci_high(i, c),
                             t.p_value(i, c), t.p_bh(i, c)});
        f.data.rows[ti].emplace_back(t.coefficient(i, c));
      }
    }
    s.tables.push_back(std::move(wide));
    s.tables.push_back(std::move(data));
    s.figures.push_back(std::move(f));
  }
  return s;
}

std::string quantile_name(double level) {
  const std::string digits = number(100.0 * level, NumberStyle::kShortest);
  return "q" + (digits.size() < 2 ? "0" + digits : digits);
}

Section uncertainty_section(const analysis::UncertaintyResult& u, double confidence) {
  Section s{"uncertainty", "Uncertainty"};
  const std::string intervals =
      u.intervals == analysis::SummaryIntervals::kLargeSample
          ? "large-sample intervals (normal for the mean, delta method for the sd, order "
            "statistics for the quantiles)"
          : "percentile bootstrap intervals (" + std::to_string(u.resamples) + " resamples)";
  s.paragraphs = {std::to_string(u.runs) + " runs; " + percent(confidence) + " " + intervals +
                  "; quantiles of type 7."};
  s.facts = {{"runs", "", as_int(u.runs), {}, kData},
             {"intervals", "", intervals, {}, kData},
             {"confidence", "", confidence, {}, kData}};
  const std::vector<Column> columns =
      concat({{"statistic", "statistic", Role::kStatistic}, {"estimate", "estimate"}},
             interval("estimate", confidence, NumberStyle::kGeneral));
  for (std::size_t o = 0; o < u.summaries.size(); ++o) {
    const auto& q = u.summaries[o];
    Table table{"outputs",
                "output " + q.output,
                {output_fact(q.output),
                 {"samples", "", std::int64_t{q.samples}, {}, kJson},
                 {"resamples", "", std::int64_t{q.resamples}, {}, kJson}},
                columns};
    table.rows.push_back({"mean", q.mean, q.mean_low, q.mean_high});
    table.rows.push_back({"sd", q.sd, q.sd_low, q.sd_high});
    for (std::size_t l = 0; l < q.levels.size(); ++l) {
      table.rows.push_back(
          {quantile_name(q.levels[l]), q.quantiles[l], q.quantile_low[l], q.quantile_high[l]});
    }
    table.rows.push_back({"min", q.min, Value{}, Value{}});
    table.rows.push_back({"max", q.max, Value{}, Value{}});
    s.tables.push_back(std::move(table));
    const auto& h = u.histograms[o];
    Table bins{"histogram", "", {output_fact(q.output)}, {}, {}, kJson};
    bins.columns = {{"bin_low", "bin low", Role::kKey},
                    {"bin_high", "bin high", Role::kKey},
                    {"count", "runs"}};
    for (std::size_t b = 0; b < h.counts.size(); ++b) {
      bins.rows.push_back({h.edges[b], h.edges[b + 1], std::int64_t{h.counts[b]}});
    }
    Figure f{FigureKind::kHistogram,
             "histogram_" + q.output,
             q.output + ": " + std::to_string(q.samples) + " runs, mean " +
                 number(q.mean, NumberStyle::kGeneral) + ", sd " +
                 number(q.sd, NumberStyle::kGeneral),
             q.output,
             "runs",
             bins};
    s.tables.push_back(std::move(bins));
    s.figures.push_back(std::move(f));
  }
  return s;
}

Section events_section(const std::vector<analysis::EventResult>& events, double confidence) {
  Section s{"events", "Events"};
  s.facts = {{"interval", "", std::string("wilson"), {}, kJson}};
  Table table{"events", "probability over the successful runs; " + percent(confidence) +
                            " Wilson score intervals"};
  table.columns = concat({{"event", "event", Role::kStatistic},
                          {"runs", "runs", Role::kDetail, NumberStyle::kGeneral, "probability"},
                          {"events", "events", Role::kDetail, NumberStyle::kGeneral, "probability"},
                          {"probability", "P"}},
                         interval("probability", confidence, NumberStyle::kGeneral));
  for (const auto& e : events) {
    const auto& p = e.probability;
    table.rows.push_back({e.event.text(), std::int64_t{p.samples}, std::int64_t{p.events},
                          p.probability, p.ci_low, p.ci_high});
  }
  s.tables.push_back(std::move(table));
  return s;
}

// Scatter plots of each output against its three most influential parameters (by the first
// correlation or regression table; in design order without one).
std::vector<Figure> scatter_figures(const analysis::ScatterSample& sample,
                                    const CampaignAnalysis& a) {
  std::vector<Figure> figures;
  const auto k = static_cast<Eigen::Index>(sample.parameters.size());
  for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(sample.outputs.size()); ++j) {
    const auto& output = sample.outputs[static_cast<std::size_t>(j)];
    std::vector<Eigen::Index> top(static_cast<std::size_t>(k));
    std::iota(top.begin(), top.end(), Eigen::Index{0});
    if (!a.correlations.empty()) {
      top = by_size(a.correlations.front().table.coefficient, j);
    } else if (!a.regressions.empty()) {
      top = by_size(a.regressions.front().table.coefficient, j);
    }
    top.resize(std::min<std::size_t>(3, top.size()));
    Figure f{
        FigureKind::kScatter, "scatter_" + output,
        output + " against its top parameters (" + std::to_string(sample.inputs.rows()) + " rows)",
        "", output};
    for (const auto i : top) {
      const auto& p = sample.parameters[static_cast<std::size_t>(i)];
      f.data.columns.push_back({p, p});
    }
    f.data.columns.push_back({output, output});
    for (Eigen::Index r = 0; r < sample.inputs.rows(); ++r) {
      std::vector<Value> row;
      for (const auto i : top) row.emplace_back(sample.inputs(r, i));
      row.emplace_back(sample.outputs_values(r, j));
      f.data.rows.push_back(std::move(row));
    }
    figures.push_back(std::move(f));
  }
  return figures;
}

}  // namespace

Report build_report(const CampaignAnalysis& a) {
  Report r{"tmex analyze", {}};
  r.sections.push_back(campaign_section(a));
  if (a.checkpoints && !a.checkpoints->checkpoints.empty()) {
    r.sections.push_back(checkpoints_section(*a.checkpoints));
  }
  r.sections.push_back(failures_section(a));
  if (!a.notes.empty()) {
    Section notes{"notes", "Notes", a.notes, true};
    r.sections.push_back(std::move(notes));
  }
  for (const auto& c : a.correlations) r.sections.push_back(correlation_section(c));
  for (const auto& g : a.regressions) r.sections.push_back(regression_section(g));
  if (a.sobol) r.sections.push_back(sobol_section(*a.sobol));
  if (a.morris) r.sections.push_back(morris_section(*a.morris, a.plan.confidence));
  if (a.scatter) {
    Section scatter{"scatter", ""};
    scatter.figures = scatter_figures(*a.scatter, a);
    r.sections.push_back(std::move(scatter));
  }
  if (a.convergence) r.sections.push_back(convergence_section(*a.convergence, a.sobol.has_value()));
  if (!a.time_courses.empty()) r.sections.push_back(time_course_section(a.time_courses));
  if (a.uncertainty) r.sections.push_back(uncertainty_section(*a.uncertainty, a.plan.confidence));
  if (!a.events.empty()) r.sections.push_back(events_section(a.events, a.plan.confidence));
  return r;
}

std::string significance_marker(double p) {
  if (std::isnan(p)) return "";
  if (p < 0.001) return "***";
  if (p < 0.01) return "**";
  if (p < 0.05) return "*";
  return "";
}

}  // namespace tmex::report
