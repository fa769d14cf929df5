// Swap search of maximin_latin_hypercube.
#include "sampling/maximin_lhs.hpp"

#include <algorithm>
#include <limits>

#include "sampling/counter_hash.hpp"

namespace tmex::sampling {

namespace {

constexpr int kHalfP = 15;  // phi_p exponent p = 30, applied to squared distances

// (reference / d2)^(p/2), capped so that sums stay finite.
double phi_term(double d2, double reference) {
  double base = reference / d2;
  double result = 1.0;
  for (int e = kHalfP; e != 0; e >>= 1) {
    if (e & 1) result *= base;
    base *= base;
  }
  return std::min(result, 1e300);
}

// A counter-based stream of bounded integers.
class Draws {
 public:
  explicit Draws(std::uint64_t key) : key_(key) {}
  std::uint64_t below(std::uint64_t range) {
    counter_ += 0x9e3779b97f4a7c15ULL;
    return static_cast<std::uint64_t>(to_open_unit(mix64(key_ + counter_)) *
                                      static_cast<double>(range));
  }

 private:
  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

}  // namespace

std::uint64_t default_maximin_iterations(std::uint64_t n) {
  return std::max<std::uint64_t>(20000, 50 * n);
}

std::vector<double> maximin_latin_hypercube(std::uint64_t n, std::size_t k, std::uint64_t seed,
                                            LhsJitter jitter, std::uint64_t iterations) {
  if (n < 2) throw DesignError("lhs maximin: samples must be >= 2, got " + std::to_string(n));
  if (k == 0) throw DesignError("lhs maximin: dimension must be >= 1, got 0");
  if (iterations == 0) iterations = default_maximin_iterations(n);

  // Column-major working copy: the inner loops run over rows.
  const LatinHypercube start(n, k, seed, jitter);
  std::vector<double> x(n * k);
  {
    std::vector<double> u(k);
    for (std::uint64_t i = 0; i < n; ++i) {
      start.unit_point(i, u);
      for (std::size_t j = 0; j < k; ++j) x[j * n + i] = u[j];
    }
  }
  auto squared_distance = [&](std::uint64_t a, std::uint64_t b) {
    double d2 = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
      const double t = x[j * n + a] - x[j * n + b];
      d2 += t * t;
    }
    return d2;
  };

  double reference = std::numeric_limits<double>::infinity();
  for (std::uint64_t a = 0; a < n; ++a) {
    for (std::uint64_t b = a + 1; b < n; ++b)
      reference = std::min(reference, squared_distance(a, b));
  }
  // row_phi[m]: the phi_p terms of all pairs containing row m.
  std::vector<double> row_phi(n, 0.0);
  for (std::uint64_t a = 0; a < n; ++a) {
    for (std::uint64_t b = a + 1; b < n; ++b) {
      const double t = phi_term(squared_distance(a, b), reference);
      row_phi[a] += t;
      row_phi[b] += t;
    }
  }

  Draws draws(hash64(seed, 0x3a313141));
  std::vector<double> d1(n), d2(n), delta1(n), delta2(n);
  for (std::uint64_t it = 0; it < iterations; ++it) {
    std::uint64_t r1 =
        draws.below(4) == 0
            ? draws.below(n)
            : static_cast<std::uint64_t>(std::max_element(row_phi.begin(), row_phi.end()) -
                                         row_phi.begin());
    std::uint64_t r2 = draws.below(n - 1);
    if (r2 >= r1) ++r2;
    const std::size_t c = draws.below(k);

    std::fill(d1.begin(), d1.end(), 0.0);
    std::fill(d2.begin(), d2.end(), 0.0);
    for (std::size_t j = 0; j < k; ++j) {
      const double* col = &x[j * n];
      const double a = col[r1];
      const double b = col[r2];
      for (std::uint64_t m = 0; m < n; ++m) {
        const double ta = col[m] - a;
        const double tb = col[m] - b;
        d1[m] += ta * ta;
        d2[m] += tb * tb;
      }
    }
    // Swapping column c of r1 and r2 changes their distances to every other row m; the
    // distance between r1 and r2 themselves is unchanged.
    const double* col = &x[c * n];
    const double a = col[r1];
    const double b = col[r2];
    double change = 0.0;
    for (std::uint64_t m = 0; m < n; ++m) {
      if (m == r1 || m == r2) {
        delta1[m] = delta2[m] = 0.0;
        continue;
      }
      const double ta = col[m] - a;
      const double tb = col[m] - b;
      const double cross = tb * tb - ta * ta;
      delta1[m] = phi_term(d1[m] + cross, reference) - phi_term(d1[m], reference);
      delta2[m] = phi_term(d2[m] - cross, reference) - phi_term(d2[m], reference);
      change += delta1[m] + delta2[m];
    }
    if (change < 0.0) {
      std::swap(x[c * n + r1], x[c * n + r2]);
      for (std::uint64_t m = 0; m < n; ++m) {
        row_phi[m] += delta1[m] + delta2[m];
        row_phi[r1] += delta1[m];
        row_phi[r2] += delta2[m];
      }
    }
  }

  std::vector<double> points(n * k);
  for (std::uint64_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < k; ++j) points[i * k + j] = x[j * n + i];
  }
  return points;
}

}  // namespace tmex::sampling
