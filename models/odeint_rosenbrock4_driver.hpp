// A C++17-clean, type-erased handle on odeint's rosenbrock4 controller and dense output.
#pragma once

#include <cstddef>
#include <memory>

namespace tmex::models {

/// odeint's stock rosenbrock4 (with rosenbrock4_controller) behind a plain-array interface,
/// with one coefficient corrected: Boost 1.74 has d4 = +0.0362 where rodas.f has -0.0362, which
/// matters only for the explicit time derivative (odeint's own tableau loses order there).
/// Its source is compiled as C++17 because Boost 1.74's ublas calls std::allocator members that
/// C++20 removed; this header therefore uses nothing newer than C++17. Not thread-safe: one
/// driver per integration.
class OdeintRosenbrock4Driver {
 public:
  /// dx/dt at (t, x) (n values each); `context` is passed through.
  using Rhs = void (*)(double t, const double* x, double* dxdt, const void* context);
  /// The n x n Jacobian at (t, x), row-major, and the explicit time derivative df/dt.
  using Jacobian = void (*)(double t, const double* x, double* jac, double* dfdt,
                            const void* context);

  OdeintRosenbrock4Driver(std::size_t n, double atol, double rtol, Rhs rhs, Jacobian jacobian,
                          const void* context);
  ~OdeintRosenbrock4Driver();
  OdeintRosenbrock4Driver(const OdeintRosenbrock4Driver&) = delete;
  OdeintRosenbrock4Driver& operator=(const OdeintRosenbrock4Driver&) = delete;

  /// One controlled step attempt from (x, t) with step dt. On success returns true, advances
  /// x and t and keeps the step's dense output; dt becomes the next proposal either way.
  bool try_step(double* x, double& t, double& dt);
  /// The dense output of the last accepted step at t (within it).
  void state_at(double t, double* out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tmex::models
