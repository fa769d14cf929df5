// Paired contrasts between treatment arms: per-sample differences, their summary, who benefits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/campaign.hpp"
#include "analysis/centre_summary.hpp"
#include "analysis/correlation_table.hpp"
#include "analysis/event_probability.hpp"
#include "analysis/mcnemar.hpp"
#include "analysis/run_table.hpp"

namespace tmex::analysis {

/// What a caller asks of the contrasts of a campaign with arms. The defaults compare every arm
/// with the first on every output.
struct ContrastRequest {
  /// "ARM" (against the first arm) or "ARM:REFERENCE"; empty: every other arm against the first.
  std::vector<std::string> contrasts{};
  std::vector<std::string> outputs{};  ///< empty: every output
  /// The better direction of every output whose model declares none.
  std::optional<Direction> better{};
  /// Per output: its better direction, also over the model's declaration.
  std::vector<std::pair<std::string, Direction>> better_outputs{};
  /// Differences within +-margin count as unchanged (neither a benefit nor a harm): for every
  /// output, and per output over it. Default 0: any difference counts.
  std::optional<double> margin{};
  std::vector<std::pair<std::string, double>> margin_outputs{};
  double confidence = 0.95;
  /// Bootstrap resamples of the mean and median differences; nullopt: 1000, and large-sample
  /// intervals above 50000 paired samples.
  std::optional<int> bootstrap{};
  std::optional<std::uint64_t> seed{};  ///< of the bootstrap; nullopt: the campaign's seed
  std::size_t subgroup_parameters = 3;  ///< parameters whose fifths the subgroup table shows
  std::size_t scatter_points = 2000;    ///< points of each benefit scatter (spread evenly)
  unsigned threads = 0;                 ///< 0: all cores; the results do not depend on it
};

/// One contrast: an arm against a reference arm (positions in CampaignInfo::arms).
struct ContrastPair {
  std::uint32_t arm = 0;
  std::uint32_t reference = 0;
  bool operator==(const ContrastPair&) const = default;
};

/// A contrast request checked against a campaign and resolved.
struct ContrastPlan {
  std::vector<ContrastPair> pairs{};
  std::vector<std::string> outputs{};
  std::vector<Direction> better{};       ///< per output
  std::vector<bool> better_requested{};  ///< per output: the direction came from the request
  std::vector<double> margin{};          ///< per output: |difference| <= margin is unchanged
  double confidence = 0.95;
  int resamples = 1000;
  std::optional<int> bootstrap{};  ///< as requested (forces bootstrap intervals)
  std::uint64_t seed = 0;
  std::size_t subgroup_parameters = 3;
  std::size_t subgroups = 5;  ///< fifths
  std::size_t scatter_points = 2000;
  unsigned threads = 0;
  /// Value columns the run table must hold: every parameter, then the outputs.
  std::vector<std::string> columns{};
};

/// Checks `request` against `campaign` and resolves it. Throws RequestError for a campaign
/// without arms (at least two are needed), a Morris design (its trajectories are not a sample
/// of the inputs), an unknown arm (listing the arms), an arm compared with itself or twice, an
/// unknown or repeated output, a negative or non-finite margin, a confidence outside (0, 1)
/// or negative resamples.
ContrastPlan plan_contrasts(const CampaignInfo& campaign, const ContrastRequest& request);

/// The paired comparison of one output between an arm and its reference, over the samples that
/// succeeded in both. The difference of a sample is arm minus reference, averaged over the
/// replicates that succeeded in both (common random numbers pair replicate with replicate).
struct OutputContrast {
  std::string output{};
  Direction better = Direction::kUnknown;
  bool binary = false;                          ///< every paired value is 0 or 1: McNemar applies
  std::uint64_t samples = 0;                    ///< paired samples
  double reference_mean = 0.0, arm_mean = 0.0;  ///< means over the paired samples
  CentreSummary difference{};  ///< mean and median of arm - reference, with intervals
  double margin = 0.0;         ///< differences within +-margin count as unchanged
  /// Samples whose difference is above +margin, below -margin, or within it.
  std::uint64_t increased = 0, decreased = 0, unchanged = 0;
  /// P(benefit): the share of samples whose difference lies beyond the margin in the better
  /// direction, with a Wilson interval; samples = 0 where the direction is unknown.
  EventProbability benefit{};
  /// 0/1 outputs: the 2 x 2 table of paired runs (sample and replicate) and the exact McNemar
  /// test; its p-value is NaN for campaigns with replicates (the replicates of one sample are
  /// not independent pairs).
  std::optional<McNemarTest> mcnemar{};
};

/// The benefit in one fifth (by value) of a parameter that predicts it.
struct Subgroup {
  std::string output{};
  std::string parameter{};
  double prcc = 0.0;             ///< PRCC of the difference on the parameter
  std::size_t fifth = 0;         ///< 1 (lowest values) .. 5
  double low = 0.0, high = 0.0;  ///< the parameter's range in the fifth
  std::uint64_t samples = 0;
  double mean = 0.0, mean_low = 0.0, mean_high = 0.0;  ///< difference, Student-t interval
  double p_benefit = 0.0;  ///< share of samples that benefit (NaN without a direction)
};

/// A sample of (top parameter, difference) points of one output, for a scatter plot.
struct BenefitScatter {
  std::string output{};
  std::string parameter{};
  std::vector<double> parameter_values{};
  std::vector<double> differences{};
  /// 0/1 outputs with a better direction: P(benefit) in kBenefitBins bins of equal counts of
  /// the parameter over every paired sample, with Wilson intervals (a scatter of -1, 0 and 1
  /// shows nothing); empty otherwise.
  std::vector<ProbabilityBin> benefit_bins{};
};

/// Bins of the top parameter for P(benefit) of a 0/1 output (BenefitScatter::benefit_bins).
inline constexpr int kBenefitBins = 10;

/// Everything one contrast found.
struct Contrast {
  std::string arm{}, reference{};
  ContrastPair pair{};
  std::uint64_t samples = 0;    ///< samples with at least one paired run
  std::uint64_t run_pairs = 0;  ///< (sample, replicate) pairs that succeeded in both arms
  /// Run pairs left out: failed (or lacking a value) in the arm only, in the reference only, in
  /// both; and runs whose partner is not stored (an incomplete campaign).
  std::uint64_t failed_arm_only = 0, failed_reference_only = 0, failed_both = 0, unmatched = 0;
  std::vector<OutputContrast> outputs{};
  /// PRCC of each output's difference (columns) on the parameters that vary (rows), with
  /// inference adjusted across the table; nullopt when there are too few samples.
  std::optional<CorrelationTable> predictors{};
  std::vector<Subgroup> subgroups{};  ///< by output, parameter (by |PRCC|), fifth
  std::vector<BenefitScatter> scatter{};
  std::vector<std::string> notes{};
};

/// The contrasts of `plan` on `runs` (every run of the campaign, with the arm column and the
/// plan's columns; any order; an incomplete campaign pairs what is there). For a Saltelli
/// design only its A and B rows, a random sample of the inputs, are paired. The mean and median
/// intervals come from resamples of the paired samples shared by every output of a contrast
/// (summarize_centres). Nothing is cached: call it again on a grown table. Throws
/// AnalysisError when the table has no arm column, or when the runs of one sample differ in a
/// parameter between arms (they would not be the same virtual patient).
std::vector<Contrast> contrast_arms(const CampaignInfo& campaign, const RunTable& runs,
                                    const ContrastPlan& plan);

}  // namespace tmex::analysis
