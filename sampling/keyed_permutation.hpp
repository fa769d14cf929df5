// A keyed pseudorandom permutation of [0, n), evaluable at one index (Feistel + cycle walking).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace tmex::sampling {

/// A bijection on [0, n) chosen by `key`, computed at a single index in O(1) expected time.
///
/// For n <= kTableLimit the permutation is a Fisher-Yates shuffle driven by a counter-based
/// stream of `key`, tabulated at construction (O(n) time and 8n bytes): a Feistel network on a
/// domain of a few bits reaches only a small, non-uniform subset of the permutations. Above that,
/// an alternating (unbalanced where the bit count is odd) Feistel network on [0, 2^b), the
/// smallest power-of-two domain >= max(n, 4), with cycle walking to stay inside [0, n) (Black &
/// Rogaway 2002, "Ciphers with arbitrary finite domains"). Because 2^b < 2n, cycle walking costs
/// fewer than two network evaluations on average. Four rounds (Luby & Rackoff 1988: four rounds
/// of a pseudorandom round function make a strong pseudorandom permutation) with a
/// multiply-xorshift round function keyed by per-round subkeys. Not a cipher for secrets: the
/// goal is statistically independent-looking permutations for sampling. Thread-safe; immutable.
class KeyedPermutation {
 public:
  /// n >= 1.
  KeyedPermutation(std::uint64_t n, std::uint64_t key);

  /// Sizes up to this are tabulated; larger ones use the Feistel network.
  static constexpr std::uint64_t kTableLimit = std::uint64_t{1} << 16;

  /// The image of i (i < n).
  std::uint64_t operator()(std::uint64_t i) const {
    if (!forward_.empty()) return forward_[i];
    std::uint64_t x = i;
    do {
      x = encrypt(x);
    } while (x >= n_);
    return x;
  }

  /// The preimage of y (y < n): inverse()(operator()(i)) == i.
  std::uint64_t inverse(std::uint64_t y) const {
    if (!backward_.empty()) return backward_[y];
    std::uint64_t x = y;
    do {
      x = decrypt(x);
    } while (x >= n_);
    return x;
  }

  std::uint64_t size() const { return n_; }

 private:
  static constexpr int kRounds = 4;

  // The round function: 64 well-mixed bits of (half, round key); callers keep the top bits.
  static std::uint64_t round(std::uint64_t half, std::uint64_t round_key) {
    std::uint64_t h = (half ^ round_key) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h;
  }

  std::uint64_t encrypt(std::uint64_t x) const {
    std::uint64_t left = x >> right_bits_;
    std::uint64_t right = x & right_mask_;
    for (int r = 0; r < kRounds; r += 2) {
      left ^= round(right, round_keys_[r]) >> left_shift_;
      right ^= round(left, round_keys_[r + 1]) >> right_shift_;
    }
    return (left << right_bits_) | right;
  }

  std::uint64_t decrypt(std::uint64_t x) const {
    std::uint64_t left = x >> right_bits_;
    std::uint64_t right = x & right_mask_;
    for (int r = kRounds - 2; r >= 0; r -= 2) {
      right ^= round(left, round_keys_[r + 1]) >> right_shift_;
      left ^= round(right, round_keys_[r]) >> left_shift_;
    }
    return (left << right_bits_) | right;
  }

  std::uint64_t n_;
  unsigned right_bits_;
  unsigned left_shift_;   // 64 - left bit count
  unsigned right_shift_;  // 64 - right bit count
  std::uint64_t right_mask_;
  std::array<std::uint64_t, kRounds> round_keys_;
  std::vector<std::uint32_t> forward_;   // tabulated permutation (n <= kTableLimit)
  std::vector<std::uint32_t> backward_;  // its inverse
};

}  // namespace tmex::sampling
