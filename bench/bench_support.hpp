// What the benchmark programs share: reproducible synthetic values and the process's peak memory.
#pragma once

#include <sys/resource.h>

#include <cstdint>

namespace tmex::bench {

/// SplitMix64's finaliser: a well-mixed 64-bit value of `x` (for synthetic data, not security).
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// A value in (0, 1) that depends only on (a, b): the same synthetic campaign on every run.
inline double uniform(std::uint64_t a, std::uint64_t b) {
  return (static_cast<double>(mix(a * 0x100000001b3ULL + b) >> 11) + 0.5) * 0x1.0p-53;
}

/// The process's peak resident memory in MiB (Linux reports ru_maxrss in KiB).
inline double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace tmex::bench
