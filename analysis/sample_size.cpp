// sample_size_warnings(): the documented minimum of each design's sensitivity method.
#include "analysis/sample_size.hpp"

namespace tmex::analysis {

std::vector<std::string> sample_size_warnings(DesignKind kind, std::size_t parameters,
                                              std::uint64_t rows) {
  const auto n = std::to_string(rows);
  switch (kind) {
    case DesignKind::kSaltelli:
      if (rows < kMinSobolBaseRows) {
        return {"Sobol' indices from " + n + " base rows cannot be trusted: at least " +
                std::to_string(kMinSobolBaseRows) +
                " are needed before the estimates settle in [0, 1] and their bootstrap "
                "intervals mean what they say (raise samples, the number of base rows)."};
      }
      break;
    case DesignKind::kMorris:
      if (rows < kMinMorrisTrajectories) {
        return {"Morris effects from " + n + " trajectories cannot be trusted: at least " +
                std::to_string(kMinMorrisTrajectories) +
                " are needed for mu* to rank the parameters (raise samples, the number of "
                "trajectories)."};
      }
      break;
    default:
      if (rows < parameters + kCorrelationMargin) {
        return {"PRCC from " + n + " samples of " + std::to_string(parameters) +
                " parameters cannot be trusted: its p-values and intervals need at least the "
                "number of parameters + " +
                std::to_string(kCorrelationMargin) + " = " +
                std::to_string(parameters + kCorrelationMargin) + " samples."};
      }
      break;
  }
  return {};
}

}  // namespace tmex::analysis
