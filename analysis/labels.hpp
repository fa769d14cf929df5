// Names of the parameters (input columns) and outputs (output columns) of an analysis.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace tmex::analysis {

/// Column names for a result table. Either list may be empty, in which case resolve() makes
/// "x1".."xk" and "y1".."ym".
struct Labels {
  std::vector<std::string> parameters;
  std::vector<std::string> outputs;

  /// Returns a copy with both lists filled for k parameters and m outputs. Throws
  /// AnalysisError when a non-empty list has the wrong length.
  Labels resolve(Eigen::Index k, Eigen::Index m) const;
};

}  // namespace tmex::analysis
