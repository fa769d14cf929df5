// Iman-Conover rearrangement and Spearman correlation matrices.
#include "sampling/rank_correlation.hpp"

#include <algorithm>
#include <array>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <numeric>
#include <utility>

namespace tmex::sampling {

namespace {

constexpr int kPasses = 10;

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

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

using Rank = std::uint32_t;

// Orders rows by value, ties by row: the order std::stable_sort gives, in O(n) for spread-out
// values. Each row gets a 32-bit key, a monotone map of its value ((v - lo) * scale rounds
// monotonically, so a smaller value never gets a larger key), and the (key, row) pairs are
// sorted by key with a three-pass least-significant-digit radix sort, which keeps rows of equal
// key in row order; rows whose keys collide (values closer than the range / 2^32) are then
// ordered by value with std::stable_sort. About 6 ns per row at n = 10^5 here, a tenth of
// std::stable_sort on the indices.
class StableValueSort {
 public:
  /// order[r] = the row of rank r.
  void sort(const double* v, std::size_t n, std::vector<Rank>& order) {
    const std::uint64_t* sorted = sort_keys(v, n);
    order.resize(n);
    for (std::size_t r = 0; r < n; ++r) order[r] = static_cast<Rank>(sorted[r] & kRowMask);
  }

  /// rank[row] = the rank of row.
  void ranks(const double* v, std::size_t n, Rank* rank) {
    const std::uint64_t* sorted = sort_keys(v, n);
    for (std::size_t r = 0; r < n; ++r) rank[sorted[r] & kRowMask] = static_cast<Rank>(r);
  }

 private:
  static constexpr std::uint64_t kRowMask = 0xffffffffu;
  static constexpr int kDigitBits = 11;
  static constexpr std::size_t kDigits = std::size_t{1} << kDigitBits;

  // Sorts (key << 32 | row) pairs; returns the sorted array (one of the two buffers).
  const std::uint64_t* sort_keys(const double* v, std::size_t n) {
    a_.resize(n);
    b_.resize(n);
    if (n == 0) return a_.data();
    double lo = v[0], hi = v[0];
    for (std::size_t i = 1; i < n; ++i) {
      lo = std::min(lo, v[i]);
      hi = std::max(hi, v[i]);
    }
    constexpr double kTop = 4294967295.0;
    double scale = hi > lo ? kTop / (hi - lo) : 0.0;
    if (!std::isfinite(scale)) scale = 0.0;  // one key for all: std::stable_sort below
    std::array<std::array<std::uint32_t, kDigits>, 3> count{};
    for (std::size_t i = 0; i < n; ++i) {
      const auto key = static_cast<std::uint64_t>(std::min((v[i] - lo) * scale, kTop));
      a_[i] = key << 32 | i;
      ++count[0][key & (kDigits - 1)];
      ++count[1][(key >> kDigitBits) & (kDigits - 1)];
      ++count[2][key >> (2 * kDigitBits)];
    }
    std::uint64_t* src = a_.data();
    std::uint64_t* dst = b_.data();
    for (int pass = 0; pass < 3; ++pass) {
      std::uint32_t sum = 0;
      for (auto& c : count[pass]) sum += std::exchange(c, sum);
      const int shift = 32 + pass * kDigitBits;
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t x = src[i];
        dst[count[pass][(x >> shift) & (kDigits - 1)]++] = x;
      }
      std::swap(src, dst);
    }
    for (std::size_t r = 0; r < n;) {
      std::size_t e = r + 1;
      while (e < n && (src[e] >> 32) == (src[r] >> 32)) ++e;
      if (e - r > 1) {
        std::stable_sort(src + r, src + e, [v](std::uint64_t x, std::uint64_t y) {
          return v[x & kRowMask] < v[y & kRowMask];
        });
      }
      r = e;
    }
    return src;
  }

  std::vector<std::uint64_t> a_, b_;
};

// Rows per block of the blocked loops: a block of every column stays in the first-level cache.
constexpr std::size_t kBlock = 128;

// Pearson correlation matrix (k x k row-major) of k columns of n values; value(j, i) is row i of
// column j. The arithmetic is that of the textbook loops (each column's mean a sequential sum
// over rows, then the sum of squared deviations, and each pair's centred cross products summed
// in row order), so the result does not depend on how the loops are arranged. The pairs are
// accumulated a block of rows at a time (a rank-one update of the upper triangle per row), which
// vectorises and reads the data once.
template <typename Value>
std::vector<double> pearson(Value value, std::size_t n, std::size_t k) {
  std::vector<double> mean(k), norm(k);
  for (std::size_t j = 0; j < k; ++j) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += value(j, i);
    mean[j] = sum / static_cast<double>(n);
    double ss = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double d = value(j, i) - mean[j];
      ss += d * d;
    }
    norm[j] = std::sqrt(ss);
  }
  std::vector<double> acc(k * k, 0.0), block(kBlock * k);
  for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
    const std::size_t rows = std::min(kBlock, n - i0);
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t r = 0; r < rows; ++r) block[r * k + j] = value(j, i0 + r) - mean[j];
    }
    for (std::size_t r = 0; r < rows; ++r) {
      const double* x = &block[r * k];
      for (std::size_t a = 0; a + 1 < k; ++a) {
        const double xa = x[a];
        double* row = &acc[a * k];
        for (std::size_t b = a + 1; b < k; ++b) row[b] += xa * x[b];
      }
    }
  }
  std::vector<double> c(k * k, 1.0);
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a + 1; b < k; ++b) {
      c[a * k + b] = c[b * k + a] = acc[a * k + b] / (norm[a] * norm[b]);
    }
  }
  return c;
}

