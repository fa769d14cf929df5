// A Latin hypercube whose leading n0, 2 n0, 4 n0, ... points are Latin hypercubes themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "sampling/keyed_permutation.hpp"
#include "sampling/latin_hypercube.hpp"

namespace tmex::sampling {

/// Checkpoints up to this size have their blocks decorrelated when a nested design asks for
/// decorrelation; the blocks of larger checkpoints stay index-addressable (their chance rank
/// correlations are below about 1/sqrt(100000) = 0.003 and each rank would otherwise hold them).
inline constexpr std::uint64_t kNestedDecorrelationLimit = 100'000;

/// A nested Latin hypercube for campaigns that grow by doubling: n0 2^L points whose leading
/// n_c = n0 2^c points form, for every checkpoint c = 0..L, a Latin hypercube in n_c strata per
/// column (each of the n_c equal strata of each column holds exactly one of them).
///
/// Checkpoint 0 is LatinHypercube(n0, k, seed, random jitter), point for point. Checkpoint c
/// adds a block of n_{c-1} points: by induction each of the n_{c-1} strata of a column holds one
/// earlier point, which lies in one of the stratum's two halves (strata of n_c); the new points
/// take the other halves, one each, the stratum given by a keyed permutation of the block's
/// points, at a fresh counter-based position inside it. A point is computed from its index alone
/// in O(c) per column: the earlier point of a stratum is found by walking the halvings up from
/// checkpoint 0 through the permutations' inverses (Dakota-style LHS refinement by doubling,
/// made index-addressable). A block's permutations are made on the first request of a point
/// that needs them (a tabulated permutation costs 8 bytes per stratum and column).
///
/// With `decorrelate`, the blocks of checkpoints up to kNestedDecorrelationLimit points are
/// rearranged within their columns (Iman-Conover towards the identity, kImanConoverVersion, as
/// `correlation: decorrelate` does for a plain design; block 0 is then exactly the decorrelated
/// Latin hypercube of n0 points). Rearranging a block's rows keeps each column's set of values,
/// hence every stratum of every checkpoint. Each such block is built on the first request of one
/// of its points (8 n k bytes for a block of n points), so a campaign that stops early never
/// builds the later ones. Thread-safe.
class NestedLatinHypercube final : public Design {
 public:
  /// n0 >= 1, k >= 1, n0 2^levels <= 2^40. With decorrelate, n0 > k. Throws DesignError
  /// otherwise.
  NestedLatinHypercube(std::uint64_t start, unsigned levels, std::size_t k, std::uint64_t seed,
                       bool decorrelate);
  ~NestedLatinHypercube() override;

  std::uint64_t size() const override { return start_ << levels_; }
  std::size_t dimension() const override { return first_.dimension(); }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::string describe() const override;

  /// Checkpoints after the first: size() == start() << levels().
  unsigned levels() const { return levels_; }
  std::uint64_t start() const { return start_; }
  /// n0 2^c, the points of checkpoint c (c <= levels()).
  std::uint64_t checkpoint_size(unsigned c) const { return start_ << c; }

 private:
  struct Block;

  // The value of the point that checkpoint `level`'s Latin hypercube has in stratum s of column
  // j (before any decorrelation: rearranging does not change a column's values).
  double value_in_stratum(unsigned level, std::uint64_t s, std::size_t j) const;
  // The plain (not rearranged) value of point t of block `level` in column j.
  double plain_value(unsigned level, std::uint64_t t, std::size_t j) const;
  // The stratum (of n_level) the new point t of block level >= 1 takes in column j, and the
  // position inside it.
  double new_point_value(unsigned level, std::uint64_t t, std::uint64_t fine, std::size_t j) const;
  // The half (stratum of n_level) of coarse stratum q (of n_{level-1}) not taken by the value u.
  std::uint64_t free_half(unsigned level, std::uint64_t q, double u) const;
  const Block& block(unsigned level) const;

  std::uint64_t start_;
  unsigned levels_;
  std::uint64_t seed_;
  bool decorrelate_;
  LatinHypercube first_;
  struct Level;
  // Block `level`'s permutations and jitter keys (level >= 1), made on first use.
  const Level& level_data(unsigned level) const;

  std::unique_ptr<Level[]> levels_data_;  ///< [level - 1], built lazily
  std::unique_ptr<Block[]> blocks_;       ///< decorrelated blocks, built lazily
};

}  // namespace tmex::sampling
