// Iman-Conover rearrangement and Spearman correlation matrices.
#include "sampling/rank_correlation.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <numeric>

#include "text/number_text.hpp"

namespace tmex::sampling {

namespace {

constexpr int kPasses = 10;

std::string num(double v) { return text::format_number(v, text::NumberStyle::kShortest); }

// Lower Cholesky factor of a k x k symmetric matrix; false if not positive definite.
bool cholesky(const std::vector<double>& a, std::size_t k, std::vector<double>& l) {
  l.assign(k * k, 0.0);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double s = a[i * k + j];
      for (std::size_t m = 0; m < j; ++m) s -= l[i * k + m] * l[j * k + m];
      if (i == j) {
        if (!(s > 1e-12)) return false;
        l[i * k + i] = std::sqrt(s);
      } else {
        l[i * k + j] = s / l[j * k + j];
      }
    }
  }
  return true;
}

// Ranks 0..n-1 of a column (ties broken by row order: only used on continuous data).
std::vector<std::size_t> ranks_of(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<std::size_t> rank(v.size());
  for (std::size_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
  return rank;
}

// Pearson correlation matrix of column-major data (k columns of n).
std::vector<double> pearson(const std::vector<std::vector<double>>& cols) {
  const std::size_t k = cols.size();
  const std::size_t n = cols[0].size();
  std::vector<std::vector<double>> centred(k, std::vector<double>(n));
  std::vector<double> norm(k);
  for (std::size_t j = 0; j < k; ++j) {
    const double mean =
        std::accumulate(cols[j].begin(), cols[j].end(), 0.0) / static_cast<double>(n);
    double ss = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      centred[j][i] = cols[j][i] - mean;
      ss += centred[j][i] * centred[j][i];
    }
    norm[j] = std::sqrt(ss);
  }
  std::vector<double> c(k * k, 1.0);
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a + 1; b < k; ++b) {
      double s = 0.0;
      for (std::size_t i = 0; i < n; ++i) s += centred[a][i] * centred[b][i];
      c[a * k + b] = c[b * k + a] = s / (norm[a] * norm[b]);
    }
  }
  return c;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

}  // namespace

void validate_correlation_matrix(const std::vector<double>& target, std::size_t k) {
  if (target.size() != k * k) {
    throw DesignError("rank_correlation: expected a " + std::to_string(k) + " x " +
                      std::to_string(k) + " matrix (" + std::to_string(k * k) + " values), got " +
                      std::to_string(target.size()) + " values");
  }
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      const double v = target[i * k + j];
      const std::string where =
          "rank_correlation[" + std::to_string(i) + "][" + std::to_string(j) + "]";
      if (!std::isfinite(v)) throw DesignError(where + " must be finite, got " + num(v));
      if (i == j && v != 1.0) throw DesignError(where + " (diagonal) must be 1, got " + num(v));
      if (i != j && !(std::fabs(v) < 1.0)) {
        throw DesignError(where + " must be in (-1, 1), got " + num(v));
      }
      if (std::fabs(v - target[j * k + i]) > 1e-12) {
        throw DesignError(where + " = " + num(v) + " differs from rank_correlation[" +
                          std::to_string(j) + "][" + std::to_string(i) +
                          "] = " + num(target[j * k + i]) + ": the matrix must be symmetric");
      }
    }
  }
  std::vector<double> l;
  if (!cholesky(target, k, l)) {
    throw DesignError("rank_correlation: the matrix is not positive definite");
  }
}

std::vector<double> rank_correlation_matrix(const std::vector<double>& points, std::size_t k) {
  const std::size_t n = points.size() / k;
  std::vector<std::vector<double>> ranks(k, std::vector<double>(n));
  std::vector<std::size_t> order(n);
  for (std::size_t j = 0; j < k; ++j) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return points[a * k + j] < points[b * k + j]; });
    for (std::size_t r = 0; r < n;) {
      std::size_t e = r;
      while (e + 1 < n && points[order[e + 1] * k + j] == points[order[r] * k + j]) ++e;
      const double average = 0.5 * static_cast<double>(r + e);
      for (std::size_t m = r; m <= e; ++m) ranks[j][order[m]] = average;
      r = e + 1;
    }
  }
  return pearson(ranks);
}

