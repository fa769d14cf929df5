// Random Latin hypercube design, index-addressable through keyed permutations.
#pragma once

#include <vector>

#include "sampling/counter_hash.hpp"
#include "sampling/design.hpp"
#include "sampling/keyed_permutation.hpp"

namespace tmex::sampling {

enum class LhsJitter {
  kRandom,    ///< uniform position inside each stratum (McKay, Beckman & Conover 1979)
  kMidpoint,  ///< the centre of each stratum
};

/// Latin hypercube of n points in k dimensions: column j is (pi_j(i) + w_ij) / n where pi_j is
/// a keyed permutation of the n strata and w_ij a counter-based uniform (or 0.5). Every column
/// hits each of its n strata exactly once.
class LatinHypercube final : public Design {
 public:
  /// n >= 1, k >= 1; throws DesignError (a std::invalid_argument) otherwise.
  LatinHypercube(std::uint64_t n, std::size_t k, std::uint64_t seed,
                 LhsJitter jitter = LhsJitter::kRandom);

  std::uint64_t size() const override { return n_; }
  std::size_t dimension() const override { return permutations_.size(); }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::string describe() const override;

  /// The stratum of point i in column j (0..n-1).
  std::uint64_t stratum(std::uint64_t i, std::size_t j) const { return permutations_[j](i); }
  /// The point whose stratum in column j is s: stratum(stratum_inverse(s, j), j) == s.
  std::uint64_t stratum_inverse(std::uint64_t s, std::size_t j) const {
    return permutations_[j].inverse(s);
  }
  /// The position of point i inside its stratum in column j, in (0, 1) (0.5 for midpoint).
  double jitter(std::uint64_t i, std::size_t j) const {
    // One splitmix64 output per value: the stream of column j at position i.
    return jitter_ == LhsJitter::kMidpoint
               ? 0.5
               : to_open_unit(mix64(jitter_keys_[j] + (i + 1) * 0x9e3779b97f4a7c15ULL));
  }
  std::uint64_t seed() const { return seed_; }
  LhsJitter jitter_kind() const { return jitter_; }

 private:
  std::uint64_t n_;
  std::uint64_t seed_;
  LhsJitter jitter_;
  std::vector<KeyedPermutation> permutations_;
  std::vector<std::uint64_t> jitter_keys_;
};

}  // namespace tmex::sampling
