// build_arms_report(): each arm's report merged section by section, then the contrast sections.
#include "report/arms_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "report/analysis_report.hpp"
#include "report/section_parts.hpp"
#include "text/strings.hpp"

namespace tmex::report {

namespace {

using analysis::ArmsAnalysis;
using analysis::Contrast;
using analysis::Direction;
using parts::as_int;
using parts::interval;
using parts::number;
using parts::percent;
using text::NumberStyle;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Fact arm_fact(const std::string& arm) { return {"arm", "arm", arm}; }

// Sections that hold one method's sensitivity indices: they come before the contrasts.
bool is_sensitivity(const std::string& key) {
  static const std::set<std::string> keys = {"prcc", "pcc",  "pearson", "spearman",
                                             "src",  "srrc", "sobol",   "morris"};
  return keys.count(key) != 0;
}

std::string better_phrase(Direction d) {
  switch (d) {
    case Direction::kLower:
      return "lower is better";
    case Direction::kHigher:
      return "higher is better";
    case Direction::kUnknown:
      break;
  }
  return "no better direction declared";
}

// What a benefit in 0/1 output `output` is: "output = 1 prevented" where lower is better,
// "output = 1 reached" where higher is.
std::string plan_word(const ArmsAnalysis& a, const std::string& output) {
  const auto& plan = a.contrast_plan;
  const auto o = std::find(plan.outputs.begin(), plan.outputs.end(), output);
  const bool lower =
      o != plan.outputs.end() &&
      plan.better[static_cast<std::size_t>(o - plan.outputs.begin())] == Direction::kLower;
  return output + (lower ? " prevented" : " reached");
}

Section campaign_section(const ArmsAnalysis& a) {
  const auto& c = a.campaign;
  std::uint64_t stored = 0, ok = 0, failed = 0;
  for (const auto& arm : a.arms) {
    stored += arm.stored_runs;
    ok += arm.ok_runs;
    failed += arm.failed_runs;
  }
  const auto& first = a.arms.front();
  std::vector<std::string> methods;
  for (const auto m : first.plan.methods) methods.push_back(analysis::method_name(m));
  Section s{"campaign", "Campaign"};
  s.facts = campaign_identity_facts(c);
  s.facts.insert(
      s.facts.end(),
      {
          {"runs",
           "runs",
           std::to_string(stored) + " stored of " + std::to_string(c.total_runs()) + " (" +
               std::to_string(c.samples) + " samples x " + std::to_string(c.arms.size()) +
               " arms x " + std::to_string(c.replicates) + " replicates): " + std::to_string(ok) +
               " ok, " + std::to_string(failed) + " failed (excluded)",
           {},
           kText},
          {"runs_total", "", as_int(c.total_runs()), {}, kData},
          {"runs_stored", "", as_int(stored), {}, kData},
          {"runs_ok", "", as_int(ok), {}, kData},
          {"runs_failed", "", as_int(failed), {}, kData},
          {"replicates",
           "replicates",
           std::int64_t{c.replicates},
           {},
           c.replicates > 1 ? kEveryone : kData},
          {"confidence", "", first.plan.confidence, {}, kData},
          {"bootstrap_resamples", "", std::int64_t{first.plan.resamples}, {}, kData},
          {"seed", "", as_int(first.plan.seed), {}, kData},
          {"methods", "methods", methods},
          {"arms", "", c.arms, {}, kData},
      });
  return s;
}

// The arms as items (an arm of many agents is long for a table column), and as a JSON table.
Section arms_section(const ArmsAnalysis& a) {
  const auto& c = a.campaign;
  Section s{"arms", "Arms", {}, true};
  for (std::size_t i = 0; i < c.arms.size(); ++i) {
    const auto& arm = a.arms[i];
    const std::string overrides = i < c.arm_overrides.size() ? c.arm_overrides[i] : "";
    s.paragraphs.push_back(c.arms[i] + (i == 0 ? " (the reference)" : "") + ": " +
                           (overrides.empty() || overrides == "{}" ? "no overrides" : overrides) +
                           "; " + std::to_string(arm.ok_runs) + " ok, " +
                           std::to_string(arm.failed_runs) + " failed");
  }
  Table arms{"arms", "", {}, {}, {}, kJson};
  arms.columns = {{"arm", "arm", Role::kKey},
                  {"overrides", "overrides", Role::kKey},
                  {"runs_stored", "runs", Role::kEstimate},
                  {"runs_ok", "ok", Role::kEstimate},
                  {"runs_failed", "failed", Role::kEstimate}};
  for (std::size_t i = 0; i < c.arms.size(); ++i) {
    const auto& arm = a.arms[i];
    arms.rows.push_back({c.arms[i], i < c.arm_overrides.size() ? c.arm_overrides[i] : "",
                         as_int(arm.stored_runs), as_int(arm.ok_runs), as_int(arm.failed_runs)});
  }
  s.tables.push_back(std::move(arms));
  return s;
}

Section failures_section(const ArmsAnalysis& a, const std::vector<Report>& per_arm) {
  Section s{"failures", "Failures"};
  for (std::size_t i = 0; i < per_arm.size(); ++i) {
    if (!a.arms[i].failures) continue;
    const Section* f = find_section(per_arm[i], "failures");
    s.paragraphs.push_back("Arm " + a.campaign.arms[i] + ": " + a.arms[i].failures->summary);
    for (Table t : f->tables) {
      t.context.insert(t.context.begin(), arm_fact(a.campaign.arms[i]));
      s.tables.push_back(std::move(t));
    }
  }
  if (s.paragraphs.empty()) s.paragraphs = {"No run failed in any arm."};
  return s;
}

Section notes_section(const ArmsAnalysis& a) {
  Section s{"notes", "Notes", {}, true};
  std::map<std::string, std::size_t> count;
  for (const auto& arm : a.arms) {
    for (const auto& n : std::set<std::string>(arm.notes.begin(), arm.notes.end())) ++count[n];
  }
  std::set<std::string> said;
  for (std::size_t i = 0; i < a.arms.size(); ++i) {
    for (const auto& n : a.arms[i].notes) {
      if (count[n] == a.arms.size()) {
        if (said.insert(n).second) s.paragraphs.push_back(n);
      } else {
        s.paragraphs.push_back("Arm " + a.campaign.arms[i] + ": " + n);
      }
    }
  }
  for (const auto& c : a.contrasts) {
    for (const auto& n : c.notes) s.paragraphs.push_back(c.arm + " vs " + c.reference + ": " + n);
  }
  return s;
}

// The sections of one key from every arm's report as one: tables and figures per arm.
Section merged_section(const std::string& key, const ArmsAnalysis& a,
                       const std::vector<Report>& per_arm) {
  Section s{key, ""};
  std::vector<std::vector<std::string>> paragraphs(per_arm.size());
  bool same = true;
  for (std::size_t i = 0; i < per_arm.size(); ++i) {
    const Section* p = find_section(per_arm[i], key);
    if (!p) continue;
    const std::string& arm = a.campaign.arms[i];
    if (s.heading.empty()) s.heading = p->heading;
    s.bullets = p->bullets;
    paragraphs[i] = p->paragraphs;
    same = same && paragraphs[i] == paragraphs.front();
    for (Table t : p->tables) {
      t.context.insert(t.context.begin(), arm_fact(arm));
      t.title = "arm " + arm + (t.title.empty() ? "" : ", " + t.title);
      s.tables.push_back(std::move(t));
    }
    for (Figure f : p->figures) {
      f.name += "_" + arm;
      f.title += " (arm " + arm + ")";
      f.data.context.insert(f.data.context.begin(), arm_fact(arm));
      s.figures.push_back(std::move(f));
    }
    if (!p->facts.empty()) {
      // A section's facts differ between arms: one JSON table of them, a row per arm.
      Table facts{"arm_facts", "", {}, {{"arm", "arm", Role::kKey}}, {}, kJson};
      auto existing = std::find_if(s.tables.begin(), s.tables.end(),
                                   [](const Table& t) { return t.key == "arm_facts"; });
      if (existing == s.tables.end()) {
        for (const auto& f : p->facts) facts.columns.push_back({f.key, f.key, Role::kDetail});
        s.tables.push_back(facts);
        existing = std::prev(s.tables.end());
      }
      std::vector<Value> row = {arm};
      for (std::size_t c = 1; c < existing->columns.size(); ++c) {
        const auto f = std::find_if(p->facts.begin(), p->facts.end(), [&](const Fact& x) {
          return x.key == existing->columns[c].key;
        });
        row.push_back(f == p->facts.end() ? Value{} : f->value);
      }
      existing->rows.push_back(std::move(row));
    }
  }
  for (std::size_t i = 0; i < per_arm.size(); ++i) {
    for (const auto& p : paragraphs[i]) {
      if (same && i > 0) break;
      s.paragraphs.push_back(same ? p : "Arm " + a.campaign.arms[i] + ": " + p);
    }
  }
  return s;
}

// The text of a correlation section: per output, the parameters against the arms.
void correlation_side_by_side(const std::string& key, const ArmsAnalysis& a, Section& s) {
  std::vector<const analysis::CorrelationTable*> tables;
  for (const auto& arm : a.arms) {
    const analysis::CorrelationTable* t = nullptr;
    for (const auto& c : arm.correlations) {
      if (analysis::coefficient_name(c.coefficient) == key) t = &c.table;
    }
    tables.push_back(t);
  }
  if (!tables.front()) return;
  for (auto& t : s.tables) {
    if (t.key == "outputs") t.audience &= ~static_cast<unsigned>(kText);
  }
  const auto& ref = *tables.front();
  std::vector<Table> side;
  for (Eigen::Index j = 0; j < ref.coefficient.cols(); ++j) {
    const auto& output = ref.outputs[static_cast<std::size_t>(j)];
    std::string name = key;
    for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    Table t{"by_arm",
            "output " + output + ": " + name + " by arm (p (BH) < 0.05 *, < 0.01 **, < 0.001 ***)",
            {{"output", "output", output}},
            {{"parameter", "parameter", Role::kKey}},
            {},
            kText};
    for (const auto& arm : a.campaign.arms) t.columns.push_back({arm, arm, Role::kMarker});
    std::vector<Eigen::Index> order(static_cast<std::size_t>(ref.coefficient.rows()));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index x, Eigen::Index y) {
      const double u = std::abs(ref.coefficient(x, j)), v = std::abs(ref.coefficient(y, j));
      return !std::isnan(u) && (std::isnan(v) || u > v);
    });
    for (const auto i : order) {
      const auto& parameter = ref.parameters[static_cast<std::size_t>(i)];
      std::vector<Value> row = {parameter};
      for (const auto* arm : tables) {
        std::string cell;
        if (arm) {
          const auto p = std::find(arm->parameters.begin(), arm->parameters.end(), parameter);
          const auto o = std::find(arm->outputs.begin(), arm->outputs.end(), output);
          if (p != arm->parameters.end() && o != arm->outputs.end()) {
            const auto pi = p - arm->parameters.begin();
            const auto oi = o - arm->outputs.begin();
            const double v = arm->coefficient(pi, oi);
            cell = std::isnan(v) ? ""
                                 : (v >= 0 ? "+" : "") + number(v, NumberStyle::kCoefficient) +
                                       significance_marker(arm->p_bh(pi, oi));
          }
        }
        row.emplace_back(cell);
      }
      t.rows.push_back(std::move(row));
    }
    side.push_back(std::move(t));
  }
  s.tables.insert(s.tables.begin(), side.begin(), side.end());
}

