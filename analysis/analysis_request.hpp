// What to analyse: the request (methods, outputs, events, intervals) and the plan made from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/campaign.hpp"
#include "analysis/convergence_criteria.hpp"

namespace tmex::analysis {

/// The methods a campaign analysis can run.
enum class Method {
  kPrcc,         ///< partial rank correlation coefficients with inference
  kPcc,          ///< partial correlation coefficients
  kSrc,          ///< standardised regression coefficients
  kSrrc,         ///< standardised rank regression coefficients
  kCorrelation,  ///< Pearson and Spearman correlations
  kSobol,        ///< Sobol' first-order and total indices (Saltelli designs)
  kMorris,       ///< Morris mu*, mu, sigma (Morris designs)
  kUncertainty,  ///< summary of each output's distribution
};

/// "prcc", "pcc", "src", "srrc", "correlation", "sobol", "morris", "uncertainty".
std::string method_name(Method method);

/// The method named `name`. Throws RequestError listing the known names.
Method parse_method(std::string_view name);

/// True for the methods that correlate parameters with outputs over a sample (prcc, pcc, src,
/// srrc, correlation).
bool is_correlation_method(Method method);

/// A comparison of an event.
enum class Comparison { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

/// An event `OUTPUT OP NUMBER` whose probability over the runs is reported.
struct Event {
  std::string output{};
  Comparison comparison = Comparison::kGreater;
  double threshold = 0.0;

  /// "OUTPUT OP NUMBER" with single spaces and the number in its shortest exact form.
  std::string text() const;
  /// Whether `value` satisfies the event (false for NaN).
  bool holds(double value) const;
};

/// Parses "cured == 1", "y>3.5", "tumour_volume <= 1e-3" (OP one of < <= > >= == !=). Throws
/// RequestError naming the text and the expected form.
Event parse_event(std::string_view text);

/// What a caller asks of an analysis. Everything is optional: the defaults run the methods that
/// fit the design on every output.
struct AnalysisRequest {
  std::optional<Method> method{};      ///< one method; nullopt: those that fit the design
  std::vector<std::string> outputs{};  ///< outputs to analyse; empty: every output
  std::vector<Event> events{};
  double confidence = 0.95;  ///< of every interval
  /// Bootstrap resamples of Sobol', Morris and uncertainty intervals; nullopt: 1000, and
  /// large-sample intervals for summaries of more than 50000 runs.
  std::optional<int> bootstrap{};
  std::optional<std::uint64_t> seed{};  ///< of the bootstrap; nullopt: the campaign's seed
  bool scatter = false;                 ///< keep a sample of the rows for scatter plots
  std::size_t scatter_rows = 2000;      ///< rows of that sample (spread evenly)
  unsigned threads = 0;  ///< threads for the heavy steps (0: all cores); results do not change
  ConvergenceCriteria convergence{};  ///< what the convergence check asks of the indices
};

/// A request checked against a campaign and resolved: what analyse_campaign() will do.
struct AnalysisPlan {
  std::vector<Method> methods{};       ///< in report order
  std::vector<std::string> outputs{};  ///< analysed outputs
  std::vector<Event> events{};
  std::vector<std::string> columns{};  ///< value columns the run table must hold, in this order:
                                       ///< every parameter, the outputs, outputs only events use
  bool trajectories = false;           ///< PRCC over time: the table needs the trajectories
  double confidence = 0.95;
  int resamples = 1000;            ///< bootstrap resamples of Sobol' and Morris intervals
  std::optional<int> bootstrap{};  ///< as requested (forces bootstrap summaries)
  /// Summaries of more runs than this get large-sample intervals unless `bootstrap` is given:
  /// 50000 for a campaign; the analysis of a campaign with arms shares it among the arms
  /// (analyse_arms), so that its cost stays that of one campaign.
  std::size_t bootstrap_summary_runs = 50000;
  std::uint64_t seed = 0;
  bool scatter = false;
  std::size_t scatter_rows = 2000;
  unsigned threads = 0;
  ConvergenceCriteria convergence{};

  /// True when `method` is among the methods.
  bool runs(Method method) const;
};

/// The methods that fit a design when none is asked for: prcc and uncertainty for samples of
/// the space and grids, sobol and uncertainty for Saltelli, morris for Morris.
std::vector<Method> default_methods(DesignKind kind);

/// Checks the interval options every analysis shares: `confidence` in (0, 1) and `bootstrap`
/// resamples >= 0 where given. Throws RequestError naming the offending value.
void check_interval_options(double confidence, const std::optional<int>& bootstrap);

/// The outputs an analysis of `campaign` covers: `requested`, or every output of the campaign
/// when it is empty. Throws RequestError for an unknown output or one named twice.
std::vector<std::string> resolve_outputs(const CampaignInfo& campaign,
                                         const std::vector<std::string>& requested);

/// Checks `request` against `campaign` and resolves it. Throws RequestError for an unknown or
/// repeated output, an event on an unknown output, a confidence outside (0, 1), negative
/// resamples, convergence criteria out of range (a half-width that is not a positive number, a
/// top below 1), or a method that does not fit the design (saying why and what fits).
AnalysisPlan plan_analysis(const CampaignInfo& campaign, const AnalysisRequest& request);

}  // namespace tmex::analysis
