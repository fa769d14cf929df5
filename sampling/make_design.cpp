// make_design: validation of DesignSpec and construction of every design method.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

#include "sampling/design_file.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/grid_design.hpp"
#include "sampling/lhs_extension.hpp"
#include "sampling/materialised_design.hpp"
#include "sampling/maximin_lhs.hpp"
#include "sampling/morris_design.hpp"
#include "sampling/nested_lhs.hpp"
#include "sampling/rank_correlation.hpp"
#include "text/number_text.hpp"
#include "text/strings.hpp"

namespace tmex::sampling {

namespace {

template <typename E, std::size_t N>
E parse_enum(std::string_view option, std::string_view text,
             const std::array<std::pair<const char*, E>, N>& table) {
  std::string known;
  for (const auto& [name, value] : table) {
    if (text == name) return value;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  throw DesignError(std::string(option) + ": expected one of " + known + ", got '" +
                    std::string(text) + "'");
}

// Rejects an option that does not apply to the method.
void only_for(const DesignSpec& spec, bool set, const char* option, const char* methods) {
  if (set) {
    throw DesignError(std::string(option) + ": applies to method " + methods +
                      " only, not to method '" + spec.method + "'");
  }
}

void need_samples(const DesignSpec& spec, const char* what) {
  if (spec.samples == 0) {
    throw DesignError("samples: method " + spec.method + " needs " + what + " >= 1, got 0");
  }
}

// The nested Latin hypercube of a campaign that grows by doubling: samples = n0 2^L.
std::unique_ptr<Design> make_nested_lhs(const DesignSpec& spec, std::size_t k, LhsJitter jitter,
                                        LhsOptimization optimize, CorrelationControl correlation) {
  const std::uint64_t n0 = *spec.nested_start;
  if (n0 == 0 || n0 > spec.samples) {
    throw DesignError("nested_from: the first checkpoint must be in 1.." +
                      std::to_string(spec.samples) + " (at most samples), got " +
                      std::to_string(n0));
  }
  unsigned levels = 0;
  while ((n0 << levels) < spec.samples) ++levels;
  if ((n0 << levels) != spec.samples) {
    throw DesignError("samples: a nested design doubles from " + std::to_string(n0) +
                      " points, so samples must be " + std::to_string(n0) + " x 2^L; got " +
                      std::to_string(spec.samples) + " (between " +
                      std::to_string(n0 << (levels - 1)) + " and " + std::to_string(n0 << levels) +
                      ")");
  }
  if (jitter != LhsJitter::kRandom) {
    throw DesignError(
        "jitter: a nested design needs random jitter (a point at a stratum's centre would lie "
        "on the boundary of its halves when the checkpoint doubles)");
  }
  if (optimize != LhsOptimization::kNone) {
    throw DesignError(
        "optimize: maximin optimises one whole design, which a design that grows by doubling "
        "is not; use correlation: decorrelate or none");
  }
  if (correlation == CorrelationControl::kTarget) {
    throw DesignError(
        "rank_correlation: a nested design can only be decorrelated (correlation: decorrelate) "
        "or left as drawn (none)");
  }
  if (spec.extend_from) {
    throw DesignError("extend_from: a nested design already grows by doubling; leave it out");
  }
  if (correlation == CorrelationControl::kDecorrelate && n0 <= k) {
    throw DesignError(
        "correlation: decorrelating needs a first checkpoint of more points than "
        "parameters, got " +
        std::to_string(n0) + " points for " + std::to_string(k) + " parameters");
  }
  return std::make_unique<NestedLatinHypercube>(n0, levels, k, spec.seed,
                                                correlation == CorrelationControl::kDecorrelate);
}

std::unique_ptr<Design> make_lhs(const DesignSpec& spec, std::size_t k) {
  need_samples(spec, "a number of points");
  const LhsJitter jitter = spec.jitter.value_or(LhsJitter::kRandom);
  const LhsOptimization optimize = spec.optimize.value_or(LhsOptimization::kNone);
  CorrelationControl correlation = spec.correlation.value_or(
      spec.rank_correlation.empty() ? CorrelationControl::kNone : CorrelationControl::kTarget);
  if (correlation == CorrelationControl::kTarget && spec.rank_correlation.empty()) {
    throw DesignError("correlation: 'target' needs a rank_correlation matrix");
  }
  if (correlation != CorrelationControl::kTarget && !spec.rank_correlation.empty()) {
    throw DesignError("rank_correlation: given, but correlation is not 'target'");
  }
  if (spec.optimize_iterations && optimize != LhsOptimization::kMaximin) {
    throw DesignError("optimize_iterations: needs optimize: maximin");
  }
  if (optimize == LhsOptimization::kMaximin && correlation != CorrelationControl::kNone) {
    throw DesignError(
        "optimize: maximin cannot be combined with correlation control (rearranging columns "
        "for correlations undoes the distance optimisation); choose one");
  }
  if (spec.nested_start) return make_nested_lhs(spec, k, jitter, optimize, correlation);
  if (spec.extend_from) {
    const std::uint64_t n0 = *spec.extend_from;
    if (n0 == 0 || n0 >= spec.samples) {
      throw DesignError("extend_from: must be in 1.." + std::to_string(spec.samples - 1) +
                        " (below samples), got " + std::to_string(n0));
    }
    if (optimize != LhsOptimization::kNone) {
      throw DesignError(
          "extend_from: a maximin-optimised Latin hypercube cannot be extended (its columns are "
          "not those of the plain design); only plain or rank-correlated ones can");
    }
    auto extension =
        std::make_unique<ExtendedLatinHypercube>(n0, k, spec.seed, jitter, spec.samples - n0);
    if (correlation == CorrelationControl::kNone) return extension;
    // Iman-Conover only reorders values within columns, so the original's strata are those of
    // the plain design and its extension's new points fit it as well.
    DesignSpec original = spec;
    original.samples = n0;
    original.extend_from.reset();
    return std::make_unique<AppendedDesign>(make_design(original, k), std::move(extension));
  }
  if (optimize == LhsOptimization::kMaximin) {
    if (spec.samples > kMaxMaximinPoints) {
      throw DesignError("optimize: maximin supports at most " + std::to_string(kMaxMaximinPoints) +
                        " samples (its search costs O(samples^2) on every rank), got " +
                        std::to_string(spec.samples) +
                        "; use a plain or decorrelated Latin hypercube");
    }
    const std::uint64_t iterations =
        spec.optimize_iterations.value_or(default_maximin_iterations(spec.samples));
    if (iterations == 0) throw DesignError("optimize_iterations: must be >= 1, got 0");
    if (spec.samples < 2) {
      throw DesignError("optimize: maximin needs samples >= 2, got " +
                        std::to_string(spec.samples));
    }
    LatinHypercube plain(spec.samples, k, spec.seed, jitter);
    std::string d = plain.describe();
    d.pop_back();
    d += ", optimize=maximin, iterations=" + std::to_string(iterations) + ")";
    const std::uint64_t n = spec.samples;
    const std::uint64_t seed = spec.seed;
    return std::make_unique<MaterialisedDesign>(n, k, d, 1, [n, k, seed, jitter, iterations] {
      return MaterialisedDesign::Built{maximin_latin_hypercube(n, k, seed, jitter, iterations),
                                       std::nullopt};
    });
  }
  auto plain = std::make_unique<LatinHypercube>(spec.samples, k, spec.seed, jitter);
  if (correlation == CorrelationControl::kNone) return plain;

  if (spec.samples > kMaxCorrelatedPoints) {
    throw DesignError("correlation: rank-correlation control supports at most " +
                      std::to_string(kMaxCorrelatedPoints) +
                      " samples (every rank holds the rearranged design in memory), got " +
                      std::to_string(spec.samples) +
                      "; with this many samples chance correlations are below 0.002: use "
                      "correlation: none");
  }
  std::vector<double> target(k * k, 0.0);
  if (correlation == CorrelationControl::kTarget) {
    target = spec.rank_correlation;
  } else {
    for (std::size_t j = 0; j < k; ++j) target[j * k + j] = 1.0;
  }
  // Checked here, not only when the design is built, so that a bad matrix is a config error.
  validate_correlation_matrix(target, k);
  if (spec.samples <= k) {
    throw DesignError(
        "correlation: rank-correlation control needs more samples than parameters, "
        "got " +
        std::to_string(spec.samples) + " samples for " + std::to_string(k) + " parameters");
  }
  std::string d = plain->describe();
  d.pop_back();
  if (correlation == CorrelationControl::kDecorrelate) {
    d += ", correlation=decorrelate)";
  } else {
    d += ", rank_correlation=[" +
         text::join(target, ", ",
                    [](double v) { return text::format_number(v, text::NumberStyle::kExact); }) +
         "])";
  }
  const int version = spec.algorithm_version.value_or(kImanConoverVersion);
  if (version != 1 && version != kImanConoverVersion) {
    throw DesignError("correlation: this tmex builds versions 1 to " +
                      std::to_string(kImanConoverVersion) +
                      " of rank-correlation control, not version " + std::to_string(version) +
                      " (a newer tmex made this campaign)");
  }
  const std::uint64_t n = spec.samples;
  std::shared_ptr<const LatinHypercube> lhs = std::move(plain);
  return std::make_unique<MaterialisedDesign>(
      n, k, d, version, [lhs, n, k, version, target = std::move(target)] {
        // The points and their ranks at once: a Latin hypercube's ranks are its strata.
        std::vector<double> points(n * k);
        std::vector<std::uint32_t> ranks(n * k);
        const double inv_n = 1.0 / static_cast<double>(n);
        // Column by column: one permutation's keys stay at hand, and the evaluations of
        // consecutive points are independent, so the processor overlaps them.
        for (std::size_t j = 0; j < k; ++j) {
          std::uint32_t* rj = &ranks[j * n];
          for (std::uint64_t i = 0; i < n; ++i) {
            const std::uint64_t s = lhs->stratum(i, j);
            points[i * k + j] = (static_cast<double>(s) + lhs->jitter(i, j)) * inv_n;
            rj[i] = static_cast<std::uint32_t>(s);
          }
        }
        const auto result = impose_rank_correlation(points, k, target, std::move(ranks), version);
        double worst = 0.0;
        for (std::size_t a = 0; a < k; ++a) {
          for (std::size_t b = a + 1; b < k; ++b) {
            worst = std::max(worst, std::fabs(result.achieved[a * k + b]));
          }
        }
        return MaterialisedDesign::Built{std::move(points), worst};
      });
}

// Every method; make_design adds the algorithm-version check.
std::unique_ptr<Design> make_any_design(const DesignSpec& spec, std::size_t k);

}  // namespace

std::unique_ptr<Design> make_design(const DesignSpec& spec, std::size_t k) {
  if (k == 0) throw DesignError("design: needs at least one sampled parameter, got 0");
  auto design = make_any_design(spec, k);
  if (spec.algorithm_version && *spec.algorithm_version != design->algorithm_version()) {
    throw DesignError("design: this tmex builds version " +
                      std::to_string(design->algorithm_version()) + " of " + design->describe() +
                      ", not version " + std::to_string(*spec.algorithm_version) +
                      " (a newer tmex made this campaign)");
  }
  return design;
}

namespace {

std::unique_ptr<Design> make_any_design(const DesignSpec& spec, std::size_t k) {
  const std::string& m = spec.method;
  const bool lhs = m == "lhs";
  const bool saltelli = m == "saltelli";
  const bool lhs_base = saltelli && spec.base == SaltelliBase::kLhs;
  only_for(spec, spec.jitter && !lhs && !lhs_base, "jitter", "lhs (or saltelli with base lhs)");
  only_for(spec, spec.optimize && !lhs, "optimize", "lhs");
  only_for(spec, spec.optimize_iterations && !lhs, "optimize_iterations", "lhs");
  only_for(spec, spec.correlation && !lhs, "correlation", "lhs");
  only_for(spec, !spec.rank_correlation.empty() && !lhs, "rank_correlation", "lhs");
  only_for(spec, spec.extend_from && !lhs, "extend_from", "lhs");
  only_for(spec, spec.nested_start && !lhs, "nested_start", "lhs");
  only_for(spec, spec.scramble && m != "sobol" && !(saltelli && !lhs_base), "scramble",
           "sobol (or saltelli with base sobol)");
  only_for(spec, spec.base && !saltelli, "base", "saltelli");
  only_for(spec, spec.levels && m != "morris" && m != "grid", "levels", "morris or grid");
  only_for(spec, !spec.grid_levels.empty() && m != "grid", "grid_levels", "grid");
  only_for(spec, spec.placement && m != "morris" && m != "grid", "placement", "morris or grid");
  only_for(spec, !spec.file.empty() && m != "file", "file", "file");
  only_for(spec, !spec.parameter_names.empty() && m != "file", "parameter_names", "file");

  if (lhs) return make_lhs(spec, k);
  if (m == "sobol") {
    need_samples(spec, "a number of points");
    return std::make_unique<SobolSequence>(spec.samples, k,
                                           spec.scramble.value_or(SobolScramble::kOwen), spec.seed);
  }
  if (saltelli) {
    need_samples(spec, "a number of base rows N");
    std::unique_ptr<Design> base;
    if (lhs_base) {
      base = std::make_unique<LatinHypercube>(spec.samples, 2 * k, spec.seed,
                                              spec.jitter.value_or(LhsJitter::kRandom));
    } else {
      base = std::make_unique<SobolSequence>(
          spec.samples, 2 * k, spec.scramble.value_or(SobolScramble::kOwen), spec.seed);
    }
    return std::make_unique<SaltelliDesign>(std::move(base), k);
  }
  if (m == "morris") {
    need_samples(spec, "a number of trajectories");
    return std::make_unique<MorrisDesign>(spec.samples, k, spec.levels.value_or(4),
                                          spec.placement.value_or(LevelPlacement::kEndpoints),
                                          spec.seed);
  }
  std::unique_ptr<Design> fixed;
  if (m == "grid") {
    if (spec.levels && !spec.grid_levels.empty()) {
      throw DesignError("grid: give either levels (all columns) or grid_levels (per column)");
    }
    if (!spec.levels && spec.grid_levels.empty()) {
      throw DesignError("grid: needs levels or grid_levels");
    }
    std::vector<std::uint32_t> levels = spec.grid_levels;
    if (spec.levels) levels.assign(k, *spec.levels);
    if (levels.size() != k) {
      throw DesignError("grid_levels: expected " + std::to_string(k) +
                        " values (one per "
                        "parameter), got " +
                        std::to_string(levels.size()));
    }
    fixed =
        std::make_unique<GridDesign>(levels, spec.placement.value_or(LevelPlacement::kEndpoints));
  } else if (m == "file") {
    if (spec.file.empty()) throw DesignError("file: method file needs a file path");
    if (!spec.parameter_names.empty() && spec.parameter_names.size() != k) {
      throw DesignError("parameter_names: expected " + std::to_string(k) + " names, got " +
                        std::to_string(spec.parameter_names.size()));
    }
    fixed = read_design_csv_file(spec.file, k, spec.parameter_names);
  } else {
    throw DesignError("method: unknown design method '" + m +
                      "'; known: lhs, sobol, saltelli, morris, grid, file");
  }
  if (spec.samples != 0 && spec.samples != fixed->size()) {
    throw DesignError("samples: method " + m + " has " + std::to_string(fixed->size()) +
                      " points, but samples is " + std::to_string(spec.samples));
  }
  return fixed;
}

}  // namespace

LhsJitter parse_jitter(std::string_view text) {
  return parse_enum<LhsJitter, 2>(
      "jitter", text, {{{"random", LhsJitter::kRandom}, {"midpoint", LhsJitter::kMidpoint}}});
}
LhsOptimization parse_optimization(std::string_view text) {
  return parse_enum<LhsOptimization, 2>(
      "optimize", text,
      {{{"none", LhsOptimization::kNone}, {"maximin", LhsOptimization::kMaximin}}});
}
CorrelationControl parse_correlation(std::string_view text) {
  return parse_enum<CorrelationControl, 3>("correlation", text,
                                           {{{"none", CorrelationControl::kNone},
                                             {"decorrelate", CorrelationControl::kDecorrelate},
                                             {"target", CorrelationControl::kTarget}}});
}
SobolScramble parse_scramble(std::string_view text) {
  return parse_enum<SobolScramble, 3>("scramble", text,
                                      {{{"none", SobolScramble::kNone},
                                        {"shift", SobolScramble::kShift},
                                        {"owen", SobolScramble::kOwen}}});
}
SaltelliBase parse_saltelli_base(std::string_view text) {
  return parse_enum<SaltelliBase, 2>(
      "base", text, {{{"sobol", SaltelliBase::kSobol}, {"lhs", SaltelliBase::kLhs}}});
}
LevelPlacement parse_placement(std::string_view text) {
  return parse_enum<LevelPlacement, 2>(
      "placement", text,
      {{{"endpoints", LevelPlacement::kEndpoints}, {"centred", LevelPlacement::kCentred}}});
}

}  // namespace tmex::sampling
