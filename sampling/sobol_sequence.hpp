// Sobol' low-discrepancy sequence (Joe-Kuo direction numbers), optionally scrambled.
#pragma once

#include <cstdint>
#include <vector>

#include "sampling/design.hpp"

namespace tmex::sampling {

enum class SobolScramble {
  kNone,   ///< the plain sequence, starting at its second point (the first is the origin)
  kShift,  ///< a random digital shift (XOR of one random 53-bit word per column)
  kOwen,   ///< nested uniform (Owen 1995) scrambling of all 53 bits, keyed by the seed
};

/// Sobol' points in Gray-code order (Antonov & Saleev 1979), the order of Joe & Kuo's
/// sobol.cc and scipy.stats.qmc.Sobol, from the Joe & Kuo (2008) new-joe-kuo-6.21201 direction
/// numbers shipped with Boost.Random (up to 3667 columns, 2^32 points).
///
/// Unscrambled, point i is the sequence's point i + 1: the origin is skipped because it is not
/// inside the open unit cube. Scrambled, point i is the scrambled point i, and the first 2^m
/// points form a scrambled (t, m, s)-net; prefer sizes that are powers of two. Index-addressable:
/// point i costs O(k log i) (O(32 k) more with Owen scrambling). Thread-safe.
class SobolSequence final : public Design {
 public:
  /// Throws DesignError unless 1 <= k <= 3667 and 1 <= n <= 2^32 - 1.
  SobolSequence(std::uint64_t n, std::size_t k, SobolScramble scramble, std::uint64_t seed);

  std::uint64_t size() const override { return n_; }
  std::size_t dimension() const override { return k_; }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::string describe() const override;

  /// The unscrambled 32-bit integer coordinate j of sequence point m (m = 0 is the origin).
  std::uint32_t raw(std::uint64_t m, std::size_t j) const;
  /// Maximum supported dimension.
  static std::size_t max_dimension();

 private:
  std::uint64_t n_;
  std::size_t k_;
  SobolScramble scramble_;
  std::uint64_t seed_;
  std::vector<std::uint32_t> directions_;   // k x 32, directions_[j * 32 + b]
  std::vector<std::uint64_t> column_keys_;  // per column scramble key
};

}  // namespace tmex::sampling
