// DesignSpec, the typed description of a design, and make_design, the one factory for designs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sampling/design.hpp"
#include "sampling/latin_hypercube.hpp"
#include "sampling/level_placement.hpp"
#include "sampling/saltelli_design.hpp"
#include "sampling/sobol_sequence.hpp"

namespace tmex::sampling {

enum class LhsOptimization {
  kNone,     ///< plain random Latin hypercube (index-addressable)
  kMaximin,  ///< maximin_latin_hypercube (materialised)
};

enum class CorrelationControl {
  kNone,         ///< the columns as drawn (index-addressable)
  kDecorrelate,  ///< Iman-Conover towards the identity (materialised)
  kTarget,       ///< Iman-Conover towards DesignSpec::rank_correlation (materialised)
};

/// A design as configured. `method` selects the design; method-specific options are optional so
/// that setting one for another method is reported, not silently ignored. Plain data; the
/// driver fills it from YAML (use the parse_* helpers for enumerated options).
struct DesignSpec {
  /// "lhs", "sobol", "saltelli", "morris", "grid" or "file".
  std::string method = "lhs";
  /// lhs, sobol: number of points. saltelli: base rows N (N (k + 2) points). morris:
  /// trajectories r (r (k + 1) points). grid, file: 0, or the number of points as a check.
  std::uint64_t samples = 0;
  std::uint64_t seed = 0;

  /// lhs (and saltelli with base lhs): position inside strata; default kRandom.
  std::optional<LhsJitter> jitter;
  /// lhs: default kNone.
  std::optional<LhsOptimization> optimize;
  /// lhs with optimize maximin: swap proposals; default default_maximin_iterations(samples).
  std::optional<std::uint64_t> optimize_iterations;
  /// lhs: default kNone, or kTarget when rank_correlation is given.
  std::optional<CorrelationControl> correlation;
  /// lhs: target Spearman rank correlations, k x k row-major (empty: none).
  std::vector<double> rank_correlation;
  /// lhs: the size n of an earlier Latin hypercube (same seed, jitter, dimension) to extend to
  /// `samples` points; its points keep their values (ExtendedLatinHypercube).
  std::optional<std::uint64_t> extend_from;
  /// lhs: the first checkpoint n0 of a nested design (NestedLatinHypercube): `samples` must be
  /// n0 2^L, and the leading n0 2^c points are a Latin hypercube for every c <= L. Plain or
  /// decorrelated (per block) only, random jitter.
  std::optional<std::uint64_t> nested_start;

  /// sobol, saltelli (base sobol): default kOwen.
  std::optional<SobolScramble> scramble;
  /// saltelli: default kSobol.
  std::optional<SaltelliBase> base;

  /// morris: grid levels p (even, default 4). grid: levels of every column (or grid_levels).
  std::optional<std::uint32_t> levels;
  /// grid: levels per column (k values); exclusive with `levels`.
  std::vector<std::uint32_t> grid_levels;
  /// morris, grid: default kEndpoints.
  std::optional<LevelPlacement> placement;

  /// file: path of the CSV design (see read_design_csv).
  std::string file;
  /// file: parameter names in column order, to match the CSV header (empty: file order).
  std::vector<std::string> parameter_names;

  /// The version of the design's algorithm to build (Design::algorithm_version), for a campaign
  /// stored by an older tmex; default: the newest. Only rank-correlation control has more than
  /// version 1 (kImanConoverVersion).
  std::optional<int> algorithm_version;
};

/// Largest `samples` of a maximin-optimised Latin hypercube: its swap search costs O(n^2 k) at
/// the start and O(n k) per proposal (default 50 n proposals), on every rank (10^4 x 21 takes
/// about a minute here; 10^5 would take hours).
inline constexpr std::uint64_t kMaxMaximinPoints = 100'000;
/// Largest `samples` of a rank-correlation-controlled Latin hypercube: every rank holds the
/// n x k matrix (8 n k bytes) and the rearrangement needs about 4 times that while it runs.
inline constexpr std::uint64_t kMaxCorrelatedPoints = 1'000'000;

/// Builds the design of `spec` for `dimension` parameters. Index-addressable designs cost O(k)
/// to build; lhs with maximin or correlation control is materialised on first use
/// (Design::prepare), file designs here, deterministically from the spec (so every rank may
/// build its own copy); the spec is fully validated here either way.
/// Throws DesignError naming the option and value for an invalid spec or combination.
std::unique_ptr<Design> make_design(const DesignSpec& spec, std::size_t dimension);

/// Parsers for configuration strings; each throws DesignError listing the accepted values.
LhsJitter parse_jitter(std::string_view text);                ///< "random", "midpoint"
LhsOptimization parse_optimization(std::string_view text);    ///< "none", "maximin"
CorrelationControl parse_correlation(std::string_view text);  ///< "none", "decorrelate", "target"
SobolScramble parse_scramble(std::string_view text);          ///< "none", "shift", "owen"
SaltelliBase parse_saltelli_base(std::string_view text);      ///< "sobol", "lhs"
LevelPlacement parse_placement(std::string_view text);        ///< "endpoints", "centred"

}  // namespace tmex::sampling
