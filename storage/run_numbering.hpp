// How run ids number the runs of a campaign: (sample, arm, replicate) <-> id.
#pragma once

#include <cstdint>

namespace tmex::storage {

/// The numbering of a campaign's runs: id = (sample x arms + arm) x replicates + replicate.
/// Sample-major, so that an enlarged design (more samples) keeps every stored id, and the runs
/// of one sample under every arm are neighbours (a chunk of consecutive ids holds whole pairs).
/// A campaign without arms has arms = 1, which gives id = sample x replicates + replicate.
/// Plain arithmetic, no validation: callers keep arm < arms and replicate < replicates.
struct RunNumbering {
  std::uint32_t arms = 1;
  std::uint32_t replicates = 1;

  /// Runs of one sample: arms x replicates.
  std::uint64_t runs_per_sample() const { return std::uint64_t{arms} * replicates; }
  std::uint64_t id(std::uint64_t sample, std::uint32_t arm, std::uint32_t replicate) const {
    return (sample * arms + arm) * replicates + replicate;
  }
  std::uint64_t sample(std::uint64_t id) const { return id / runs_per_sample(); }
  std::uint32_t arm(std::uint64_t id) const {
    return static_cast<std::uint32_t>((id / replicates) % arms);
  }
  std::uint32_t replicate(std::uint64_t id) const {
    return static_cast<std::uint32_t>(id % replicates);
  }
};

}  // namespace tmex::storage
