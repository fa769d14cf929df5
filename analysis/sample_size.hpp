// Sample sizes below which a method's results cannot be trusted, and the warnings that say so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/campaign.hpp"

namespace tmex::analysis {

/// Fewest Saltelli base rows for Sobol' indices to be trusted: below it the estimators' sampling
/// distribution is far from the normal one the percentile bootstrap relies on, first-order
/// estimates outside [0, 1] are common and the intervals say little (3 base rows gave the
/// first-order interval [0.17, 20.3]).
inline constexpr std::uint64_t kMinSobolBaseRows = 100;

/// PRCC (and PCC, SRC, SRRC) need at least the number of parameters plus this many samples: the
/// t test has N - 1 - k degrees of freedom, and its p-values and the Fisher-z intervals are
/// large-sample approximations that need a few tens of them.
inline constexpr std::uint64_t kCorrelationMargin = 30;

/// Fewest Morris trajectories for mu* to rank parameters reliably (10 to 50 are usual).
inline constexpr std::uint64_t kMinMorrisTrajectories = 10;

/// Sentences warning that the sensitivity method of a `kind` design cannot be trusted with
/// `rows` (samples, Saltelli base rows or Morris trajectories) for `parameters` sampled
/// parameters; empty when the size is enough. Used by the analysis and, before a campaign runs,
/// by `tmex check`. Pure.
std::vector<std::string> sample_size_warnings(DesignKind kind, std::size_t parameters,
                                              std::uint64_t rows);

}  // namespace tmex::analysis
