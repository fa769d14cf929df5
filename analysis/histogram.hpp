// Histograms of an output with Freedman-Diaconis or a requested number of equal bins.
#pragma once

#include <Eigen/Core>
#include <span>
#include <vector>

namespace tmex::analysis {

/// Equal-width bins: bin b is [edges[b], edges[b + 1]), the last bin also holds its right
/// edge, so the counts sum to the number of values.
struct Histogram {
  std::vector<double> edges;         ///< bins + 1 ascending values
  std::vector<Eigen::Index> counts;  ///< bins
};

/// Histogram of finite `values` spanning [min, max]. bins = 0 chooses the Freedman-Diaconis
/// (1981) width 2 IQR / N^(1/3) (Sturges' log2(N) + 1 bins when the IQR is 0), capped at
/// 10000 bins. All-equal values give one bin [v - 0.5, v + 0.5]. Throws AnalysisError for an
/// empty or non-finite input or bins < 0.
Histogram histogram(const Eigen::Ref<const Eigen::VectorXd>& values, int bins = 0);

/// histogram() of values already sorted ascending (no second sort). Throws as histogram().
Histogram histogram_of_sorted(std::span<const double> sorted, int bins = 0);

}  // namespace tmex::analysis
