// The recorded path of a campaign that stops itself: each checkpoint's criteria and decision.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tmex::analysis {

/// One criterion of one output (of one contrast, in a campaign with arms) at a checkpoint, as a
/// campaign recorded it.
struct CheckpointCriterion {
  std::string output{};
  std::string criterion{};  ///< "halfwidth", "stable_top", "defined" or "difference"
  double value = 0.0;       ///< NaN where there is none (no interval excludes 0)
  double target = 0.0;
  bool met = false;
  /// The widest index, the order of the top parameters, or the mean difference and its interval.
  std::string detail{};
  std::string contrast{};  ///< "ARM:REFERENCE"; empty in a campaign without arms
};

/// One checkpoint's check.
struct CheckpointEntry {
  unsigned checkpoint = 0;
  std::uint64_t size = 0;  ///< samples, or base rows of a Saltelli design
  std::uint64_t runs = 0;  ///< runs of the checkpoint
  std::string decision{};  ///< "continue", "converged" or "cap"
  std::string summary{};   ///< the criteria in words
  std::vector<CheckpointCriterion> criteria{};
};

/// The checks a campaign that stops itself recorded, in checkpoint order.
struct CheckpointPath {
  std::string unit = "samples";  ///< of the sizes: "samples" or "base rows"
  std::uint64_t cap = 0;         ///< campaign.samples: the last checkpoint's size
  std::vector<CheckpointEntry> checkpoints{};

  /// True when the last check says the campaign converged.
  bool converged() const;
  /// "converged at checkpoint 3 (2000 samples): ...", "did not converge by campaign.samples
  /// (16000 samples, checkpoint 6): ...", or, while it runs, how far it got.
  std::string verdict() const;
};

}  // namespace tmex::analysis
