// The criteria of a converged analysis, shared by requests, reports and self-stopping campaigns.
#pragma once

namespace tmex::analysis {

/// What "converged" means, for a whole analysis and for a campaign that stops itself at
/// checkpoints: every interval half-width of an index whose interval excludes 0 is at most
/// `halfwidth`, and the top `stable_top` parameters that matter are the same, in the same order,
/// at two consecutive checkpoints (here: N / 2 and N rows).
struct ConvergenceCriteria {
  double halfwidth = 0.05;  ///< largest acceptable half-width of a significant index's interval
  int stable_top = 5;       ///< how many of the top parameters must keep their order; >= 1
};

}  // namespace tmex::analysis