// The text of the uncertainty section: per output, a row per arm.
void uncertainty_side_by_side(const ArmsAnalysis& a, Section& s) {
  const auto& first = a.arms.front();
  if (!first.uncertainty) return;
  for (auto& t : s.tables) {
    if (t.key == "outputs") t.audience &= ~static_cast<unsigned>(kText);
  }
  const double confidence = first.plan.confidence;
  std::vector<Table> side;
  for (const auto& summary : first.uncertainty->summaries) {
    const std::string& output = summary.output;
    Table t{"by_arm", "output " + output + " by arm", {{"output", "output", output}}, {}, {},
            kText};
    t.columns = {
        {"arm", "arm", Role::kKey},
        {"mean", "mean"},
        {"mean_low", percent(confidence) + " CI", Role::kLow, NumberStyle::kGeneral, "mean"},
        {"mean_high", "", Role::kHigh, NumberStyle::kGeneral, "mean"},
        {"sd", "sd"},
        {"q05", "5%"},
        {"q50", "median"},
        {"q50_low", percent(confidence) + " CI", Role::kLow, NumberStyle::kGeneral, "q50"},
        {"q50_high", "", Role::kHigh, NumberStyle::kGeneral, "q50"},
        {"q95", "95%"}};
    for (std::size_t i = 0; i < a.arms.size(); ++i) {
      const auto& u = a.arms[i].uncertainty;
      if (!u) continue;
      const auto q = std::find_if(u->summaries.begin(), u->summaries.end(),
                                  [&](const auto& x) { return x.output == output; });
      if (q == u->summaries.end()) continue;
      const auto level = [&](double p, const std::vector<double>& values) -> Value {
        for (std::size_t l = 0; l < q->levels.size(); ++l) {
          if (std::abs(q->levels[l] - p) < 1e-12) return values[l];
        }
        return Value{};
      };
      t.rows.push_back({a.campaign.arms[i], q->mean, q->mean_low, q->mean_high, q->sd,
                        level(0.05, q->quantiles), level(0.5, q->quantiles),
                        level(0.5, q->quantile_low), level(0.5, q->quantile_high),
                        level(0.95, q->quantiles)});
    }
    side.push_back(std::move(t));
  }
  s.tables.insert(s.tables.begin(), side.begin(), side.end());
}

