// A keyed pseudorandom permutation of [0, n), evaluable at one index (Feistel + cycle walking).
#pragma once

#include <cstdint>

namespace tmex::sampling {

/// A bijection on [0, n) chosen by `key`, computed at a single index in O(1) expected time:
/// a balanced Feistel network on the smallest even-bit power-of-two domain >= n, with cycle
/// walking to stay inside [0, n) (Black & Rogaway 2002, "Ciphers with arbitrary finite
/// domains"). Thread-safe; no state besides the key.
class KeyedPermutation {
 public:
  /// n >= 1.
  KeyedPermutation(std::uint64_t n, std::uint64_t key);

  /// The image of i (i < n).
  std::uint64_t operator()(std::uint64_t i) const {
    std::uint64_t x = i;
    do {
      x = encrypt(x);
    } while (x >= n_);
    return x;
  }

  std::uint64_t size() const { return n_; }

 private:
  std::uint64_t encrypt(std::uint64_t x) const;

  std::uint64_t n_;
  std::uint64_t key_;
  unsigned half_bits_;
  std::uint64_t half_mask_;
};

}  // namespace tmex::sampling
