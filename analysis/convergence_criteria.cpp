// Half-widths of significant intervals and the order of the top parameters.
#include "analysis/convergence_criteria.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tmex::analysis {

namespace {

bool excludes_zero(double low, double high) {
  return std::isfinite(low) && std::isfinite(high) && (low > 0.0 || high < 0.0);
}

}  // namespace

HalfwidthCheck halfwidth_check(const Eigen::MatrixXd& low, const Eigen::MatrixXd& high,
                               double halfwidth, Eigen::Index column) {
  HalfwidthCheck c;
  const Eigen::Index first = column < 0 ? 0 : column;
  const Eigen::Index end = column < 0 ? low.cols() : column + 1;
  for (Eigen::Index j = first; j < end; ++j) {
    for (Eigen::Index i = 0; i < low.rows(); ++i) {
      if (!excludes_zero(low(i, j), high(i, j))) continue;
      ++c.significant;
      const double h = 0.5 * (high(i, j) - low(i, j));
      if (h > c.largest || c.row < 0) {
        c.largest = h;
        c.row = i;
        c.column = j;
      }
    }
  }
  c.met = c.largest <= halfwidth;
  return c;
}

std::vector<Eigen::Index> top_rows(const Eigen::MatrixXd& values, Eigen::Index column,
                                   Eigen::Index k) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(values.rows()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    const double x = std::abs(values(a, column)), y = std::abs(values(b, column));
    if (std::isnan(x)) return false;
    if (std::isnan(y)) return true;
    return x > y;
  });
  order.resize(
      std::min<std::size_t>(order.size(), static_cast<std::size_t>(std::max<Eigen::Index>(k, 0))));
  return order;
}

bool same_top(const Eigen::MatrixXd& before, const Eigen::MatrixXd& after, Eigen::Index column,
              Eigen::Index k) {
  return top_rows(before, column, k) == top_rows(after, column, k);
}

Eigen::Index ranked_count(const Eigen::MatrixXd& low, const Eigen::MatrixXd& high,
                          Eigen::Index column, int stable_top) {
  Eigen::Index significant = 0;
  for (Eigen::Index i = 0; i < low.rows(); ++i) {
    if (excludes_zero(low(i, column), high(i, column))) ++significant;
  }
  return std::min<Eigen::Index>(significant, stable_top);
}

}  // namespace tmex::analysis