// The text of the convergence section: one line per arm instead of a paragraph each.
void convergence_side_by_side(const ArmsAnalysis& a, Section& s) {
  const auto first = std::find_if(a.arms.begin(), a.arms.end(),
                                  [](const auto& arm) { return arm.convergence.has_value(); });
  if (first == a.arms.end()) return;
  const auto& c = *first->convergence;
  std::vector<std::string> sizes;
  for (const auto n : c.sample_sizes) sizes.push_back(std::to_string(n));
  s.paragraphs = {
      "Indices recomputed on the leading " + text::join(sizes) +
      " rows of each arm. Criteria (--tolerance, --stable-top): the parameters that matter "
      "(interval excludes 0), at most " +
      std::to_string(c.criteria.stable_top) + " per output, keep their order from " +
      sizes[sizes.size() - 2] + " to " + sizes.back() +
      " rows, and every interval that excludes 0 has a half-width of at most " +
      number(c.criteria.halfwidth, NumberStyle::kShortest) + "."};
  Table t{"by_arm", "", {}, {}, {}, kText};
  t.columns = {{"arm", "arm", Role::kKey},
               {"converged", "converged", Role::kKey},
               {"rows_needed", "rows needed", Role::kKey},
               {"verdict", "verdict", Role::kKey}};
  for (std::size_t i = 0; i < a.arms.size(); ++i) {
    const auto& v = a.arms[i].convergence;
    if (!v) continue;
    t.rows.push_back({a.campaign.arms[i], v->converged ? "yes" : "no",
                      static_cast<std::int64_t>(v->rows_needed), v->verdict});
  }
  s.tables.insert(s.tables.begin(), std::move(t));
}

