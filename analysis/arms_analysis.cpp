// analyse_arms(): the runs split by arm for the usual analysis, then the paired contrasts.
#include "analysis/arms_analysis.hpp"

#include <algorithm>

#include "analysis/analysis_error.hpp"

namespace tmex::analysis {

RunTable runs_of_arm(const RunTable& runs, std::uint32_t arm) {
  runs.check_shape();
  if (runs.arm.empty()) throw AnalysisError("the run table has no arm column");
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < runs.rows; ++r) {
    if (runs.arm[r] == arm) rows.push_back(r);
  }
  RunTable out = runs.rows_at(rows);
  out.arm.clear();
  return out;
}

CampaignInfo arm_campaign(const CampaignInfo& campaign, std::uint32_t arm) {
  CampaignInfo c = campaign;
  c.arms.clear();
  c.arm_overrides.clear();
  c.source = campaign.source + " (arm " + campaign.arms.at(arm) + ")";
  return c;
}

ArmsAnalysis analyse_arms(const CampaignInfo& campaign, const RunTable& runs,
                          const AnalysisPlan& plan, const ContrastPlan& contrast_plan) {
  ArmsAnalysis out;
  out.campaign = campaign;
  out.contrast_plan = contrast_plan;
  // The arms share the bootstrap budget of one campaign's uncertainty summary.
  AnalysisPlan arm_plan = plan;
  arm_plan.bootstrap_summary_runs = std::max<std::size_t>(
      1, plan.bootstrap_summary_runs / std::max<std::size_t>(1, campaign.arms.size()));
  for (std::uint32_t a = 0; a < campaign.arms.size(); ++a) {
    const RunTable arm_runs = runs_of_arm(runs, a);
    try {
      out.arms.push_back(analyse_campaign(arm_campaign(campaign, a), arm_runs, arm_plan));
    } catch (const AnalysisError& e) {
      throw AnalysisError("arm " + campaign.arms[a] + ": " + e.what());
    }
  }
  out.contrasts = contrast_arms(campaign, runs, contrast_plan);
  return out;
}

}  // namespace tmex::analysis
