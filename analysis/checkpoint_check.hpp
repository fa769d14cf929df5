// The check of a self-stopping campaign at a checkpoint: have its indices converged?
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/campaign.hpp"
#include "analysis/contrast.hpp"
#include "analysis/convergence.hpp"
#include "analysis/run_table.hpp"

namespace tmex::analysis {

/// The indices whose convergence a self-stopping campaign watches.
enum class StoppingMeasure {
  kPrcc,   ///< PRCC with Fisher-z intervals (designs that sample the space: lhs, sobol)
  kSobol,  ///< Sobol' first-order and total indices with bootstrap intervals (saltelli)
};

/// "prcc" or "sobol".
std::string stopping_measure_name(StoppingMeasure measure);

/// When a campaign that grows by checkpoints has converged.
struct StoppingRule {
  StoppingMeasure measure = StoppingMeasure::kPrcc;
  std::vector<std::string> outputs{};  ///< the outputs that must converge; empty: all
  ConvergenceCriteria criteria{};
  /// Which criteria are judged: a campaign without arms judges both; one with arms only those
  /// its convergence block writes (of the PRCC of the paired differences, who benefits).
  bool judge_halfwidth = true;
  bool judge_stable_top = true;
  /// A campaign with arms: the contrasts judged, "ARM" (against the first arm) or
  /// "ARM:REFERENCE" as plan_contrasts() reads them (at least one; none without arms).
  std::vector<std::string> contrasts{};
  /// A campaign with arms: per output (as `outputs`, or the campaign's outputs when that is
  /// empty), the largest acceptable half-width of the mean paired difference's interval, in the
  /// output's units; NaN, or an empty vector: not judged.
  std::vector<double> difference{};
  double confidence = 0.95;  ///< of the intervals
  int resamples = 1000;      ///< bootstrap resamples of Sobol' intervals
  std::uint64_t seed = 0;    ///< of the bootstrap (the campaign's seed)
};

/// The mean paired difference (arm - reference) of one output of a contrast at a checkpoint.
struct DifferenceCheck {
  bool judged = false;                       ///< the rule gives this output a difference target
  std::uint64_t samples = 0;                 ///< paired samples
  double mean = 0.0, low = 0.0, high = 0.0;  ///< with its interval (NaN below 2 samples)
  double halfwidth = 0.0;                    ///< (high - low) / 2
  double target = 0.0;
  bool met = false;  ///< halfwidth <= target
};

/// One output's criteria at a checkpoint (of one contrast, in a campaign with arms: then
/// `halfwidths`, `ranked`, `top` and `before` are those of the PRCC of the paired differences).
struct OutputCheck {
  std::string output{};
  std::string contrast{};        ///< "ARM:REFERENCE"; empty in a campaign without arms
  bool judge_halfwidth = true;   ///< as the rule
  bool judge_stable_top = true;  ///< as the rule
  DifferenceCheck difference{};
  /// Every index of the output is a number (not so for a constant output).
  bool defined = true;
  /// Half-widths of the indices whose interval excludes 0 (PRCC; Sobol': S and ST).
  HalfwidthCheck halfwidths{};
  std::string widest{};  ///< the index with the largest of them, e.g. "x1" or "ST(x1)"
  /// How many top parameters must keep their order: those whose interval excludes 0, at most
  /// criteria.stable_top (PRCC by |PRCC|; Sobol' by ST).
  Eigen::Index ranked = 0;
  std::vector<std::string> top{};     ///< the top `ranked` parameters at this checkpoint
  std::vector<std::string> before{};  ///< the top `ranked` at the previous checkpoint
  bool top_stable = false;            ///< top == before (false at the first checkpoint)

  /// Every judged criterion holds, and every index is defined where one is judged.
  bool met() const {
    const bool indices = judge_halfwidth || judge_stable_top;
    return (!indices || defined) && (!judge_halfwidth || halfwidths.met) &&
           (!judge_stable_top || top_stable) && (!difference.judged || difference.met);
  }
};

/// A checkpoint's check: the criteria of each output on the runs of the checkpoint.
struct CheckpointCheck {
  unsigned checkpoint = 0;          ///< 0 for the first
  std::uint64_t size = 0;           ///< samples (prcc) or base rows (sobol) of the checkpoint
  std::uint64_t previous_size = 0;  ///< of the checkpoint before (0 for the first)
  std::uint64_t rows = 0;           ///< samples or whole base rows the indices used
  std::vector<OutputCheck> outputs{};
  std::string error{};  ///< why the indices could not be computed (then met is false)
  /// Every output meets the criteria, and there is a previous checkpoint where the order of the
  /// top parameters is judged.
  bool met = false;
  std::string summary{};  ///< the verdict in words
};

/// The check at checkpoint `checkpoint` of size `size` (design samples for PRCC, base rows for
/// Sobol'), whose predecessor has `previous_size` (0: none). Uses the runs of `runs` whose
/// sample lies in the checkpoint (samples < size, or < size (k + 2) for a Saltelli design;
/// later ones are ignored), successful and with every needed value, replicates averaged:
///  - PRCC: the coefficients and Fisher-z intervals at `size`, and the coefficients of the
///    leading runs of the previous checkpoint (samples < previous_size), ranked once;
///  - Sobol': the indices with percentile bootstrap intervals (rule.resamples, rule.seed) over
///    the whole base rows below `size`, and ST over those below `previous_size`.
/// Dummy parameters are left out of both criteria (their indices are noise by design).
/// A campaign with arms (rule.contrasts) is judged per contrast and output on contrast_arms()
/// of the checkpoint's runs, as `tmex analyze` reports it (confidence and seed of the rule, its
/// default bootstrap): the mean paired difference's interval against rule.difference, and the
/// PRCC of the differences on the parameters as above (the previous checkpoint's without
/// intervals); outputs in contrast order, then output order.
/// Deterministic: the result depends on the runs and the rule only (not on threads or the
/// order of the rows). Data that cannot be analysed (too few runs, a constant input) gives a
/// check with `error` set and `met` false, not an exception. Throws AnalysisError for a rule
/// that names an unknown output or does not fit the design, contrasts for a campaign without
/// arms or none for one with, and RequestError for contrasts plan_contrasts() refuses.
CheckpointCheck check_checkpoint(const CampaignInfo& campaign, const RunTable& runs,
                                 unsigned checkpoint, std::uint64_t size,
                                 std::uint64_t previous_size, const StoppingRule& rule);

}  // namespace tmex::analysis