// Whether every contrast has the same reference (the text then leaves the column out).
bool one_reference(const ArmsAnalysis& a) {
  return std::all_of(a.contrasts.begin(), a.contrasts.end(), [&](const Contrast& c) {
    return c.reference == a.contrasts.front().reference;
  });
}

// The columns `keys` of `t` (those it shows in text) as a text table titled `title`.
Table projected(const Table& t, const std::vector<std::string>& keys, const std::string& title) {
  Table out{t.key + "_text", title, t.context, {}, {}, kText};
  std::vector<std::size_t> picked;
  for (const auto& key : keys) {
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c].key == key && (t.columns[c].audience & kText) != 0) picked.push_back(c);
    }
  }
  for (const auto c : picked) out.columns.push_back(t.columns[c]);
  for (const auto& row : t.rows) {
    std::vector<Value> values;
    for (const auto c : picked) values.push_back(row[c]);
    out.rows.push_back(std::move(values));
  }
  return out;
}

Figure forest(const ArmsAnalysis& a, std::size_t o) {
  const auto& plan = a.contrast_plan;
  const std::string& output = plan.outputs[o];
  const std::string ref = one_reference(a) ? a.contrasts.front().reference : "reference";
  Figure f{FigureKind::kForest, "forest_" + output,
           output + ": mean paired difference, arm - " + ref + " (" + percent(plan.confidence) +
               " CI; " + better_phrase(plan.better[o]) + ")",
           "difference in " + output, ""};
  f.output = output;
  f.caption =
      "Each arm's mean paired difference from " + ref +
      " with its interval; arms whose interval excludes the dashed line at 0 changed " + output +
      (plan.better[o] == Direction::kUnknown ? "" : " (" + better_phrase(plan.better[o]) + ")");
  f.data.columns = {{"arm", "", Role::kKey},
                    {"mean"},
                    {"ci_low", "", Role::kLow, NumberStyle::kGeneral, "mean"},
                    {"ci_high", "", Role::kHigh, NumberStyle::kGeneral, "mean"}};
  // The first contrast on top: gnuplot counts rows from the bottom.
  for (auto c = a.contrasts.rbegin(); c != a.contrasts.rend(); ++c) {
    const auto& d = c->outputs[o].difference;
    const std::string label = one_reference(a) ? c->arm : c->arm + " vs " + c->reference;
    f.data.rows.push_back({label, d.mean, d.mean_low, d.mean_high});
  }
  return f;
}

