// Direction numbers, Gray-code evaluation and scrambling of SobolSequence.
#include "sampling/sobol_sequence.hpp"

#include <bit>
#include <boost/random/detail/sobol_table.hpp>

#include "sampling/counter_hash.hpp"

namespace tmex::sampling {

namespace {
using Table = boost::random::detail::qrng_tables::sobol;
constexpr unsigned kBits = 32;
}  // namespace

std::size_t SobolSequence::max_dimension() { return Table::max_dimension; }

SobolSequence::SobolSequence(std::uint64_t n, std::size_t k, SobolScramble scramble,
                             std::uint64_t seed)
    : n_(n), k_(k), scramble_(scramble), seed_(seed) {
  if (k == 0 || k > max_dimension()) {
    throw DesignError("sobol: dimension must be in 1.." + std::to_string(max_dimension()) +
                      ", got " + std::to_string(k));
  }
  if (n == 0 || n >= (std::uint64_t{1} << kBits)) {
    throw DesignError("sobol: samples must be in 1..2^32-1, got " + std::to_string(n));
  }
  // Bratley & Fox (1988) recurrence on the initial direction numbers m, as in Joe & Kuo's
  // sobol.cc; column 0 is the van der Corput sequence (all m = 1).
  directions_.assign(k * kBits, 0);
  for (std::size_t j = 0; j < k; ++j) {
    std::uint32_t m[kBits];
    if (j == 0) {
      for (unsigned b = 0; b < kBits; ++b) m[b] = 1;
    } else {
      const unsigned poly = Table::polynomial(j - 1);
      const unsigned degree = static_cast<unsigned>(std::bit_width(poly)) - 1;
      for (unsigned b = 0; b < degree; ++b) m[b] = Table::minit(j - 1, b);
      for (unsigned b = degree; b < kBits; ++b) {
        std::uint32_t value = m[b - degree];
        unsigned p = poly;
        for (unsigned t = 0; t < degree; ++t, p >>= 1) {
          const unsigned rem = degree - t;
          if (p & 1u) value ^= m[b - rem] << rem;
        }
        m[b] = value;
      }
    }
    for (unsigned b = 0; b < kBits; ++b) directions_[j * kBits + b] = m[b] << (kBits - 1 - b);
  }
  column_keys_.resize(k);
  for (std::size_t j = 0; j < k; ++j) column_keys_[j] = hash64(seed, 0x50b01, j);
}

std::uint32_t SobolSequence::raw(std::uint64_t m, std::size_t j) const {
  std::uint64_t gray = m ^ (m >> 1);
  std::uint32_t x = 0;
  const std::uint32_t* v = &directions_[j * kBits];
  while (gray != 0) {
    x ^= v[std::countr_zero(gray)];
    gray &= gray - 1;
  }
  return x;
}

void SobolSequence::unit_point(std::uint64_t i, std::span<double> unit) const {
  const std::uint64_t m = scramble_ == SobolScramble::kNone ? i + 1 : i;
  for (std::size_t j = 0; j < k_; ++j) {
    const std::uint32_t x = raw(m, j);
    const std::uint64_t key = column_keys_[j];
    std::uint64_t bits53 = 0;  // the 53-bit fixed-point coordinate
    switch (scramble_) {
      case SobolScramble::kNone:
        // Exact: a multiple of 2^-32, never 0 for m >= 1.
        unit[j] = static_cast<double>(x) * 0x1.0p-32;
        continue;
      case SobolScramble::kShift:
        bits53 = ((std::uint64_t{x} << 21) ^ (mix64(key) >> 11));
        break;
      case SobolScramble::kOwen: {
        // Bit 31 - d is flipped by a random bit drawn for the d leading bits above it (the
        // node of the binary tree the point sits in), with a leading 1 marking the depth.
        std::uint32_t flips = 0;
        for (unsigned d = 0; d < kBits; ++d) {
          const std::uint64_t node = (std::uint64_t{x} >> (kBits - d)) | (std::uint64_t{1} << d);
          flips |= static_cast<std::uint32_t>(mix64(key ^ (node * 0x9e3779b97f4a7c15ULL)) >> 63)
                   << (kBits - 1 - d);
        }
        // Below 2^-32 every point is alone in its cell: nested uniform digits are i.i.d.
        const std::uint64_t below =
            mix64(key + (std::uint64_t{x} | (std::uint64_t{1} << 32))) >> 43;
        bits53 = (std::uint64_t{x ^ flips} << 21) | below;
        break;
      }
    }
    unit[j] = (static_cast<double>(bits53) + 0.5) * 0x1.0p-53;
  }
}

std::string SobolSequence::describe() const {
  const char* s = scramble_ == SobolScramble::kNone    ? "none"
                  : scramble_ == SobolScramble::kShift ? "shift"
                                                       : "owen";
  return "sobol(n=" + std::to_string(n_) + ", k=" + std::to_string(k_) +
         ", seed=" + std::to_string(seed_) + ", scramble=" + s + ")";
}

}  // namespace tmex::sampling
