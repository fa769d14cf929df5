// Bonferroni and Benjamini-Hochberg adjustments over whole tables.
#include "analysis/p_value_adjustment.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tmex::analysis {

Eigen::MatrixXd bonferroni(const Eigen::Ref<const Eigen::MatrixXd>& p) {
  const auto m = static_cast<double>((p.array() == p.array()).count());
  return p.unaryExpr([m](double v) { return std::isnan(v) ? v : std::min(1.0, v * m); });
}

Eigen::MatrixXd benjamini_hochberg(const Eigen::Ref<const Eigen::MatrixXd>& p) {
  std::vector<Eigen::Index> order;
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    if (!std::isnan(p(i % p.rows(), i / p.rows()))) order.push_back(i);
  }
  const auto value = [&p](Eigen::Index i) { return p(i % p.rows(), i / p.rows()); };
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return value(a) < value(b); });
  Eigen::MatrixXd q = p;
  const auto m = static_cast<double>(order.size());
  double running = 1.0;
  for (std::size_t r = order.size(); r-- > 0;) {
    running = std::min(running, value(order[r]) * m / static_cast<double>(r + 1));
    q(order[r] % p.rows(), order[r] / p.rows()) = running;
  }
  return q;
}

}  // namespace tmex::analysis
