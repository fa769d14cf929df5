// SplitMix64-based resample streams and percentile intervals.
#include "analysis/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tmex::analysis {

namespace {

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

BootstrapStream::BootstrapStream(std::uint64_t seed, std::uint64_t resample)
    : state_(mix(mix(seed ^ 0x5bd1e9955bd1e995ULL) + resample)) {}

std::uint64_t BootstrapStream::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return mix(state_);
}

std::uint64_t BootstrapStream::below(std::uint64_t n) {
  // Lemire (2019): the high word of x n is uniform on [0, n) once the low words below
  // 2^64 mod n are rejected; no division on the common path.
  __extension__ using Wide = unsigned __int128;
  Wide product = static_cast<Wide>(next()) * n;
  auto low = static_cast<std::uint64_t>(product);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      product = static_cast<Wide>(next()) * n;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

double sorted_quantile(std::span<const double> sorted, double p) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = p * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::pair<double, double> percentile_interval(std::vector<double>& replicates, double confidence) {
  std::erase_if(replicates, [](double v) { return std::isnan(v); });
  std::sort(replicates.begin(), replicates.end());
  return {sorted_quantile(replicates, 0.5 * (1.0 - confidence)),
          sorted_quantile(replicates, 0.5 * (1.0 + confidence))};
}

}  // namespace tmex::analysis