Section contrasts_section(const ArmsAnalysis& a) {
  const auto& plan = a.contrast_plan;
  Section s{"contrasts", "Contrasts: paired differences between arms"};
  const std::string intervals =
      plan.resamples > 0 ? percent(plan.confidence) + " percentile bootstrap intervals (" +
                               std::to_string(plan.resamples) +
                               " resamples of the samples, shared by every output)"
                         : "no intervals (--bootstrap 0)";
  s.paragraphs = {
      "Every sample is the same virtual tumour in every arm (the same parameters and, for a "
      "stochastic model, the same random numbers), so each contrast pairs it with itself: "
      "difference = arm - reference per sample, replicates paired and averaged. Mean and "
      "median differences with " +
      intervals +
      "; P(benefit): the share of samples whose difference lies in the better direction, "
      "with a Wilson interval; helped / harmed: samples better / worse off (the others are "
      "unchanged). For 0/1 outputs: prevented (1 under the reference, 0 under the arm), "
      "caused (0 -> 1) and the exact McNemar test of the two."};
  std::map<std::string, std::vector<std::string>> by_direction;
  bool requested = false;
  for (std::size_t o = 0; o < plan.outputs.size(); ++o) {
    by_direction[better_phrase(plan.better[o])].push_back(plan.outputs[o]);
    requested = requested || plan.better_requested[o];
  }
  std::string directions = "Directions";
  directions +=
      requested ? " (declared by the model, or by --better): " : " (declared by the model): ";
  std::vector<std::string> parts;
  for (const auto& [phrase, outputs] : by_direction)
    parts.push_back(phrase + " for " + text::join(outputs));
  directions += text::join(parts, "; ") + ".";
  if (by_direction.count(better_phrase(Direction::kUnknown))) {
    directions +=
        " Without a direction there is no benefit: --better lower|higher sets one for every such "
        "output, --better OUTPUT=lower|higher for one.";
  }
  s.paragraphs.push_back(directions);
  std::vector<std::string> margins;
  for (std::size_t o = 0; o < plan.outputs.size(); ++o) {
    if (plan.margin[o] > 0.0) {
      margins.push_back(plan.outputs[o] + " " + number(plan.margin[o], NumberStyle::kShortest));
    }
  }
  s.paragraphs.push_back(
      margins.empty()
          ? "Any difference counts as helped or harmed (a margin of 0): a model's numerical error "
            "can tip tiny differences either way; --margin X (or OUTPUT=X) counts differences "
            "within +-X as unchanged."
          : "Differences within a margin count as unchanged: " + text::join(margins) + ".");
  s.facts = {{"confidence", "", plan.confidence, {}, kData},
             {"resamples", "", std::int64_t{plan.resamples}, {}, kData},
             {"seed", "", as_int(plan.seed), {}, kData}};
  const bool single_ref = one_reference(a);
  for (std::size_t o = 0; o < plan.outputs.size(); ++o) {
    const std::string& output = plan.outputs[o];
    const bool binary = std::any_of(a.contrasts.begin(), a.contrasts.end(), [&](const Contrast& c) {
      return c.outputs[o].mcnemar.has_value();
    });
    const bool directed = plan.better[o] != Direction::kUnknown;
    // Columns that mean nothing for this output are left to JSON (as nulls).
    const unsigned binary_text = binary ? kEveryone : kJson;
    const unsigned directed_text = directed ? kEveryone : kJson;
    const unsigned median_text = binary ? kData : kEveryone;  // medians of 0/1 are 0 or +-1
    Table t{"outputs",
            "output " + output + " (" + better_phrase(plan.better[o]) + ")",
            {{"output", "output", output},
             {"better", "", analysis::direction_name(plan.better[o]), {}, kJson},
             {"margin", "", plan.margin[o], {}, kJson}}};
    t.columns = {
        {"arm", "arm", Role::kKey},
        {"reference", "vs", Role::kKey, NumberStyle::kGeneral, "", single_ref ? kData : kEveryone},
        {"samples", "samples", Role::kDetail, NumberStyle::kGeneral, "mean"},
        {"reference_mean", (single_ref ? a.contrasts.front().reference : "reference") + " mean",
         Role::kDetail, NumberStyle::kGeneral, "mean"},
        {"arm_mean", "arm mean", Role::kDetail, NumberStyle::kGeneral, "mean"},
        {"mean", "mean diff", Role::kEstimate}};
    const auto mean_ci =
        interval("mean", plan.confidence, NumberStyle::kGeneral, "ci_low", "ci_high");
    t.columns.insert(t.columns.end(), mean_ci.begin(), mean_ci.end());
    t.columns.push_back(
        {"median", "median diff", Role::kEstimate, NumberStyle::kGeneral, "", median_text});
    const auto median_ci = interval("median", plan.confidence, NumberStyle::kGeneral, "median_low",
                                    "median_high", median_text);
    t.columns.insert(t.columns.end(), median_ci.begin(), median_ci.end());
    t.columns.push_back({"p_benefit", "P(benefit)", Role::kEstimate, NumberStyle::kCoefficient, "",
                         directed ? kEveryone : kJson});
    const auto benefit_ci = interval("p_benefit", plan.confidence, NumberStyle::kCoefficient,
                                     "p_benefit_low", "p_benefit_high", directed_text);
    t.columns.insert(t.columns.end(), benefit_ci.begin(), benefit_ci.end());
    t.columns.push_back(
        {"helped", "helped", Role::kDetail, NumberStyle::kGeneral, "p_benefit", directed_text});
    t.columns.push_back(
        {"harmed", "harmed", Role::kDetail, NumberStyle::kGeneral, "p_benefit", directed_text});
    t.columns.push_back({"increased", "increased", Role::kDetail, NumberStyle::kGeneral, "mean",
                         directed ? kData : kEveryone});
    t.columns.push_back({"decreased", "decreased", Role::kDetail, NumberStyle::kGeneral, "mean",
                         directed ? kData : kEveryone});
    t.columns.push_back(
        {"unchanged", "unchanged", Role::kDetail, NumberStyle::kGeneral, "mean", kData});
    t.columns.push_back({"prevented", "prevented", Role::kDetail, NumberStyle::kGeneral,
                         "net_prevented", binary_text});
    t.columns.push_back(
        {"caused", "caused", Role::kDetail, NumberStyle::kGeneral, "net_prevented", binary_text});
    t.columns.push_back({"net_prevented", "net prevented", Role::kEstimate, NumberStyle::kGeneral,
                         "", binary ? kData : kJson});
    t.columns.push_back({"p_mcnemar", "McNemar p", Role::kPValue, NumberStyle::kPValue,
                         "net_prevented", binary_text});
    for (const auto& c : a.contrasts) {
      const auto& x = c.outputs[o];
      const auto& d = x.difference;
      const bool has_benefit = x.benefit.samples > 0;
      Value helped{}, harmed{};
      if (directed) {
        helped = as_int(plan.better[o] == Direction::kLower ? x.decreased : x.increased);
        harmed = as_int(plan.better[o] == Direction::kLower ? x.increased : x.decreased);
      }
      Value prevented{}, caused{}, net{}, p{};
      if (x.mcnemar) {
        prevented = as_int(x.mcnemar->prevented);
        caused = as_int(x.mcnemar->caused);
        net = static_cast<std::int64_t>(x.mcnemar->prevented) -
              static_cast<std::int64_t>(x.mcnemar->caused);
        p = x.mcnemar->p_value;
      }
      t.rows.push_back({c.arm,
                        c.reference,
                        as_int(x.samples),
                        x.reference_mean,
                        x.arm_mean,
                        d.mean,
                        d.mean_low,
                        d.mean_high,
                        d.median,
                        d.median_low,
                        d.median_high,
                        has_benefit ? x.benefit.probability : kNaN,
                        has_benefit ? x.benefit.ci_low : kNaN,
                        has_benefit ? x.benefit.ci_high : kNaN,
                        helped,
                        harmed,
                        as_int(x.increased),
                        as_int(x.decreased),
                        as_int(x.unchanged),
                        prevented,
                        caused,
                        net,
                        p});
    }
    // The text splits the row in two narrower tables: the difference, and who it helps.
    const std::uint64_t samples = a.contrasts.front().outputs[o].samples;
    const bool same_samples =
        std::all_of(a.contrasts.begin(), a.contrasts.end(),
                    [&](const Contrast& c) { return c.outputs[o].samples == samples; });
    std::vector<std::string> difference = {"arm",      "reference",  "samples",    "reference_mean",
                                           "arm_mean", "mean",       "ci_low",     "ci_high",
                                           "median",   "median_low", "median_high"};
    if (same_samples) difference.erase(difference.begin() + 2);
    s.tables.push_back(projected(
        t, difference,
        "output " + output + " (" + better_phrase(plan.better[o]) + "): paired difference, arm - " +
            (single_ref ? a.contrasts.front().reference : "reference") +
            (same_samples ? " (" + std::to_string(samples) + " samples)" : "")));
    if (directed || binary) {
      s.tables.push_back(projected(
          t,
          {"arm", "reference", "p_benefit", "p_benefit_low", "p_benefit_high", "helped", "harmed",
           "prevented", "caused", "p_mcnemar"},
          "output " + output + ": who is helped" +
              (plan.margin[o] > 0.0
                   ? " (beyond a margin of " + number(plan.margin[o], NumberStyle::kShortest) + ")"
                   : "")));
    }
    t.audience = kData;
    s.tables.push_back(std::move(t));
    s.figures.push_back(forest(a, o));
  }
  return s;
}

