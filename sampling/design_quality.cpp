// Pairwise (distance, discrepancy) and rank-correlation measures of designs.
#include "sampling/design_quality.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "sampling/keyed_permutation.hpp"
#include "sampling/rank_correlation.hpp"

namespace tmex::sampling {

namespace {

// Minimum distance and discrepancy (the pairwise figures) of n x k row-major points.
DesignQuality measure_pairwise(std::span<const double> points, std::size_t k) {
  const std::size_t n = k == 0 ? 0 : points.size() / k;
  // Column-major copies: the inner loops run over the second point of a pair.
  std::vector<double> x(n * k), z(n * k);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      x[j * n + i] = points[i * k + j];
      z[j * n + i] = std::fabs(points[i * k + j] - 0.5);
    }
  }
  // Hickernell (1998), eq. (5.1c) with centre 1/2:
  // CD^2 = (13/12)^k - 2/n sum_i prod_j (1 + |z_ij|/2 - z_ij^2/2)
  //        + 1/n^2 sum_i sum_l prod_j (1 + z_ij/2 + z_lj/2 - |x_ij - x_lj|/2).
  double single = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double prod = 1.0;
    for (std::size_t j = 0; j < k; ++j) {
      const double zi = z[j * n + i];
      prod *= 1.0 + 0.5 * zi - 0.5 * zi * zi;
    }
    single += prod;
  }
  double pair_sum = 0.0;  // over ordered pairs i != l
  double diagonal = 0.0;  // i == l
  double min_d2 = INFINITY;
  std::vector<double> d2(n), prod(n);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const std::size_t m = n - i - 1;  // partners l = i+1 .. n-1
    std::fill_n(d2.begin(), m, 0.0);
    std::fill_n(prod.begin(), m, 1.0);
    for (std::size_t j = 0; j < k; ++j) {
      const double xi = x[j * n + i];
      const double zi = z[j * n + i];
      const double* xl = &x[j * n + i + 1];
      const double* zl = &z[j * n + i + 1];
      for (std::size_t l = 0; l < m; ++l) {
        const double t = xl[l] - xi;
        d2[l] += t * t;
        prod[l] *= 1.0 + 0.5 * zi + 0.5 * zl[l] - 0.5 * std::fabs(t);
      }
    }
    double s = 0.0;
    double dmin = INFINITY;
    for (std::size_t l = 0; l < m; ++l) {
      s += prod[l];
      dmin = std::min(dmin, d2[l]);
    }
    pair_sum += 2.0 * s;
    min_d2 = std::min(min_d2, dmin);
  }
  for (std::size_t i = 0; i < n; ++i) {
    double p = 1.0;
    for (std::size_t j = 0; j < k; ++j) p *= 1.0 + z[j * n + i];
    diagonal += p;
  }
  const auto nd = static_cast<double>(n);
  DesignQuality q;
  q.min_distance = std::sqrt(min_d2);
  q.centred_l2_discrepancy = std::pow(13.0 / 12.0, static_cast<double>(k)) - 2.0 / nd * single +
                             (pair_sum + diagonal) / (nd * nd);
  q.points_used = n;
  return q;
}

double max_abs_rank_correlation(std::span<const double> points, std::size_t k) {
  double worst = 0.0;
  if (k < 2) return worst;
  const std::vector<double> rho =
      rank_correlation_matrix(std::vector<double>(points.begin(), points.end()), k);
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a + 1; b < k; ++b) worst = std::max(worst, std::fabs(rho[a * k + b]));
  }
  return worst;
}

}  // namespace

DesignQuality measure_quality(std::span<const double> points, std::size_t k) {
  const std::size_t n = k == 0 ? 0 : points.size() / k;
  if (n < 2) throw DesignError("design quality: needs at least 2 points, got " + std::to_string(n));
  DesignQuality q = measure_pairwise(points, k);
  q.max_abs_rank_correlation = max_abs_rank_correlation(points, k);
  q.correlation_points_used = n;
  return q;
}

DesignQuality measure_quality(const Design& design, const QualityBudget& budget) {
  const std::uint64_t n = design.size();
  const std::size_t k = design.dimension();
  if (n < 2) throw DesignError("design quality: needs at least 2 points, got " + std::to_string(n));
  const std::optional<double> known = design.known_max_abs_rank_correlation();
  const std::uint64_t pairwise = std::min(n, std::max<std::uint64_t>(budget.pairwise_points, 2));
  const std::uint64_t correlation =
      known ? pairwise : std::min(n, std::max<std::uint64_t>(budget.correlation_points, pairwise));
  std::vector<double> points(correlation * k);
  // A random subset in random order, so that its first `pairwise` points are a random subset too.
  const KeyedPermutation pick(n, budget.seed ^ 0x9a117e);
  for (std::uint64_t r = 0; r < correlation; ++r) {
    const std::uint64_t i = pairwise == n ? r : pick(r);
    design.unit_point(i, std::span<double>(points.data() + r * k, k));
  }
  DesignQuality q = measure_pairwise(std::span<const double>(points.data(), pairwise * k), k);
  q.points_used = pairwise;
  if (known) {
    q.max_abs_rank_correlation = *known;
    q.correlation_points_used = n;
  } else {
    q.max_abs_rank_correlation = max_abs_rank_correlation(points, k);
    q.correlation_points_used = correlation;
  }
  return q;
}

}  // namespace tmex::sampling
