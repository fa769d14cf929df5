// Feistel rounds of KeyedPermutation.
#include "sampling/keyed_permutation.hpp"

#include <bit>

#include "sampling/counter_hash.hpp"

namespace tmex::sampling {

namespace {
constexpr int kRounds = 6;  // >= 4 rounds make a Feistel network a strong PRP (Luby-Rackoff)
}

KeyedPermutation::KeyedPermutation(std::uint64_t n, std::uint64_t key) : n_(n), key_(key) {
  const unsigned bits = n <= 1 ? 1u : static_cast<unsigned>(std::bit_width(n - 1));
  half_bits_ = (bits + 1) / 2;
  half_mask_ = (std::uint64_t{1} << half_bits_) - 1;
}

std::uint64_t KeyedPermutation::encrypt(std::uint64_t x) const {
  std::uint64_t left = x >> half_bits_;
  std::uint64_t right = x & half_mask_;
  for (int r = 0; r < kRounds; ++r) {
    const std::uint64_t f = mix64(key_ + mix64(right ^ (static_cast<std::uint64_t>(r) << 58)));
    const std::uint64_t next = (left ^ f) & half_mask_;
    left = right;
    right = next;
  }
  return (left << half_bits_) | right;
}

}  // namespace tmex::sampling