double impose_rank_correlation(std::vector<double>& points, std::size_t k,
                               const std::vector<double>& target) {
  validate_correlation_matrix(target, k);
  const std::size_t n = points.size() / k;
  if (n <= k) {
    throw DesignError("rank_correlation: needs more samples than parameters, got " +
                      std::to_string(n) + " samples for " + std::to_string(k) + " parameters");
  }
  // Pearson correlation of normal scores that corresponds to the Spearman target.
  std::vector<double> normal_target(k * k);
  for (std::size_t i = 0; i < k * k; ++i) {
    normal_target[i] = 2.0 * std::sin(std::numbers::pi * target[i] / 6.0);
  }
  std::vector<double> p, p_ranks;
  if (!cholesky(target, k, p_ranks)) {
    throw DesignError("rank_correlation: the matrix is not positive definite");
  }
  // Near the boundary of positive definiteness the normal-scores matrix may not be one; the
  // rank passes alone then do the work.
  const bool normal_pass = cholesky(normal_target, k, p);
  const boost::math::normal_distribution<double> standard;
  std::vector<double> scores(n);
  for (std::size_t r = 0; r < n; ++r) {
    scores[r] =
        boost::math::quantile(standard, static_cast<double>(r + 1) / static_cast<double>(n + 1));
  }

  // Current arrangement as ranks per column.
  std::vector<std::vector<std::size_t>> rank(k);
  std::vector<std::vector<double>> column(k, std::vector<double>(n));
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t i = 0; i < n; ++i) column[j][i] = points[i * k + j];
    rank[j] = ranks_of(column[j]);
  }
  auto spearman_of = [&](const std::vector<std::vector<std::size_t>>& rk) {
    std::vector<std::vector<double>> r(k, std::vector<double>(n));
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t i = 0; i < n; ++i) r[j][i] = static_cast<double>(rk[j][i]);
    }
    return pearson(r);
  };

  auto best = rank;
  double best_error = max_abs_difference(spearman_of(rank), target);
  std::vector<std::vector<double>> s(k, std::vector<double>(n)), t(k, std::vector<double>(n));
  std::vector<double> f, m(k * k);
  const double mid_rank = 0.5 * static_cast<double>(n - 1);
  for (int pass = 0; pass < kPasses; ++pass) {
    // Pass 0: van der Waerden scores towards the normal-scores target. Later passes: centred
    // ranks towards the Spearman target itself (the Pearson correlation of ranks is Spearman's).
    const bool by_rank = pass > 0 || !normal_pass;
    const std::vector<double>& chol_target = by_rank ? p_ranks : p;
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t i = 0; i < n; ++i) {
        s[j][i] = by_rank ? static_cast<double>(rank[j][i]) - mid_rank : scores[rank[j][i]];
      }
    }
    if (!cholesky(pearson(s), k, f)) break;  // degenerate scores: keep the best so far
    // M = P F^-1 (lower triangular), T = S M^T: T's Pearson correlation is exactly P P^T.
    std::fill(m.begin(), m.end(), 0.0);
    for (std::size_t c = 0; c < k; ++c) {
      // Column c of F^-1 by forward substitution on F y = e_c.
      std::vector<double> y(k, 0.0);
      for (std::size_t i = c; i < k; ++i) {
        double v = i == c ? 1.0 : 0.0;
        for (std::size_t q = c; q < i; ++q) v -= f[i * k + q] * y[q];
        y[i] = v / f[i * k + i];
      }
      for (std::size_t r = 0; r < k; ++r) {
        double v = 0.0;
        for (std::size_t q = c; q <= r; ++q) v += chol_target[r * k + q] * y[q];
        m[r * k + c] = v;
      }
    }
    for (std::size_t r = 0; r < k; ++r) {
      for (std::size_t i = 0; i < n; ++i) {
        double v = 0.0;
        for (std::size_t q = 0; q <= r; ++q) v += m[r * k + q] * s[q][i];
        t[r][i] = v;
      }
    }
    for (std::size_t j = 0; j < k; ++j) rank[j] = ranks_of(t[j]);
    const double error = max_abs_difference(spearman_of(rank), target);
    if (error < best_error) {
      best_error = error;
      best = rank;
    }
  }

  // Row i of column j gets the value of rank best[j][i] among the column's values.
  for (std::size_t j = 0; j < k; ++j) {
    std::vector<double> sorted = column[j];
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < n; ++i) points[i * k + j] = sorted[best[j][i]];
  }
  return best_error;
}

}  // namespace tmex::sampling
