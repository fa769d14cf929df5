// Analytic test functions with known sensitivity indices: ishigami, sobol_g and linear.
#pragma once

#include <memory>

#include "models/model.hpp"

namespace tmex::models {

/// Ishigami-Homma function f = sin x1 + a sin^2 x2 + b x3^4 sin x1 (Ishigami & Homma 1990),
/// x_i usually uniform on [-pi, pi]; parameters x1, x2, x3, a = 7, b = 0.1; output y.
std::unique_ptr<Model> make_ishigami(const ModelSpec& spec);

/// Sobol' g-function f = prod_i (|4 x_i - 2| + a_i) / (1 + a_i) (Saltelli & Sobol' 1995),
/// x_i uniform on [0, 1]; list setting `a` (default 0, 1, 4.5, 9, 99, 99, 99, 99) fixes the
/// dimension; parameters x1..xk; output y.
std::unique_ptr<Model> make_sobol_g(const ModelSpec& spec);

/// Linear model y = intercept + sum_i b_i x_i + noise_sd * e, e ~ N(0, 1) drawn from the
/// evaluation's own random stream; list setting `coefficients` (default 1, 2, 3) fixes the
/// dimension; parameters x1..xk, intercept, noise_sd; output y.
std::unique_ptr<Model> make_linear(const ModelSpec& spec);

}  // namespace tmex::models
