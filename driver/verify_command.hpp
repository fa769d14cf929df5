// `tmex verify`: re-evaluates a deterministic random subset of a store's runs and compares them
// bit for bit with what is stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tmex::driver {

struct VerifyOptions {
  std::string db_path;
  /// --fraction: share of the stored runs to re-evaluate, in (0, 1]; default: 1%, or about 1000
  /// runs where 1% is fewer (all of a store of up to 1000 runs).
  std::optional<double> fraction;
  std::uint64_t seed = 0;   ///< --seed: chooses the subset
  std::string config_path;  ///< --config: the campaign YAML, for stores that hold none
};

/// Runs `tmex verify`; every rank of the job calls it (like run_campaign). Rank 0 opens the
/// store read-only and never writes to it, rebuilds the campaign from the YAML the store holds,
/// hands the selected runs to the ranks (or evaluates them itself on a single rank) and compares
/// every result with the stored row: block, status, attempts, each parameter and output (as the
/// store holds them: NaN and infinities as NULL, -0 as 0) and each stored trajectory value.
/// Returns 0 when every compared run is identical, 1 when one differs (each difference is
/// printed with its sample, replicate and first differing column) or the comparison could not
/// finish, 2 for bad input (no such store, not a tmex store, no campaign configuration, a
/// configuration that does not rebuild the stored campaign).
int verify_campaign(const VerifyOptions& options);

}  // namespace tmex::driver
