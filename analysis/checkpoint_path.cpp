// The verdict of a campaign that stops itself, from its recorded checks.
#include "analysis/checkpoint_path.hpp"

namespace tmex::analysis {

bool CheckpointPath::converged() const {
  return !checkpoints.empty() && checkpoints.back().decision == "converged";
}

std::string CheckpointPath::verdict() const {
  if (checkpoints.empty()) return "no checkpoint checked yet";
  const CheckpointEntry& last = checkpoints.back();
  // A summary begins with its verdict ("converged: ...", "not converged: ...").
  std::string why = last.summary;
  for (const std::string prefix : {"converged: ", "not converged: "}) {
    if (why.starts_with(prefix)) why = why.substr(prefix.size());
  }
  const std::string where =
      std::to_string(last.size) + " " + unit + ", " + std::to_string(last.runs) + " runs";
  if (last.decision == "converged") {
    return "converged at checkpoint " + std::to_string(last.checkpoint) + " (" + where +
           ", of at most " + std::to_string(cap) + " " + unit + "): " + why;
  }
  if (last.decision == "cap") {
    return "did not converge by campaign.samples (checkpoint " + std::to_string(last.checkpoint) +
           ", " + where + "): " + why;
  }
  return "not decided yet: checked up to checkpoint " + std::to_string(last.checkpoint) + " (" +
         where + "; " + why + "); the campaign goes on";
}

}  // namespace tmex::analysis
