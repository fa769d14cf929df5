// analyse_campaign(): the stages of pipeline_stages.hpp in order, with the notes between them.
#include "analysis/campaign_analysis.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "analysis/analysis_error.hpp"
#include "analysis/pipeline_stages.hpp"
#include "analysis/sample_size.hpp"
#include "text/number_text.hpp"

namespace tmex::analysis {

std::string coefficient_name(Coefficient coefficient) {
  constexpr std::array<std::pair<Coefficient, const char*>, 6> kNames = {{
      {Coefficient::kPrcc, "prcc"},
      {Coefficient::kPcc, "pcc"},
      {Coefficient::kPearson, "pearson"},
      {Coefficient::kSpearman, "spearman"},
      {Coefficient::kSrc, "src"},
      {Coefficient::kSrrc, "srrc"},
  }};
  for (const auto& [c, name] : kNames) {
    if (c == coefficient) return name;
  }
  return "?";
}

namespace {

// A warning for each analysed output that takes one value in every analysed run: no index of it
// is defined, and a table of NaN would otherwise be the only sign.
void constant_outputs(const AnalysisPlan& plan, const RunTable& runs,
                      const std::vector<std::size_t>& rows, CampaignAnalysis& out) {
  if (rows.empty()) return;
  for (const auto& name : plan.outputs) {
    const double* column = runs.column(columns_of(runs, {name}).front());
    const double first = column[rows.front()];
    const bool constant =
        std::all_of(rows.begin(), rows.end(), [&](std::size_t r) { return column[r] == first; });
    if (constant) {
      out.warnings.push_back("Output " + name + " is " +
                             text::format_number(first, text::NumberStyle::kShortest) +
                             " in every one of the " + std::to_string(rows.size()) +
                             " analysed runs: none of its sensitivity indices is defined, and "
                             "its convergence cannot be judged.");
    }
  }
}

}  // namespace

CampaignAnalysis analyse_campaign(const CampaignInfo& campaign, const RunTable& runs,
                                  const AnalysisPlan& plan) {
  CampaignAnalysis out;
  out.campaign = campaign;
  out.plan = plan;
  const DesignKind kind = campaign.layout.kind;
  const bool outcomes = plan.runs(Method::kUncertainty) || !plan.events.empty();
  if (kind == DesignKind::kGrid && outcomes) {
    out.notes.push_back(
        "A grid is not a random sample of the inputs: the output distribution describes the grid "
        "points, not the uncertainty of the parameters.");
  }
  const auto needed = columns_of(runs, plan.columns);
  RowSelection rows = select_rows(runs, needed);
  // Runs of different arms share their samples: pooled, each sample would count once per arm.
  if (!runs.arm.empty() && std::any_of(runs.arm.begin(), runs.arm.end(),
                                       [&](std::uint32_t a) { return a != runs.arm.front(); })) {
    throw AnalysisError(
        "the run table holds runs of several arms; analyse the rows of one arm at a time");
  }
  out.stored_runs = runs.rows;
  out.ok_runs = rows.ok.size();
  out.failed_runs = rows.failed.size();
  if (out.stored_runs < campaign.total_runs()) {
    out.notes.push_back("The campaign is incomplete: " + std::to_string(out.stored_runs) + " of " +
                        std::to_string(campaign.total_runs()) +
                        " runs are stored; the analysis uses what is there.");
  }
  if (out.ok_runs == 0) {
    throw AnalysisError(campaign.source + ": no successful runs to analyse (" +
                        std::to_string(out.stored_runs) + " stored, " +
                        std::to_string(out.failed_runs) + " failed)");
  }
  if (out.failed_runs > 0) {
    out.failures = analyse_failures(runs, rows, columns_of(runs, campaign.parameter_names()),
                                    campaign.parameter_names());
  }
  if (const auto missing = rows.ok.size() - rows.analysed.size(); missing > 0) {
    out.notes.push_back(std::to_string(missing) +
                        " successful runs have no value for an analysed output (NULL) and are "
                        "excluded too.");
  }
  rows.ok = {};
  rows.failed = {};

  // Sensitivity uses each sample's mean over its replicates; outcomes use every run.
  std::optional<RunTable> means;
  std::vector<std::size_t> sample_rows;
  if (campaign.replicates > 1) {
    means = average_replicates(runs, rows.analysed, needed);
    sample_rows.resize(means->rows);
    for (std::size_t i = 0; i < means->rows; ++i) sample_rows[i] = i;
    out.notes.push_back(
        "Each sample has " + std::to_string(campaign.replicates) +
        " replicates: the sensitivity analysis uses each sample's mean over its successful "
        "replicates (" +
        std::to_string(means->rows) +
        " samples); the uncertainty summary and events use every successful run (" +
        std::to_string(rows.analysed.size()) +
        " runs), so they include the model's own "
        "randomness.");
  }
  const RunTable& samples = means ? *means : runs;
  constant_outputs(plan, runs, rows.analysed, out);
  const std::vector<std::size_t>& analysed_samples = means ? sample_rows : rows.analysed;

  std::vector<std::size_t> outcome_rows = rows.analysed;
  if (kind == DesignKind::kSaltelli) {
    saltelli_sensitivity(campaign, plan, samples, analysed_samples, out);
    // The A and B rows of a Saltelli design are independent samples of the inputs.
    const auto b = static_cast<std::int64_t>(campaign.parameters.size() + 1);
    std::erase_if(outcome_rows,
                  [&](std::size_t r) { return runs.block[r] != 0 && runs.block[r] != b; });
    if (outcomes) {
      out.notes.push_back(
          "The uncertainty summary and events use the A and B rows of the "
          "Saltelli design (" +
          std::to_string(outcome_rows.size()) +
          " runs), which are a random sample of the inputs; the A_B rows are "
          "not.");
    }
  } else if (kind == DesignKind::kMorris) {
    morris_sensitivity(campaign, plan, samples, analysed_samples, out);
  } else {
    sample_sensitivity(campaign, plan, samples, analysed_samples, out);
  }
  means.reset();
  if (out.sensitivity_rows > 0 &&
      (out.sobol || out.morris || !out.correlations.empty() || !out.regressions.empty())) {
    const auto warnings =
        sample_size_warnings(kind, campaign.parameters.size(), out.sensitivity_rows);
    out.warnings.insert(out.warnings.end(), warnings.begin(), warnings.end());
  }
  // Morris trajectories are not a random sample of the inputs: no outcomes (the plan refuses
  // them too).
  if (kind == DesignKind::kMorris) return out;
  if (plan.runs(Method::kUncertainty)) summarise_uncertainty(plan, runs, outcome_rows, out);
  estimate_events(plan, runs, outcome_rows, out);
  return out;
}

}  // namespace tmex::analysis
