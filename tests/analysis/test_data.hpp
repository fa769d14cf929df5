// Data for the analysis tests: model outputs on Latin hypercube, quasi-random (Halton) and Saltelli
// points.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <vector>

#include "models/model.hpp"
#include "sampling/latin_hypercube.hpp"

namespace tmex::analysis::testing {

/// An n x k Latin hypercube on [0, 1)^k.
inline Eigen::MatrixXd lhs_unit(std::uint64_t n, std::size_t k, std::uint64_t seed) {
  sampling::LatinHypercube lhs(n, k, seed);
  Eigen::MatrixXd x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
  std::vector<double> u(k);
  for (std::uint64_t i = 0; i < n; ++i) {
    lhs.unit_point(i, u);
    for (std::size_t j = 0; j < k; ++j) {
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = u[j];
    }
  }
  return x;
}

/// Points 1..n of the Halton sequence in d <= 12 dimensions (Halton 1960): column j is the
/// radical inverse of the point number in the j-th prime base.
inline Eigen::MatrixXd halton(Eigen::Index n, Eigen::Index d) {
  constexpr int kPrimes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  Eigen::MatrixXd x(n, d);
  for (Eigen::Index j = 0; j < d; ++j) {
    const int base = kPrimes[j];
    for (Eigen::Index i = 0; i < n; ++i) {
      double scale = 1.0;
      double value = 0.0;
      for (Eigen::Index v = i + 1; v > 0; v /= base) {
        scale /= base;
        value += scale * static_cast<double>(v % base);
      }
      x(i, j) = value;
    }
  }
  return x;
}

/// The Saltelli design of matrices A and B (N x k each) in the project-wide layout: row
/// j (k + 2) + b is A_j for b = 0, A_j with column b - 1 from B_j for b = 1..k, B_j for k + 1.
inline Eigen::MatrixXd saltelli_points(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const Eigen::Index n = a.rows();
  const Eigen::Index k = a.cols();
  Eigen::MatrixXd x(n * (k + 2), k);
  for (Eigen::Index j = 0; j < n; ++j) {
    x.row(j * (k + 2)) = a.row(j);
    for (Eigen::Index i = 0; i < k; ++i) {
      x.row(j * (k + 2) + 1 + i) = a.row(j);
      x(j * (k + 2) + 1 + i, i) = b(j, i);
    }
    x.row(j * (k + 2) + k + 1) = b.row(j);
  }
  return x;
}

/// Evaluates `model` at every row of `x` (its first x.cols() parameters; the rest keep their
/// defaults), with a distinct random stream per row. Returns N x outputs.
inline Eigen::MatrixXd evaluate(const models::Model& model, const Eigen::MatrixXd& x) {
  const auto& info = model.info();
  std::vector<double> p;
  for (const auto& param : info.parameters) p.push_back(param.default_value);
  Eigen::MatrixXd y(x.rows(), static_cast<Eigen::Index>(info.outputs.size()));
  models::EvalResult result;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) p[static_cast<std::size_t>(j)] = x(i, j);
    models::EvalContext context;
    context.sample = static_cast<std::uint64_t>(i);
    context.stream_seed = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(i + 1);
    result = {};
    model.evaluate(p, context, result);
    for (Eigen::Index o = 0; o < y.cols(); ++o) {
      y(i, o) = result.outputs[static_cast<std::size_t>(o)];
    }
  }
  return y;
}

}  // namespace tmex::analysis::testing