std::string predictor_cell(const analysis::CorrelationTable& t, Eigen::Index i, Eigen::Index j) {
  const double v = t.coefficient(i, j);
  return t.parameters[static_cast<std::size_t>(i)] + " " + (v >= 0 ? "+" : "") +
         number(v, NumberStyle::kCoefficient) + significance_marker(t.p_bh(i, j));
}

Section predictors_section(const ArmsAnalysis& a) {
  const auto& plan = a.contrast_plan;
  Section s{"contrast_prcc", "Who benefits: PRCC of the paired difference on the parameters"};
  s.paragraphs = {
      "PRCC of each sample's difference (arm - reference) on the parameters: which tumours the "
      "arm changes most. A positive coefficient means the difference grows with the parameter "
      "(where lower is better, the benefit shrinks). " +
      percent(plan.confidence) +
      " Fisher-z intervals; p from Student's t, adjusted by Benjamini-Hochberg across each "
      "contrast's parameters and outputs; * p (BH) < 0.05, ** < 0.01, *** < 0.001. The text "
      "names the three strongest; a difference that is the same in every sample has none."};
  for (std::size_t o = 0; o < plan.outputs.size(); ++o) {
    const std::string& output = plan.outputs[o];
    const std::string sign = plan.better[o] == Direction::kLower    ? "; negative: more benefit"
                             : plan.better[o] == Direction::kHigher ? "; positive: more benefit"
                                                                    : "";
    Table t{"by_output",
            "output " + output + ": the strongest predictors of the difference (" +
                better_phrase(plan.better[o]) + sign + ")",
            {{"output", "output", output}},
            {{"arm", "arm", Role::kKey},
             {"reference", "vs", Role::kKey, NumberStyle::kGeneral, "",
              one_reference(a) ? 0u : static_cast<unsigned>(kText)},
             {"first", "first", Role::kMarker},
             {"second", "second", Role::kMarker},
             {"third", "third", Role::kMarker}},
            {},
            kText};
    for (const auto& c : a.contrasts) {
      std::vector<Value> row = {c.arm, c.reference};
      if (c.predictors) {
        const auto& p = *c.predictors;
        const auto j = static_cast<Eigen::Index>(o);
        std::vector<Eigen::Index> order;
        for (Eigen::Index i = 0; i < p.coefficient.rows(); ++i) {
          if (std::isfinite(p.coefficient(i, j))) order.push_back(i);
        }
        std::stable_sort(order.begin(), order.end(), [&](Eigen::Index x, Eigen::Index y) {
          return std::abs(p.coefficient(x, j)) > std::abs(p.coefficient(y, j));
        });
        for (std::size_t r = 0; r < 3; ++r) {
          row.emplace_back(r < order.size() ? predictor_cell(p, order[r], j) : std::string());
        }
      } else {
        row.insert(row.end(), 3, std::string());
      }
      t.rows.push_back(std::move(row));
    }
    s.tables.push_back(std::move(t));
  }
  for (const auto& c : a.contrasts) {
    if (!c.predictors) continue;
    const auto& p = *c.predictors;
    for (Eigen::Index j = 0; j < p.coefficient.cols(); ++j) {
      const auto& output = p.outputs[static_cast<std::size_t>(j)];
      Table t{
          "contrasts",
          "",
          {arm_fact(c.arm), {"reference", "reference", c.reference}, {"output", "output", output}},
          {},
          {},
          kData};
      t.columns = {{"parameter", "parameter", Role::kKey}, {"prcc", "PRCC"}};
      const auto ci =
          interval("prcc", p.confidence, NumberStyle::kCoefficient, "ci_low", "ci_high");
      t.columns.insert(t.columns.end(), ci.begin(), ci.end());
      t.columns.push_back({"t", "t", Role::kDetail, NumberStyle::kGeneral, "prcc", kJson});
      t.columns.push_back({"p", "p", Role::kPValue, NumberStyle::kPValue, "prcc"});
      t.columns.push_back({"p_bh", "p (BH)", Role::kPAdjusted, NumberStyle::kPValue, "prcc"});
      for (Eigen::Index i = 0; i < p.coefficient.rows(); ++i) {
        t.rows.push_back({p.parameters[static_cast<std::size_t>(i)], p.coefficient(i, j),
                          p.ci_low(i, j), p.ci_high(i, j), p.t_statistic(i, j), p.p_value(i, j),
                          p.p_bh(i, j)});
      }
      s.tables.push_back(std::move(t));
    }
    for (const auto& sc : c.scatter) {
      const auto param = std::find_if(a.campaign.parameters.begin(), a.campaign.parameters.end(),
                                      [&](const auto& q) { return q.name == sc.parameter; });
      const bool log_x = param != a.campaign.parameters.end() && param->log_scaled;
      const std::vector<Fact> context = {arm_fact(c.arm),
                                         {"reference", "reference", c.reference},
                                         {"output", "output", sc.output}};
      if (!sc.benefit_bins.empty()) {
        // A 0/1 output: the share of tumours the arm helps along the parameter.
        const auto& first = sc.benefit_bins.front().probability;
        std::uint64_t samples = 0;
        for (const auto& bin : sc.benefit_bins) {
          samples += static_cast<std::uint64_t>(bin.probability.samples);
        }
        const std::string helped = plan_word(a, sc.output);
        Figure f{FigureKind::kProbability, "benefit_" + c.arm + "_" + sc.output,
                 sc.output + ": P(" + helped + " by " + c.arm + " vs " + c.reference + ") along " +
                     sc.parameter + " (" + percent(first.confidence) + " Wilson CI, " +
                     std::to_string(samples) + " samples)",
                 "", "P(" + helped + ")"};
        f.output = sc.output;
        f.caption = "Share of samples (virtual tumours) in which " + c.arm + " improves " +
                    sc.output + " over " + c.reference + ", in " +
                    std::to_string(sc.benefit_bins.size()) + " bins of equal counts of " +
                    sc.parameter +
                    " (the parameter whose PRCC with the difference is largest); horizontal "
                    "whiskers: the bin's range; vertical: " +
                    percent(first.confidence) + " Wilson intervals.";
        f.data.context = context;
        f.data.columns = parts::probability_bin_columns("P(benefit)");
        for (const auto& bin : sc.benefit_bins) {
          f.data.rows.push_back({sc.parameter, bin.x_median, bin.x_low, bin.x_high,
                                 bin.probability.probability, bin.probability.ci_low,
                                 bin.probability.ci_high, log_x});
        }
        s.figures.push_back(std::move(f));
        continue;
      }
      Figure f{FigureKind::kScatter, "benefit_" + c.arm + "_" + sc.output,
               sc.output + ": " + c.arm + " - " + c.reference + " against " + sc.parameter + " (" +
                   std::to_string(sc.differences.size()) + " samples)",
               "", "difference in " + sc.output};
      f.output = sc.output;
      f.caption = "Each point a sample (virtual tumour): its difference in " + sc.output +
                  " against " + sc.parameter +
                  ", the parameter whose PRCC with the difference is largest.";
      f.data.context = context;
      Column x{sc.parameter, sc.parameter};
      x.log_scale = log_x;
      f.data.columns = {x, {"difference", "difference"}};
      for (std::size_t r = 0; r < sc.differences.size(); ++r) {
        f.data.rows.push_back({sc.parameter_values[r], sc.differences[r]});
      }
      s.figures.push_back(std::move(f));
    }
  }
  return s;
}

