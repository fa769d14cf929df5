// The exact McNemar test of paired 0/1 outcomes.
#pragma once

#include <cstdint>

namespace tmex::analysis {

/// Paired 0/1 outcomes of a reference and an arm: the four cells of the 2 x 2 table and the
/// exact two-sided McNemar test of the discordant ones.
struct McNemarTest {
  std::uint64_t both = 0;       ///< 1 under the reference and under the arm
  std::uint64_t neither = 0;    ///< 0 under both
  std::uint64_t prevented = 0;  ///< 1 under the reference, 0 under the arm
  std::uint64_t caused = 0;     ///< 0 under the reference, 1 under the arm
  /// Two-sided exact p-value: under no effect each discordant pair is equally likely to fall
  /// either way, so prevented ~ Binomial(prevented + caused, 1/2), and p = min(1, 2 P(X <=
  /// min(prevented, caused))) (McNemar 1947; the exact form as scipy.stats.binomtest(k, n, 0.5)
  /// and statsmodels' mcnemar(exact=True)). 1 when no pair is discordant.
  double p_value = 1.0;
};

/// The exact McNemar test of the counts. Never throws.
McNemarTest mcnemar_test(std::uint64_t both, std::uint64_t neither, std::uint64_t prevented,
                         std::uint64_t caused);

}  // namespace tmex::analysis
