// The check of a self-stopping campaign at a checkpoint: have its indices converged?
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/campaign.hpp"
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
  double confidence = 0.95;  ///< of the intervals
  int resamples = 1000;      ///< bootstrap resamples of Sobol' intervals
  std::uint64_t seed = 0;    ///< of the bootstrap (the campaign's seed)
};

/// One output's criteria at a checkpoint.
struct OutputCheck {
  std::string output{};
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

  /// Both criteria hold and every index is defined.
  bool met() const { return defined && halfwidths.met && top_stable; }
};

/// A checkpoint's check: the criteria of each output on the runs of the checkpoint.
struct CheckpointCheck {
  unsigned checkpoint = 0;          ///< 0 for the first
  std::uint64_t size = 0;           ///< samples (prcc) or base rows (sobol) of the checkpoint
  std::uint64_t previous_size = 0;  ///< of the checkpoint before (0 for the first)
  std::uint64_t rows = 0;           ///< samples or whole base rows the indices used
  std::vector<OutputCheck> outputs{};
  std::string error{};    ///< why the indices could not be computed (then met is false)
  bool met = false;       ///< every output meets the criteria and there is a previous checkpoint
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
/// Deterministic: the result depends on the runs and the rule only (not on threads or the
/// order of the rows). Data that cannot be analysed (too few runs, a constant input) gives a
/// check with `error` set and `met` false, not an exception. Throws AnalysisError for a rule
/// that names an unknown output or does not fit the design.
CheckpointCheck check_checkpoint(const CampaignInfo& campaign, const RunTable& runs,
                                 unsigned checkpoint, std::uint64_t size,
                                 std::uint64_t previous_size, const StoppingRule& rule);

}  // namespace tmex::analysis
