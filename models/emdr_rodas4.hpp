// A fixed-size RODAS4 Rosenbrock integrator for the emdr system's block structure.
#pragma once

#include "models/emdr_integrator.hpp"

namespace tmex::models {

/// RODAS4 (Hairer & Wanner, Solving ODEs II, sect. IV.7; the tableau of rodas.f): a stiffly
/// accurate, L-stable Rosenbrock method of order 4 with an embedded order-3 error estimate and
/// a continuous order-3 interpolant. Each step factorises only the coupled 6 x 6 block of
/// (F, A, R, L, P, Z) by LU with partial pivoting; C and X (diagonal) are solved first and M
/// and Q (quadratures) last. Error control per component (max norm), step ratio in
/// [0.2, 6] with safety 0.9. Immutable and thread-safe; all work arrays live on the stack.
class Rodas4Integrator final : public EmdrIntegrator {
 public:
  IntegrationStatus integrate(const EmdrSystem& system, const EmdrTolerances& tolerances,
                              EmdrState& y, double t0, double t1, EmdrStepObserver* observer,
                              IntegrationBudget& budget) const override;
};

}  // namespace tmex::models
