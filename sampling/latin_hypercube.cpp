// LatinHypercube point generation.
#include "sampling/latin_hypercube.hpp"

#include <stdexcept>

#include "sampling/counter_hash.hpp"

namespace tmex::sampling {

LatinHypercube::LatinHypercube(std::uint64_t n, std::size_t k, std::uint64_t seed, LhsJitter jitter)
    : n_(n), seed_(seed), jitter_(jitter) {
  if (n == 0) throw DesignError("lhs: samples must be >= 1, got 0");
  if (k == 0) throw DesignError("lhs: dimension must be >= 1, got 0");
  permutations_.reserve(k);
  jitter_keys_.reserve(k);
  for (std::size_t j = 0; j < k; ++j) {
    permutations_.emplace_back(n, hash64(seed, 0x1a7e4c, j));
    jitter_keys_.push_back(hash64(seed, 0x717e, j));
  }
}

void LatinHypercube::unit_point(std::uint64_t i, std::span<double> unit) const {
  const double inv_n = 1.0 / static_cast<double>(n_);
  for (std::size_t j = 0; j < permutations_.size(); ++j) {
    const double w = jitter(i, j);
    unit[j] = (static_cast<double>(permutations_[j](i)) + w) * inv_n;
  }
}

std::string LatinHypercube::describe() const {
  return "lhs(n=" + std::to_string(n_) + ", k=" + std::to_string(permutations_.size()) +
         ", seed=" + std::to_string(seed_) +
         ", jitter=" + (jitter_ == LhsJitter::kMidpoint ? "midpoint" : "random") + ")";
}

}  // namespace tmex::sampling