Section subgroups_section(const ArmsAnalysis& a) {
  const auto& plan = a.contrast_plan;
  Section s{"subgroups", "Who benefits: the difference by fifths of its top parameters"};
  s.paragraphs = {
      "The paired samples split into five groups of equal size by the value of each of the " +
      std::to_string(plan.subgroup_parameters) +
      " parameters whose PRCC with the difference is largest (dummies left out): the mean "
      "difference in each with a Student-t " +
      percent(plan.confidence) +
      " interval, and the share that benefits. The text shows the first parameter; JSON and "
      "CSV all of them."};
  const auto columns = [&] {
    std::vector<Column> c = {
        {"arm", "arm", Role::kKey},
        {"reference", "vs", Role::kKey, NumberStyle::kGeneral, "",
         one_reference(a) ? kData : kEveryone},
        {"parameter", "parameter", Role::kKey},
        {"fifth", "fifth", Role::kKey},
        {"low", "range", Role::kLow, NumberStyle::kGeneral, "range"},
        {"high", "", Role::kHigh, NumberStyle::kGeneral, "range"},
        {"samples", "samples", Role::kDetail, NumberStyle::kGeneral, "mean"},
        {"prcc", "PRCC", Role::kDetail, NumberStyle::kCoefficient, "mean", kData},
        {"mean", "mean diff", Role::kEstimate}};
    const auto ci = interval("mean", plan.confidence, NumberStyle::kGeneral, "ci_low", "ci_high");
    c.insert(c.end(), ci.begin(), ci.end());
    c.push_back({"p_benefit", "P(benefit)", Role::kEstimate, NumberStyle::kCoefficient});
    return c;
  };
  for (std::size_t o = 0; o < plan.outputs.size(); ++o) {
    const std::string& output = plan.outputs[o];
    Table text_table{"by_output",
                     "output " + output + " (" + better_phrase(plan.better[o]) + ")",
                     {{"output", "output", output}},
                     columns(),
                     {},
                     kText};
    Table data{"outputs", "", {{"output", "output", output}}, columns(), {}, kData};
    for (const auto& c : a.contrasts) {
      std::string first;
      for (const auto& g : c.subgroups) {
        if (g.output != output) continue;
        if (first.empty()) first = g.parameter;
        std::vector<Value> row = {c.arm,  c.reference, g.parameter,       std::int64_t(g.fifth),
                                  g.low,  g.high,      as_int(g.samples), g.prcc,
                                  g.mean, g.mean_low,  g.mean_high,       g.p_benefit};
        if (g.parameter == first) text_table.rows.push_back(row);
        data.rows.push_back(std::move(row));
      }
    }
    if (data.rows.empty()) continue;
    s.tables.push_back(std::move(text_table));
    s.tables.push_back(std::move(data));
  }
  if (s.tables.empty()) s.paragraphs.push_back("No difference varies with a parameter.");
  return s;
}

}  // namespace

