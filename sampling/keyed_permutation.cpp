// Key schedule and domain split of KeyedPermutation.
#include "sampling/keyed_permutation.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <utility>

#include "sampling/counter_hash.hpp"

namespace tmex::sampling {

KeyedPermutation::KeyedPermutation(std::uint64_t n, std::uint64_t key) : n_(n) {
  if (n == 0) throw std::invalid_argument("KeyedPermutation: n must be >= 1, got 0");
  // At least 2 bits so that both halves are non-empty.
  const unsigned bits = std::max(2u, static_cast<unsigned>(std::bit_width(n - 1)));
  const unsigned left_bits = bits / 2;
  right_bits_ = bits - left_bits;
  left_shift_ = 64 - left_bits;
  right_shift_ = 64 - right_bits_;
  right_mask_ = (std::uint64_t{1} << right_bits_) - 1;
  for (int r = 0; r < kRounds; ++r)
    round_keys_[r] = hash64(key, 0xfe1573, static_cast<unsigned>(r));
  if (n <= kTableLimit) {
    forward_.resize(n);
    backward_.resize(n);
    for (std::uint64_t i = 0; i < n; ++i) forward_[i] = static_cast<std::uint32_t>(i);
    std::uint64_t stream = hash64(key, 0x5f1e1d);
    for (std::uint64_t i = n; i-- > 1;) {
      // Lemire (2019) multiply-shift with rejection: exactly uniform on [0, i].
      const std::uint64_t range = i + 1;
      const std::uint64_t threshold = (std::uint64_t{1} << 32) % range;
      std::uint64_t m = 0;
      do {
        stream += 0x9e3779b97f4a7c15ULL;
        m = (mix64(stream) >> 32) * range;
      } while ((m & 0xffffffffULL) < threshold);
      std::swap(forward_[i], forward_[m >> 32]);
    }
    for (std::uint64_t i = 0; i < n; ++i) backward_[forward_[i]] = static_cast<std::uint32_t>(i);
  }
}

}  // namespace tmex::sampling