// Largest n for which spearman_of_permutations is exact: every partial sum of the textbook loop
// (sum over rows of (r_a - m)(r_b - m), quarter-integers of magnitude up to n^3 / 4) is then a
// double without rounding, so computing it in integers in any order gives the same bits.
constexpr std::size_t kExactSpearmanRows = 200'000;

// The Spearman (Pearson of ranks) matrix of k columns that are each a permutation of 0..n-1
// (column j at ranks + j * n), for n <= kExactSpearmanRows: the value pearson() computes, in
// exact integer arithmetic. With m = (n - 1) / 2, 4 sum (r_a - m)(r_b - m) = 4 sum r_a r_b -
// n (n - 1)^2, and the sum of squares is n (n^2 - 1) / 12, both exact as doubles here.
std::vector<double> spearman_of_permutations(const Rank* ranks, std::size_t n, std::size_t k) {
  std::vector<std::uint64_t> cross(k * k, 0);
  for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
    const std::size_t rows = std::min(kBlock, n - i0);
    for (std::size_t a = 0; a + 1 < k; ++a) {
      const Rank* ra = ranks + a * n + i0;
      for (std::size_t b = a + 1; b < k; ++b) {
        const Rank* rb = ranks + b * n + i0;
        std::uint64_t sum = 0;
        for (std::size_t i = 0; i < rows; ++i) {
          sum += static_cast<std::uint64_t>(ra[i]) * static_cast<std::uint64_t>(rb[i]);
        }
        cross[a * k + b] += sum;
      }
    }
  }
  const auto nn = static_cast<std::int64_t>(n);
  const double norm = std::sqrt(static_cast<double>(nn * (nn * nn - 1)) / 12.0);
  const std::int64_t offset = nn * (nn - 1) * (nn - 1);
  std::vector<double> c(k * k, 1.0);
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a + 1; b < k; ++b) {
      const std::int64_t quarter = 4 * static_cast<std::int64_t>(cross[a * k + b]) - offset;
      c[a * k + b] = c[b * k + a] = (static_cast<double>(quarter) / 4.0) / (norm * norm);
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
  std::vector<double> ranks(n * k);  // column-major
  std::vector<Rank> order;
  StableValueSort sorter;
  std::vector<double> column(n);
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t i = 0; i < n; ++i) column[i] = points[i * k + j];
    sorter.sort(column.data(), n, order);
    double* rank = &ranks[j * n];
    for (std::size_t r = 0; r < n;) {
      std::size_t e = r;
      while (e + 1 < n && column[order[e + 1]] == column[order[r]]) ++e;
      const double average = 0.5 * static_cast<double>(r + e);
      for (std::size_t m = r; m <= e; ++m) rank[order[m]] = average;
      r = e + 1;
    }
  }
  return pearson([&](std::size_t j, std::size_t i) { return ranks[j * n + i]; }, n, k);
}

RankCorrelationResult impose_rank_correlation(std::vector<double>& points, std::size_t k,
                                              const std::vector<double>& target, int version) {
  const std::size_t n = k == 0 ? 0 : points.size() / k;
  if (n > std::numeric_limits<Rank>::max()) {
    throw DesignError("rank_correlation: at most " +
                      std::to_string(std::numeric_limits<Rank>::max()) + " samples, got " +
                      std::to_string(n));
  }
  std::vector<Rank> ranks(n * k);
  StableValueSort sorter;
  std::vector<double> column(n);
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t i = 0; i < n; ++i) column[i] = points[i * k + j];
    sorter.ranks(column.data(), n, &ranks[j * n]);
  }
  return impose_rank_correlation(points, k, target, std::move(ranks), version);
}

