// Multiple-testing adjustments of p-values: Bonferroni and Benjamini-Hochberg.
#pragma once

#include <Eigen/Core>

namespace tmex::analysis {

/// Bonferroni adjusted p-values min(1, M p) over all entries of `p`, M the number of
/// non-NaN entries; NaN entries stay NaN. Controls the family-wise error rate.
Eigen::MatrixXd bonferroni(const Eigen::Ref<const Eigen::MatrixXd>& p);

/// Benjamini-Hochberg (1995) adjusted p-values ("q-values") over all entries of `p`: with the
/// M non-NaN p-values sorted ascending, q_(i) = min over j >= i of min(1, M p_(j) / j). NaN
/// entries stay NaN. Rejecting q <= alpha controls the false discovery rate at alpha.
Eigen::MatrixXd benjamini_hochberg(const Eigen::Ref<const Eigen::MatrixXd>& p);

}  // namespace tmex::analysis
