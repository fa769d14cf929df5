// A tight-tolerance reference integrator for emdr built on odeint's stock rosenbrock4.
#pragma once

#include "models/emdr_integrator.hpp"

namespace tmex::models {

/// odeint's rosenbrock4 (d4 corrected, see OdeintRosenbrock4Driver) with its controller (RMS
/// error norm, one tolerance pair for all components) and its dense output, stopping exactly
/// at every segment end. It shares the
/// right-hand side and Jacobian with Rodas4Integrator but not the step control, linear algebra or
/// interpolation, so it checks those. The states it sees are O(1) (cells in units of N0), so one
/// tolerance pair serves; the per-component tolerances passed in are ignored. Slow (ublas,
/// allocations); for tests and benchmarks. Immutable and thread-safe.
class ReferenceIntegrator final : public EmdrIntegrator {
 public:
  /// Relative tolerance `rtol`; absolute tolerance 1e-3 rtol (scaled units).
  explicit ReferenceIntegrator(double rtol = 1e-10) : rtol_(rtol) {}

  IntegrationStatus integrate(const EmdrSystem& system, const EmdrTolerances& tolerances,
                              EmdrState& y, double t0, double t1, EmdrStepObserver* observer,
                              IntegrationBudget& budget) const override;

 private:
  double rtol_;
};

}  // namespace tmex::models
