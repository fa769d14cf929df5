// build_report(): one function per section of the report of a campaign analysis.
#include "report/analysis_report.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "report/section_parts.hpp"
#include "text/strings.hpp"

namespace tmex::report {

namespace {

using analysis::CampaignAnalysis;
using parts::as_int;
using parts::interval;
using parts::number;
using parts::percent;
using text::NumberStyle;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

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

std::vector<Column> concat(std::vector<Column> a, const std::vector<Column>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Fact output_fact(const std::string& output) { return {"output", "output", output}; }

}  // namespace

std::vector<Fact> campaign_identity_facts(const analysis::CampaignInfo& c) {
  return {
      {"store", "store", c.source},
      {"campaign", "campaign", c.name},
      {"model", "model", c.model + " (version " + std::to_string(c.model_version) + ")", {}, kText},
      {"model", "", c.model, {}, kData},
      {"model_version", "", std::int64_t{c.model_version}, {}, kData},
      {"design", "design", c.design},
      {"design_kind", "design kind", analysis::design_kind_name(c.layout.kind), {}, kData},
  };
}

namespace {

Section campaign_section(const CampaignAnalysis& a) {
  const auto& c = a.campaign;
  Section s{"campaign", "Campaign"};
  std::vector<std::string> methods;
  for (const auto m : a.plan.methods) methods.push_back(analysis::method_name(m));
  s.facts = campaign_identity_facts(c);
  s.facts.insert(s.facts.end(),
                 {
                     {"runs",
                      "runs",
                      std::to_string(a.stored_runs) + " stored of " +
                          std::to_string(c.total_runs()) + ": " + std::to_string(a.ok_runs) +
                          " ok, " + std::to_string(a.failed_runs) + " failed (excluded)",
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
                 });
  return s;
}

// The series of a checkpoints figure: one per output (and contrast) judged by `criterion`.
struct CriterionSeries {
  std::string output, contrast, label;
};

std::vector<CriterionSeries> criterion_series(const analysis::CheckpointPath& path,
                                              const std::string& criterion) {
  std::vector<CriterionSeries> out;
  for (const auto& c : path.checkpoints) {
    for (const auto& k : c.criteria) {
      if (k.criterion != criterion) continue;
      const bool seen = std::any_of(out.begin(), out.end(), [&](const CriterionSeries& x) {
        return x.output == k.output && x.contrast == k.contrast;
      });
      if (!seen) {
        out.push_back({k.output, k.contrast,
                       k.contrast.empty() ? k.output : k.output + " (" + k.contrast + ")"});
      }
    }
  }
  return out;
}

// One criterion's value at each checkpoint per output (and contrast), and its targets: one
// series "target" when they are all equal, else one per output.
Figure criterion_figure(const analysis::CheckpointPath& path, const std::string& criterion,
                        std::string id, std::string title, std::string caption) {
  const auto series = criterion_series(path, criterion);
  std::vector<std::pair<std::string, double>> targets;  // per output
  for (const auto& c : path.checkpoints) {
    for (const auto& k : c.criteria) {
      if (k.criterion != criterion) continue;
      if (std::none_of(targets.begin(), targets.end(),
                       [&](const auto& t) { return t.first == k.output; })) {
        targets.emplace_back(k.output, k.target);
      }
    }
  }
  const bool one_target = std::all_of(targets.begin(), targets.end(), [&](const auto& t) {
    return t.second == targets.front().second;
  });
  Figure f{FigureKind::kLines, std::move(id), std::move(title), path.unit + " (log2 scale)",
           "half-width"};
  f.x_log = true;
  f.caption = std::move(caption);
  f.data.columns = {{"n", "n", Role::kKey}};
  for (const auto& x : series) f.data.columns.push_back({x.label, x.label});
  if (one_target) {
    f.data.columns.push_back({"target", "target"});
  } else {
    for (const auto& t : targets)
      f.data.columns.push_back({"target " + t.first, "target " + t.first});
  }
  for (const auto& c : path.checkpoints) {
    std::vector<Value> row = {static_cast<double>(c.size)};
    for (const auto& x : series) {
      double v = std::nan("");
      for (const auto& k : c.criteria) {
        if (k.output == x.output && k.contrast == x.contrast && k.criterion == criterion) {
          v = k.value;
        }
      }
      row.emplace_back(v);
    }
    for (std::size_t t = 0; t < (one_target ? 1 : targets.size()); ++t) {
      row.emplace_back(targets[t].second);
    }
    f.data.rows.push_back(std::move(row));
  }
  return f;
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

bool is_dummy(const analysis::CampaignInfo& c, const std::string& parameter) {
  return std::any_of(c.parameters.begin(), c.parameters.end(),
                     [&](const auto& p) { return p.dummy && p.name == parameter; });
}

Figure tornado(const std::string& coefficient, const analysis::CorrelationTable& t, Eigen::Index j,
               const analysis::CampaignInfo& campaign) {
  const auto& output = t.outputs[static_cast<std::size_t>(j)];
  const std::string label = upper(coefficient);
  Figure f{FigureKind::kTornado, "tornado_" + coefficient + "_" + output,
           label + " of " + output + " (" + percent(t.confidence) + " CI, " +
               std::to_string(t.samples) + " rows)",
           label, ""};
  f.output = output;
  f.caption = label + " of each parameter with " + output +
              ", largest on top; whiskers: " + percent(t.confidence) +
              " Fisher-z intervals; colour and stars: p adjusted by Benjamini-Hochberg "
              "(* < 0.05, ** < 0.01, *** < 0.001).";
  f.data.columns = {{"parameter", "", Role::kKey},
                    {coefficient},
                    {"ci_low", "", Role::kLow, NumberStyle::kCoefficient, coefficient},
                    {"ci_high", "", Role::kHigh, NumberStyle::kCoefficient, coefficient},
                    {"p_bh", "", Role::kPAdjusted, NumberStyle::kPValue, coefficient},
                    {"dummy", "", Role::kDetail, NumberStyle::kGeneral, coefficient}};
  double reach = 0.0;  // the largest |end| of a dummy's interval
  for (const auto i : by_size(t.coefficient, j)) {
    const auto& p = t.parameters[static_cast<std::size_t>(i)];
    const bool dummy = is_dummy(campaign, p);
    f.data.rows.push_back(
        {p, t.coefficient(i, j), t.ci_low(i, j), t.ci_high(i, j), t.p_bh(i, j), dummy});
    if (dummy) {
      reach = std::max({reach, std::abs(t.ci_low(i, j)), std::abs(t.ci_high(i, j))});
    }
  }
  if (reach > 0.0) {
    f.bands.push_back({-reach, reach, "dummy's reach (" + percent(t.confidence) + " CI)"});
    f.caption += " Grey band: as far from 0 as the " + percent(t.confidence) +
                 " interval of the dummy parameter (which the model ignores) reaches: a bar "
                 "inside it is indistinguishable from noise.";
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

Section correlation_section(const analysis::CorrelationResult& c,
                            const analysis::CampaignInfo& campaign) {
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
    s.figures.push_back(tornado(name, t, j, campaign));
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
           "Sobol' index", ""};
  f.output = output;
  f.axis_low = -0.5;
  f.axis_high = 1.1;
  f.caption = "First-order (S1) and total (ST) Sobol' indices of " + output +
              ", largest ST on top; whiskers: " + percent(s.confidence) +
              " percentile bootstrap intervals. Negative S1 estimates are sampling error around "
              "an index near 0.";
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
    Figure bars{
        FigureKind::kIndexBars, "morris_bars_" + output,
        "Morris screening of " + output + " (" + std::to_string(s.trajectories) + " trajectories)",
        "elementary effect (" + output + " per unit fraction of the range)", ""};
    bars.output = output;
    bars.caption = "mu* (mean |elementary effect|, with " + percent(confidence) +
                   " bootstrap intervals) and sigma (their sd) of " + output +
                   ", largest mu* on top.";
    bars.data.columns = concat(concat({{"parameter", "", Role::kKey}, {"mu_star", "mu*"}},
                                      interval("mu_star", confidence, NumberStyle::kGeneral,
                                               "mu_star_low", "mu_star_high")),
                               {{"sigma", "sigma"},
                                {"sigma_low", "", Role::kLow, NumberStyle::kGeneral, "sigma"},
                                {"sigma_high", "", Role::kHigh, NumberStyle::kGeneral, "sigma"}});
    Figure f{
        FigureKind::kMuSigma, "morris_" + output,
        "Morris screening of " + output + " (" + std::to_string(s.trajectories) + " trajectories)",
        "mu* (mean |elementary effect|)", "sigma"};
    f.output = output;
    f.caption = "sigma against mu*: far right, important; high, non-linear or interacting. The " +
                std::to_string(std::min<Eigen::Index>(8, s.mu.rows())) + " largest mu* are named.";
    f.data.columns = {{"parameter", "", Role::kKey}, {"mu_star"}, {"mu"}, {"sigma"}};
    for (const auto i : by_size(s.mu_star, j)) {
      const auto& p = s.parameters[static_cast<std::size_t>(i)];
      table.rows.push_back({p, s.mu_star(i, j), s.mu_star_low(i, j), s.mu_star_high(i, j),
                            s.mu(i, j), s.sigma(i, j),
                            std::int64_t{s.effects[static_cast<std::size_t>(i)]}});
      bars.data.rows.push_back({p, s.mu_star(i, j), s.mu_star_low(i, j), s.mu_star_high(i, j),
                                s.sigma(i, j), Value{}, Value{}});
    }
    sec.figures.push_back(std::move(bars));
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
  const std::string unit = base_rows ? "base rows" : "rows";
  std::vector<std::string> sizes;
  for (const auto n : c.sample_sizes) sizes.push_back(std::to_string(n));
  s.paragraphs = {"Indices recomputed on the leading " + text::join(sizes) + " " + unit + ": " +
                  c.verdict + "."};
  if (!c.advice.empty()) s.paragraphs.push_back(c.advice);
  s.paragraphs.push_back(
      "Criteria (--tolerance, --stable-top): the parameters that matter (interval excludes 0), at "
      "most " +
      std::to_string(c.criteria.stable_top) + " per output, keep their order from " +
      sizes[sizes.size() - 2] + " to " + sizes.back() + " " + unit +
      ", and every interval that excludes 0 has a half-width of at most " +
      number(c.criteria.halfwidth, NumberStyle::kShortest) +
      " (the largest change of any index over the last doubling, " +
      number(c.max_change, NumberStyle::kBrief) +
      ", is shown for comparison but not judged: it is driven by the indices near 0).");
  const std::vector<std::int64_t> size_values(c.sample_sizes.begin(), c.sample_sizes.end());
  s.facts = {{"converged", "", c.converged, {}, kJson},
             {"max_change", "", c.max_change, {}, kData, true},
             {"tolerance", "", c.criteria.halfwidth, {}, kJson},
             {"stable_top", "", std::int64_t{c.criteria.stable_top}, {}, kJson},
             {"worst_row", "", c.worst_row, {}, kJson},
             {"worst_output", "", c.worst_output, {}, kJson},
             {"verdict", "", c.verdict, {}, kJson},
             {"advice", "", c.advice, {}, kJson},
             {"rows_needed", "", as_int(c.rows_needed), {}, kJson},
             {"sample_sizes", "", size_values, {}, kJson}};
  Table outputs{"outputs", "per output, at " + sizes.back() + " " + unit};
  outputs.columns = {
      {"output", "output", Role::kKey},
      {"top", "top parameters (in order)", Role::kDetail, NumberStyle::kGeneral, "halfwidth"},
      {"top_stable", "same order", Role::kDetail, NumberStyle::kGeneral, "halfwidth"},
      {"top_before", "order at N/2", Role::kDetail, NumberStyle::kGeneral, "halfwidth", kJson},
      {"significant", "significant", Role::kDetail, NumberStyle::kGeneral, "halfwidth"},
      {"widest", "widest interval", Role::kDetail, NumberStyle::kGeneral, "halfwidth"},
      {"halfwidth", "+/-", Role::kEstimate, NumberStyle::kCoefficient},
      {"rows_needed", unit + " needed", Role::kDetail, NumberStyle::kGeneral, "halfwidth"},
      {"converged", "met", Role::kMarker, NumberStyle::kGeneral, "halfwidth"}};
  for (const auto& o : c.per_output) {
    outputs.rows.push_back({o.output, text::join(o.top), o.top_stable, o.top_before,
                            std::int64_t{o.halfwidths.significant}, o.widest,
                            o.halfwidths.significant > 0 ? Value{o.halfwidths.largest} : Value{},
                            as_int(o.rows_needed), std::string(o.converged() ? "yes" : "no")});
  }
  s.tables.push_back(std::move(outputs));
  Table steps{"steps", "", {}, {}, {}, kData};
  steps.columns = {{"size", "size", Role::kKey},
                   {"output", "output", Role::kKey},
                   {"index", "parameter", Role::kKey},
                   {"value", "value"},
                   {"ci_low", "", Role::kLow, NumberStyle::kCoefficient, "value"},
                   {"ci_high", "", Role::kHigh, NumberStyle::kCoefficient, "value"}};
  for (std::size_t n = 0; n < c.sample_sizes.size(); ++n) {
    for (Eigen::Index j = 0; j < c.values[n].cols(); ++j) {
      for (Eigen::Index i = 0; i < c.values[n].rows(); ++i) {
        steps.rows.push_back({std::int64_t{c.sample_sizes[n]},
                              c.outputs[static_cast<std::size_t>(j)],
                              c.rows[static_cast<std::size_t>(i)], c.values[n](i, j),
                              c.low[n](i, j), c.high[n](i, j)});
      }
    }
  }
  s.tables.push_back(std::move(steps));
  // Per output, the path of its most important indices (the ranked ones, at least 3) over the
  // sizes: a table and a figure for documents.
  const Eigen::MatrixXd& last = c.values.back();
  for (std::size_t j = 0; j < c.per_output.size(); ++j) {
    const auto& o = c.per_output[j];
    const auto col = static_cast<Eigen::Index>(j);
    // Sobol' reports rank by ST: the rows of the second half.
    const Eigen::Index offset = base_rows ? last.rows() / 2 : 0;
    const Eigen::Index count = base_rows ? last.rows() / 2 : last.rows();
    const Eigen::MatrixXd block = last.middleRows(offset, count);
    const auto shown = analysis::top_rows(block, col, std::max<Eigen::Index>(o.ranked, 3));
    Table path{"paths", o.output, {output_fact(o.output)}, {{"index", "index", Role::kKey}},
               {},      kHtml};
    for (const auto& size : sizes) {
      path.columns.push_back(
          {"n" + size, size + " " + unit, Role::kMarker, NumberStyle::kGeneral, "", kHtml});
    }
    Figure f{FigureKind::kLines, "convergence_" + o.output,
             "Convergence of " + o.output + ": leading " + unit, unit + " (log2 scale)",
             base_rows ? "ST" : "PRCC"};
    f.x_log = true;
    f.output = o.output;
    f.caption = "The most important indices of " + o.output + " on the leading " + unit +
                "; the last point is the whole campaign.";
    f.data.columns = {{"n", "n", Role::kKey}};
    for (const auto i : shown) {
      const auto r = static_cast<std::size_t>(offset + i);
      f.data.columns.push_back({c.rows[r], c.rows[r]});
      std::vector<Value> row = {c.rows[r]};
      for (std::size_t n = 0; n < c.sample_sizes.size(); ++n) {
        const double v = c.values[n](offset + i, col);
        const double h = 0.5 * (c.high[n](offset + i, col) - c.low[n](offset + i, col));
        row.emplace_back(number(v, NumberStyle::kCoefficient) +
                         (std::isfinite(h) ? " +/- " + number(h, NumberStyle::kBrief) : ""));
      }
      path.rows.push_back(std::move(row));
    }
    for (std::size_t n = 0; n < c.sample_sizes.size(); ++n) {
      std::vector<Value> row = {static_cast<double>(c.sample_sizes[n])};
      for (const auto i : shown) row.emplace_back(c.values[n](offset + i, col));
      f.data.rows.push_back(std::move(row));
    }
    s.tables.push_back(std::move(path));
    s.figures.push_back(std::move(f));
  }
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
    f.output = tc.variable;
    f.caption = "PRCC of each parameter with " + tc.variable +
                " at each recorded time; the seven largest (by their largest |PRCC|) in colour.";
    // Lines in order of each parameter's largest |PRCC| over time: the first ones get colours.
    const Eigen::VectorXd peak = t.coefficient.cwiseAbs()
                                     .unaryExpr([](double v) { return std::isfinite(v) ? v : 0.0; })
                                     .rowwise()
                                     .maxCoeff();
    const auto line_order = by_size(peak, 0);
    f.data.columns = {{"t", "t", Role::kKey}};
    for (const auto i : line_order) {
      const auto& p = t.parameters[static_cast<std::size_t>(i)];
      f.data.columns.push_back({p, p});
    }
    for (std::size_t ti = 0; ti < nt; ++ti) {
      f.data.rows.push_back({tc.times[ti]});
      for (const auto i : line_order) {
        f.data.rows.back().emplace_back(t.coefficient(i, static_cast<Eigen::Index>(ti)));
      }
    }
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
    f.x_log = q.scale == analysis::ValueScale::kLog;
    f.output = q.output;
    f.caption = "Distribution of " + q.output + " over the runs" +
                (f.x_log ? ", on a log axis with bins of equal width in log10 (its values span "
                           "orders of magnitude)."
                         : ".");
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
    const auto scale = sample.output_scales.empty()
                           ? analysis::ValueScale::kLinear
                           : sample.output_scales[static_cast<std::size_t>(j)];
    const auto& binned = sample.binned.empty()
                             ? std::vector<std::vector<analysis::ProbabilityBin>>{}
                             : sample.binned[static_cast<std::size_t>(j)];
    if (scale == analysis::ValueScale::kBinary && !binned.empty()) {
      // A 0/1 outcome: its probability along each top parameter, not two lines of points.
      const auto& first = binned.front().front().probability;
      Figure f{FigureKind::kProbability, "probability_" + output,
               "P(" + output + " = 1) along its top parameters (" + percent(first.confidence) +
                   " Wilson CI, " + std::to_string(a.sensitivity_rows) + " rows)",
               "", "P(" + output + " = 1)"};
      f.output = output;
      f.caption = "Share of runs with " + output + " = 1 in " +
                  std::to_string(binned.front().size()) +
                  " bins of equal counts of each parameter; horizontal whiskers: the bin's range; "
                  "vertical: " +
                  percent(first.confidence) + " Wilson intervals.";
      f.data.columns = parts::probability_bin_columns("P");
      for (const auto i : top) {
        const auto pi = static_cast<std::size_t>(i);
        const bool log_x = pi < sample.parameter_log.size() && sample.parameter_log[pi];
        for (const auto& bin : binned[pi]) {
          f.data.rows.push_back({sample.parameters[pi], bin.x_median, bin.x_low, bin.x_high,
                                 bin.probability.probability, bin.probability.ci_low,
                                 bin.probability.ci_high, log_x});
        }
      }
      figures.push_back(std::move(f));
      continue;
    }
    Figure f{
        FigureKind::kScatter, "scatter_" + output,
        output + " against its top parameters (" + std::to_string(sample.inputs.rows()) + " rows)",
        "", output};
    f.y_log = scale == analysis::ValueScale::kLog;
    f.output = output;
    f.caption =
        output + " against its three most influential parameters, " +
        std::to_string(sample.inputs.rows()) + " runs spread evenly over those analysed" +
        (f.y_log ? "; log axis for " + output + ", whose values span orders of magnitude" : "") +
        ".";
    for (const auto i : top) {
      const auto pi = static_cast<std::size_t>(i);
      Column c{sample.parameters[pi], sample.parameters[pi]};
      c.log_scale = pi < sample.parameter_log.size() && sample.parameter_log[pi];
      f.data.columns.push_back(std::move(c));
    }
    Column y{output, output};
    y.log_scale = f.y_log;
    f.data.columns.push_back(std::move(y));
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

// Whether a figure has something to draw: a finite number after its first column (a constant
// output's indices are all NaN, and gnuplot refuses a plot without points).
bool drawable(const Figure& f) {
  for (const auto& row : f.data.rows) {
    for (std::size_t c = 1; c < row.size(); ++c) {
      if (const auto* d = std::get_if<double>(&row[c]); d && std::isfinite(*d)) return true;
    }
  }
  return false;
}

}  // namespace

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
  bool contrasts = false;
  for (const auto& c : path.checkpoints) {
    for (const auto& k : c.criteria) contrasts = contrasts || !k.contrast.empty();
  }
  Table t{"criteria", "", {}, {}, {}, kText | kJson};
  t.columns = {{"checkpoint", "#", Role::kKey},
               {"size", path.unit, Role::kKey},
               {"runs", "runs", Role::kKey, NumberStyle::kGeneral, "", kData},
               {"decision", "decision", Role::kKey}};
  // Of a campaign with arms: the contrast judged ("ARM:REFERENCE").
  if (contrasts) t.columns.push_back({"contrast", "contrast", Role::kKey});
  for (Column c : std::initializer_list<Column>{
           {"output", "output", Role::kKey},
           {"criterion", "criterion", Role::kStatistic},
           {"value", "value", Role::kEstimate, NumberStyle::kBrief},
           {"target", "target", Role::kDetail, NumberStyle::kBrief, "value"},
           {"met", "met", Role::kDetail, NumberStyle::kGeneral, "value"},
           {"detail", "detail", Role::kDetail, NumberStyle::kGeneral, "value"}}) {
    t.columns.push_back(std::move(c));
  }
  for (const auto& c : path.checkpoints) {
    for (const auto& k : c.criteria) {
      std::vector<Value> row = {std::int64_t{c.checkpoint}, as_int(c.size), as_int(c.runs),
                                c.decision};
      if (contrasts) row.emplace_back(k.contrast);
      for (Value v : std::initializer_list<Value>{k.output, k.criterion, k.value, k.target, k.met,
                                                  k.detail}) {
        row.push_back(std::move(v));
      }
      t.rows.push_back(std::move(row));
    }
    if (c.criteria.empty()) {
      std::vector<Value> row = {std::int64_t{c.checkpoint}, as_int(c.size), as_int(c.runs),
                                c.decision};
      if (contrasts) row.emplace_back(std::string());
      for (Value v :
           std::initializer_list<Value>{std::string(), std::string("error"), std::monostate{},
                                        std::monostate{}, false, c.summary}) {
        row.push_back(std::move(v));
      }
      t.rows.push_back(std::move(row));
    }
  }
  s.tables.push_back(std::move(t));
  // CSV, one estimate per line: "halfwidth_at_2000" of an output, with the widest index; the
  // criteria of a contrast name its arm and reference.
  Table csv{"criteria", "", {}, {}, {}, kCsv};
  csv.columns = {{"output", "output", Role::kKey},
                 {"parameter", "parameter", Role::kKey},
                 {"statistic", "statistic", Role::kStatistic},
                 {"value", "value"}};
  if (contrasts) {
    csv.columns.push_back({"arm", "arm", Role::kKey});
    csv.columns.push_back({"reference", "reference", Role::kKey});
  }
  for (const auto& c : path.checkpoints) {
    for (const auto& k : c.criteria) {
      std::vector<Value> row = {k.output, k.criterion == "halfwidth" ? k.detail : std::string(),
                                k.criterion + "_at_" + std::to_string(c.size), k.value};
      if (contrasts) {
        const auto colon = k.contrast.find(':');
        row.emplace_back(k.contrast.substr(0, colon));
        row.emplace_back(colon == std::string::npos ? std::string() : k.contrast.substr(colon + 1));
      }
      csv.rows.push_back(std::move(row));
    }
  }
  s.tables.push_back(std::move(csv));
  if (!criterion_series(path, "halfwidth").empty()) {
    s.figures.push_back(criterion_figure(
        path, "halfwidth", "checkpoints_halfwidth",
        contrasts ? "Widest significant interval of who benefits at each checkpoint"
                  : "Widest significant interval at each checkpoint",
        contrasts ? "The largest half-width of a PRCC interval of the paired difference that "
                    "excludes 0, per output and contrast, at each checkpoint, and the target."
                  : "The largest half-width of an interval that excludes 0, per output, at each "
                    "checkpoint, and the target; the campaign stops at the first checkpoint below "
                    "it whose top parameters kept their order."));
  }
  if (!criterion_series(path, "difference").empty()) {
    s.figures.push_back(criterion_figure(
        path, "difference", "checkpoints_difference",
        "Interval of each mean difference at each checkpoint",
        "The half-width of the interval of the mean paired difference (arm minus reference), per "
        "output and contrast, at each checkpoint, in the output's units, and the target."));
  }
  return s;
}

Report build_report(const CampaignAnalysis& a) {
  Report r{"tmex analyze", {}};
  r.sections.push_back(campaign_section(a));
  if (a.checkpoints && !a.checkpoints->checkpoints.empty()) {
    r.sections.push_back(checkpoints_section(*a.checkpoints));
  }
  if (!a.warnings.empty()) {
    Section warnings{"warnings", "Warnings", a.warnings, true};
    r.sections.push_back(std::move(warnings));
  }
  r.sections.push_back(failures_section(a));
  if (!a.notes.empty()) {
    Section notes{"notes", "Notes", a.notes, true};
    r.sections.push_back(std::move(notes));
  }
  for (const auto& c : a.correlations) r.sections.push_back(correlation_section(c, a.campaign));
  for (const auto& g : a.regressions) r.sections.push_back(regression_section(g));
  if (a.sobol) r.sections.push_back(sobol_section(*a.sobol));
  if (a.morris) r.sections.push_back(morris_section(*a.morris, a.plan.confidence));
  if (a.scatter) {
    Section scatter{"scatter", "Outputs against their most influential parameters"};
    scatter.figures = scatter_figures(*a.scatter, a);
    r.sections.push_back(std::move(scatter));
  }
  if (a.convergence) r.sections.push_back(convergence_section(*a.convergence, a.sobol.has_value()));
  if (!a.time_courses.empty()) r.sections.push_back(time_course_section(a.time_courses));
  if (a.uncertainty) r.sections.push_back(uncertainty_section(*a.uncertainty, a.plan.confidence));
  if (!a.events.empty()) r.sections.push_back(events_section(a.events, a.plan.confidence));
  for (auto& s : r.sections) std::erase_if(s.figures, [](const Figure& f) { return !drawable(f); });
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
