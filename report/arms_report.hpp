// The report of a campaign with arms: each arm's analysis side by side, then the contrasts.
#pragma once

#include "analysis/arms_analysis.hpp"
#include "report/report_model.hpp"

namespace tmex::report {

/// The report of `analysis`, sections in reading order:
/// - `campaign` (with the arms and their overrides), `failures` and `notes` of every arm;
/// - each section of the usual report (build_report of each arm), merged: every table gains
///   the arm as a fact (and "arm NAME" in its title), every figure the arm in its name. For the
///   correlation measures and the uncertainty summary the text shows one table per output with
///   the arms side by side (parameters by the reference arm's |coefficient|; arms' summaries),
///   and the per-arm tables go to JSON and CSV;
/// - `contrasts`: per output, each contrast's paired difference (mean and median with
///   intervals), P(benefit), helped and harmed samples, and for 0/1 outputs the McNemar counts
///   and p; a forest plot per output;
/// - `contrast_prcc`: which parameters predict the difference (PRCC with inference; the text
///   names the top three per contrast), with a scatter of the difference against its top
///   parameter;
/// - `subgroups`: the difference in fifths of each top parameter (the text shows the first).
Report build_arms_report(const analysis::ArmsAnalysis& analysis);

}  // namespace tmex::report