Report build_arms_report(const ArmsAnalysis& a) {
  std::vector<Report> per_arm;
  for (const auto& arm : a.arms) per_arm.push_back(build_report(arm));
  Report r{"tmex analyze", {}};
  r.sections.push_back(campaign_section(a));
  r.sections.push_back(arms_section(a));
  if (a.checkpoints && !a.checkpoints->checkpoints.empty()) {
    r.sections.push_back(checkpoints_section(*a.checkpoints));
  }
  r.sections.push_back(failures_section(a, per_arm));
  Section notes = notes_section(a);
  if (!notes.paragraphs.empty()) r.sections.push_back(std::move(notes));
  // Every other section key, in the order the arms' reports have them.
  std::vector<std::string> keys;
  for (const auto& report : per_arm) {
    for (const auto& s : report.sections) {
      if (s.key == "campaign" || s.key == "failures" || s.key == "notes") continue;
      if (std::find(keys.begin(), keys.end(), s.key) == keys.end()) keys.push_back(s.key);
    }
  }
  std::vector<Section> rest;
  for (const auto& key : keys) {
    Section s = merged_section(key, a, per_arm);
    if (key == "prcc" || key == "pcc" || key == "pearson" || key == "spearman") {
      correlation_side_by_side(key, a, s);
    }
    if (key == "uncertainty") uncertainty_side_by_side(a, s);
    if (key == "convergence") convergence_side_by_side(a, s);
    (is_sensitivity(key) ? r.sections : rest).push_back(std::move(s));
  }
  if (!a.contrasts.empty()) {
    r.sections.push_back(contrasts_section(a));
    r.sections.push_back(predictors_section(a));
    r.sections.push_back(subgroups_section(a));
  }
  for (auto& s : rest) r.sections.push_back(std::move(s));
  return r;
}

}  // namespace tmex::report
