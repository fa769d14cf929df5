// Labels::resolve: default names and length checks.
#include "analysis/labels.hpp"

#include "analysis/analysis_error.hpp"

namespace tmex::analysis {

namespace {

std::vector<std::string> resolve_list(const std::vector<std::string>& names, Eigen::Index count,
                                      const char* prefix, const char* what) {
  if (names.empty()) {
    std::vector<std::string> made;
    made.reserve(static_cast<std::size_t>(count));
    for (Eigen::Index i = 0; i < count; ++i) made.push_back(prefix + std::to_string(i + 1));
    return made;
  }
  if (static_cast<Eigen::Index>(names.size()) != count) {
    throw AnalysisError(std::string("labels: ") + std::to_string(names.size()) + " " + what +
                        " names given for " + std::to_string(count) + " columns");
  }
  return names;
}

}  // namespace

Labels Labels::resolve(Eigen::Index k, Eigen::Index m) const {
  return Labels{resolve_list(parameters, k, "x", "parameter"),
                resolve_list(outputs, m, "y", "output")};
}

}  // namespace tmex::analysis
