// The report of a campaign analysis: CampaignAnalysis turned into the report model once.
#pragma once

#include "analysis/campaign_analysis.hpp"
#include "report/report_model.hpp"

namespace tmex::report {

/// The report of `analysis`, sections in reading order: campaign, failures, notes, each
/// sensitivity method (with tornado, bar, mu*-sigma and scatter figures), convergence, PRCC over
/// time, uncertainty (with histograms), events. Parameters are sorted by the size of their index
/// in each output's table. Everything a writer shows comes from here, so that every format
/// carries the same numbers.
Report build_report(const analysis::CampaignAnalysis& analysis);

/// The Checkpoints section of a campaign that stops itself (`path` not empty): the verdict, each
/// checkpoint's criteria and decision (with the contrast of each criterion of a campaign with
/// arms), and figures of the half-widths against their targets.
Section checkpoints_section(const analysis::CheckpointPath& path);
/// The facts that name a campaign, first in its Campaign section: store, name, model and its
/// version (one fact in documents, two in data), design and the design's kind.
std::vector<Fact> campaign_identity_facts(const analysis::CampaignInfo& campaign);

/// "***" for p < 0.001, "**" for p < 0.01, "*" for p < 0.05, else "" (NaN: "").
std::string significance_marker(double p);

}  // namespace tmex::report
