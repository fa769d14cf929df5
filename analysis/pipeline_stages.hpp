// The stages of analyse_campaign(), each a function of its own for tests and other callers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/campaign_analysis.hpp"

namespace tmex::analysis {

/// The rows of a RunTable an analysis uses, each list ordered by (arm, sample, replicate).
struct RowSelection {
  std::vector<std::size_t> ok;        ///< successful runs
  std::vector<std::size_t> failed;    ///< failed runs
  std::vector<std::size_t> analysed;  ///< successful runs with a value in every needed column
};

/// The table columns of `names`. Throws AnalysisError naming a column the table lacks.
std::vector<std::size_t> columns_of(const RunTable& runs, const std::vector<std::string>& names);

/// Stage 1: orders the rows by (arm, sample, replicate) and sorts them into successful,
/// failed, and analysed (successful, with no NaN in `columns`). O(rows x columns).
RowSelection select_rows(const RunTable& runs, const std::vector<std::size_t>& columns);

/// Stage 2: whether failures depend on the inputs. A Mann-Whitney U test per parameter of the
/// inputs of failed runs (those with finite inputs) against those of successful runs: at most
/// 100000 of them, evenly spaced (rows are in design order, so a sample of the space), since
/// the test's power is set by the smaller group. `parameters` are table columns, named by
/// `names`; the account in words names the comparison subset when there is one.
FailureAnalysis analyse_failures(const RunTable& runs, const RowSelection& rows,
                                 const std::vector<std::size_t>& parameters,
                                 const std::vector<std::string>& names);

/// Stage 3 (campaigns with replicates): one row per (arm, sample) of `rows` (ordered as
/// select_rows orders them) holding the mean of each of `columns` and of each trajectory over
/// its runs; sample, arm and block of its first run. The result's columns are `columns`.
RunTable average_replicates(const RunTable& runs, const std::vector<std::size_t>& rows,
                            const std::vector<std::size_t>& columns);

/// The groups of a design made of groups of `size` consecutive samples (Saltelli base rows,
/// Morris trajectories), among the first `groups`, whose every sample has a row among `rows` of
/// `samples`, in group order. Sets row_of[s] to the row of sample s for s < groups x size
/// (SIZE_MAX where none). O(rows + groups x size).
std::vector<std::size_t> whole_groups(const RunTable& samples, const std::vector<std::size_t>& rows,
                                      std::uint64_t groups, std::uint64_t size,
                                      std::vector<std::size_t>& row_of);

/// Stage 4 for designs that sample the space and grids: the correlation method of the plan on
/// the parameters that vary, PRCC convergence over leading rows (not for grids), PRCC over time
/// of each trajectory (method prcc), and a scatter sample when the plan asks for one. `samples`
/// holds one row per sample (after averaging replicates); `rows` are those analysed.
void sample_sensitivity(const CampaignInfo& campaign, const AnalysisPlan& plan,
                        const RunTable& samples, const std::vector<std::size_t>& rows,
                        CampaignAnalysis& out);

/// Stage 4 for Saltelli designs: Sobol' indices with bootstrap intervals over the whole base
/// rows among `rows` of `samples` (a base row with a failed or missing run is dropped whole, and
/// said so), and their convergence over leading base rows.
void saltelli_sensitivity(const CampaignInfo& campaign, const AnalysisPlan& plan,
                          const RunTable& samples, const std::vector<std::size_t>& rows,
                          CampaignAnalysis& out);

/// Stage 4 for Morris designs: mu*, mu and sigma over the whole trajectories among `rows`, with
/// each parameter's effect per unit fraction of its distribution's range (of the range the
/// trajectories cover where the distribution is unbounded, said so).
void morris_sensitivity(const CampaignInfo& campaign, const AnalysisPlan& plan,
                        const RunTable& samples, const std::vector<std::size_t>& rows,
                        CampaignAnalysis& out);

/// Stage 5: each analysed output's summary (mean, sd, quantiles with intervals: bootstrap up to
/// 50000 runs or whenever the plan fixes the resamples, large-sample above) and histogram over
/// `rows` of `runs` (every run, replicates included). Outputs run on the plan's threads; the
/// result does not depend on their number.
void summarise_uncertainty(const AnalysisPlan& plan, const RunTable& runs,
                           const std::vector<std::size_t>& rows, CampaignAnalysis& out);

/// Stage 6: the probability of each event of the plan over `rows` of `runs`, with a Wilson
/// interval. Throws AnalysisError when an event's output has no finite value there.
void estimate_events(const AnalysisPlan& plan, const RunTable& runs,
                     const std::vector<std::size_t>& rows, CampaignAnalysis& out);

}  // namespace tmex::analysis
