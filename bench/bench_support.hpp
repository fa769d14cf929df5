// What the benchmark programs share: reproducible synthetic values, the metadata of a synthetic
// campaign, and the process's peak memory.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <string>

#include "storage/campaign_store.hpp"

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

/// The metadata of a synthetic LHS campaign `name` of `samples` samples: parameters p1..pk
/// uniform on [0, 1], outputs y1..ym, model "synthetic".
inline storage::CampaignMeta synthetic_campaign_meta(const std::string& name, std::uint64_t samples,
                                                     std::size_t k, std::size_t m) {
  storage::CampaignMeta meta;
  meta.name = name;
  meta.seed = 1;
  meta.samples = samples;
  meta.design =
      "lhs(n=" + std::to_string(samples) + ", k=" + std::to_string(k) + ", seed=1, jitter=random)";
  meta.layout = {"lhs", 1};
  meta.model = "synthetic";
  for (std::size_t i = 0; i < k; ++i) {
    meta.parameters.push_back({"p" + std::to_string(i + 1),
                               "uniform(min=0, max=1)",
                               "uniform",
                               {{"min", 0.0}, {"max", 1.0}}});
  }
  for (std::size_t j = 0; j < m; ++j) meta.outputs.push_back("y" + std::to_string(j + 1));
  meta.config = "campaign.name: " + name + "\n";
  meta.config_hash = "0";
  meta.tmex_version = "bench";
  return meta;
}

}  // namespace tmex::bench
