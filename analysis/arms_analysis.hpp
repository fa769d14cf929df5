// The analysis of a campaign with arms: the usual analysis of each arm, and the contrasts.
#pragma once

#include <optional>
#include <vector>

#include "analysis/analysis_request.hpp"
#include "analysis/campaign_analysis.hpp"
#include "analysis/checkpoint_path.hpp"
#include "analysis/contrast.hpp"

namespace tmex::analysis {

/// Everything the analysis of a campaign with arms found. A plain value; report/ renders it.
struct ArmsAnalysis {
  CampaignInfo campaign;
  std::vector<CampaignAnalysis> arms;  ///< the usual analysis of each arm's runs, in arm order
  ContrastPlan contrast_plan;
  std::vector<Contrast> contrasts;  ///< in the plan's order
  /// A campaign that stops itself: its recorded checks (set by whoever read them with the runs;
  /// analyse_arms() leaves it empty).
  std::optional<CheckpointPath> checkpoints;
};

/// The runs of `runs` under arm `arm`, with their columns (and trajectories); the result has
/// no arm column. Throws AnalysisError when `runs` has none.
RunTable runs_of_arm(const RunTable& runs, std::uint32_t arm);

/// The campaign as one of its arms sees it: no arms, runs of one arm, the source and name
/// saying which arm.
CampaignInfo arm_campaign(const CampaignInfo& campaign, std::uint32_t arm);

/// analyse_campaign() of each arm's runs (with `plan`; the arms share its bootstrap budget:
/// each arm's summaries of more than plan.bootstrap_summary_runs / arms runs get large-sample
/// intervals unless the plan fixes the resamples), then contrast_arms() with
/// `contrast_plan`. `runs` holds every run with the arm column and the columns of both plans.
/// Throws as analyse_campaign() (naming the arm) and contrast_arms().
ArmsAnalysis analyse_arms(const CampaignInfo& campaign, const RunTable& runs,
                          const AnalysisPlan& plan, const ContrastPlan& contrast_plan);

}  // namespace tmex::analysis
