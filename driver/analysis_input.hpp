// From a campaign store to the analysis pipeline's input: campaign description and run table.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis_request.hpp"
#include "analysis/campaign.hpp"
#include "analysis/checkpoint_path.hpp"
#include "analysis/convergence_criteria.hpp"
#include "analysis/run_table.hpp"
#include "storage/campaign_store.hpp"

namespace tmex::driver {

/// The campaign of a store as the analysis sees it: the typed design layout, each parameter's
/// support and scale from its stored distribution (rebuilt through sampling), the outputs,
/// arms and trajectory variables, the outputs' better directions (output_directions). `source`
/// names the store in reports. Throws
/// storage::StorageError for a design kind this tmex does not know.
analysis::CampaignInfo campaign_info(const storage::CampaignMeta& meta, const std::string& source);

/// The checks of a campaign that stops itself as the analysis reports them; nullopt when there
/// are none (another campaign, or one not checked yet).
std::optional<analysis::CheckpointPath> checkpoint_path(
    const storage::CampaignMeta& meta, const std::vector<storage::CheckRecord>& checks);

/// The convergence criteria of a campaign that stops itself, from its stored configuration;
/// nullopt for another campaign.
std::optional<analysis::ConvergenceCriteria> stored_convergence_criteria(
    const storage::CampaignMeta& meta);
/// Which direction of each output of a store is better: as recorded in the store, or, for a
/// store made before directions were recorded, as the built-in model of its name and version
/// declares them; kUnknown where neither says.
std::vector<analysis::Direction> output_directions(const storage::CampaignMeta& meta);

/// The runs of `store` with the columns `plan` needs (and the trajectories when it asks for
/// them), read in one snapshot each. Throws storage::StorageError.
analysis::RunTable read_run_table(storage::CampaignStore& store,
                                  const analysis::AnalysisPlan& plan);

}  // namespace tmex::driver