RankCorrelationResult impose_rank_correlation(std::vector<double>& points, std::size_t k,
                                              const std::vector<double>& target,
                                              std::vector<Rank> initial, int version) {
  if (version != 1 && version != kImanConoverVersion) {
    throw DesignError("rank_correlation: this tmex builds versions 1 and " +
                      std::to_string(kImanConoverVersion) + " of the rearrangement, not " +
                      std::to_string(version));
  }
  validate_correlation_matrix(target, k);
  const std::size_t n = points.size() / k;
  if (n <= k) {
    throw DesignError("rank_correlation: needs more samples than parameters, got " +
                      std::to_string(n) + " samples for " + std::to_string(k) + " parameters");
  }
  if (n > std::numeric_limits<Rank>::max() || initial.size() != n * k) {
    throw DesignError("rank_correlation: " + std::to_string(initial.size()) + " ranks for " +
                      std::to_string(n) + " x " + std::to_string(k) + " points");
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
  std::vector<double> scores;
  if (normal_pass) {
    const boost::math::normal_distribution<double> standard;
    scores.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
      scores[r] =
          boost::math::quantile(standard, static_cast<double>(r + 1) / static_cast<double>(n + 1));
    }
  }

  // The arrangement as ranks, column-major (column j at j * n), and the transformed scores T.
  StableValueSort sorter;
  std::vector<Rank> rank = initial, next(n * k);
  std::vector<double> t(n * k);
  auto spearman_of = [&](const std::vector<Rank>& rk) {
    if (n <= kExactSpearmanRows) return spearman_of_permutations(rk.data(), n, k);
    return pearson([&](std::size_t j, std::size_t i) { return static_cast<double>(rk[j * n + i]); },
                   n, k);
  };

  RankCorrelationResult result;
  auto best = rank;
  // The Spearman matrix of the current arrangement. It is also the Pearson matrix of the
  // centred ranks that a rank pass starts from: with ranks 0..n-1 every sum involved is exact
  // (n (n - 1) / 2 < 2^53), so both have the same centred values and the same result.
  std::vector<double> spearman = spearman_of(rank);
  result.achieved = spearman;
  double best_error = max_abs_difference(spearman, target);
  // Version 1 has no tolerance; its fixed-point stop is exact (see below), so it is kept.
  const double tolerance = version == 1 ? -1.0 : 0.01 / std::sqrt(static_cast<double>(n));
  std::vector<double> f, m(k * k), y(k), block(kBlock * k);
  const double mid_rank = 0.5 * static_cast<double>(n - 1);
  for (int pass = 0; pass < kPasses && best_error > tolerance; ++pass) {
    // Pass 0: van der Waerden scores towards the normal-scores target. Later passes: centred
    // ranks towards the Spearman target itself (the Pearson correlation of ranks is Spearman's).
    const bool by_rank = pass > 0 || !normal_pass;
    const std::vector<double>& chol_target = by_rank ? p_ranks : p;
    auto score = [&](std::size_t j, std::size_t i) {
      const Rank r = rank[j * n + i];
      return by_rank ? static_cast<double>(r) - mid_rank : scores[r];
    };
    // The scores of a block of rows of every column (both branches hoisted out of the loop).
    auto fill_block = [&](std::size_t i0, std::size_t rows) {
      for (std::size_t q = 0; q < k; ++q) {
        const Rank* rq = &rank[q * n + i0];
        double* bq = &block[q * kBlock];
        if (by_rank) {
          for (std::size_t r = 0; r < rows; ++r) bq[r] = static_cast<double>(rq[r]) - mid_rank;
        } else {
          for (std::size_t r = 0; r < rows; ++r) bq[r] = scores[rq[r]];
        }
      }
    };
    if (!cholesky(by_rank ? spearman : pearson(score, n, k), k, f)) {
      break;  // degenerate scores: keep the best so far
    }
    // M = P F^-1 (lower triangular), T = S M^T: T's Pearson correlation is exactly P P^T.
    std::fill(m.begin(), m.end(), 0.0);
    for (std::size_t c = 0; c < k; ++c) {
      // Column c of F^-1 by forward substitution on F y = e_c.
      std::fill(y.begin(), y.end(), 0.0);
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
    // T[r] = sum over q <= r of m[r][q] S[q], each value summed in q order from 0; a block of
    // rows of S at a time.
    for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
      const std::size_t rows = std::min(kBlock, n - i0);
      fill_block(i0, rows);
      for (std::size_t r = 0; r < k; ++r) {
        double* tr = &t[r * n + i0];
        std::fill(tr, tr + rows, 0.0);
        for (std::size_t q = 0; q <= r; ++q) {
          const double mrq = m[r * k + q];
          const double* sq = &block[q * kBlock];
          for (std::size_t i = 0; i < rows; ++i) tr[i] += mrq * sq[i];
        }
      }
    }
    for (std::size_t j = 0; j < k; ++j) sorter.ranks(&t[j * n], n, &next[j * n]);
    // A rank pass is a function of the arrangement alone: once one leaves it unchanged, every
    // further pass would give it (and its error) again.
    const bool fixed_point = by_rank && next == rank;
    rank.swap(next);
    spearman = spearman_of(rank);
    ++result.passes;
    const double error = max_abs_difference(spearman, target);
    if (error < best_error) {
      best_error = error;
      best = rank;
      result.achieved = spearman;
    }
    if (fixed_point) break;
  }

  // Row i of column j gets the value of rank best[j][i] among the column's values, which the
  // starting ranks put in order.
  std::vector<double> sorted(n);
  for (std::size_t j = 0; j < k; ++j) {
    const Rank* start = &initial[j * n];
    for (std::size_t i = 0; i < n; ++i) sorted[start[i]] = points[i * k + j];
    for (std::size_t i = 0; i < n; ++i) points[i * k + j] = sorted[best[j * n + i]];
  }
  result.max_error = best_error;
  return result;
}

}  // namespace tmex::sampling
