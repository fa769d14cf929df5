// Counter-based hashing: random numbers addressed by (seed, counters) instead of a shared stream.
#pragma once

#include <cstdint>

namespace tmex::sampling {

/// The splitmix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
/// generators"; constants as in Vigna's public-domain splitmix64.c): a bijection on 64-bit words
/// with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/// A 64-bit hash of a key and up to three counters; different argument tuples give
/// independent-looking outputs. Pure and thread-safe.
constexpr std::uint64_t hash64(std::uint64_t key, std::uint64_t a, std::uint64_t b = 0,
                               std::uint64_t c = 0) {
  std::uint64_t h = mix64(key ^ 0x9e3779b97f4a7c15ULL);
  h = mix64(h ^ (a + 0x632be59bd9b4e019ULL));
  h = mix64(h ^ (b + 0x8cb92ba72f3d8dd7ULL));
  h = mix64(h ^ (c + 0xd1b54a32d192ed03ULL));
  return h;
}

/// Maps 64 random bits to a double strictly inside (0, 1) (53-bit resolution), so inverse CDFs
/// of unbounded distributions never see 0 or 1.
constexpr double to_open_unit(std::uint64_t bits) {
  return (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53;
}

/// Seed of the random stream of one evaluation (stochastic models): depends only on the
/// campaign seed, the sample and the replicate.
constexpr std::uint64_t evaluation_stream_seed(std::uint64_t seed, std::uint64_t sample,
                                               std::uint64_t replicate) {
  return hash64(seed ^ 0x5eed5eed5eed5eedULL, sample, replicate, 0xe7a1);
}

}  // namespace tmex::sampling
