// The interface between the emdr treatment driver and an ODE integrator for one segment.
#pragma once

#include <limits>

#include "models/emdr_system.hpp"
#include "models/model.hpp"

namespace tmex::models {

/// Dense output of one accepted step [t0, t1]. Valid only during the observer call.
class EmdrDenseStep {
 public:
  virtual ~EmdrDenseStep() = default;
  virtual double t0() const = 0;
  virtual double t1() const = 0;
  /// The interpolated state at t in [t0, t1].
  virtual void state_at(double t, EmdrState& y) const = 0;
  /// The interpolated F + A + R at t in [t0, t1], in cell_scale units.
  virtual double scaled_burden_at(double t) const = 0;
};

/// Receives every accepted step, in time order.
class EmdrStepObserver {
 public:
  virtual ~EmdrStepObserver() = default;
  virtual void on_step(const EmdrDenseStep& step) = 0;
};

/// Per-component error tolerances: a step is accepted when
/// |err_i| <= atol_i + rtol * max(|y_i(t)|, |y_i(t + h)|) for every component.
struct EmdrTolerances {
  double rtol = 3e-5;
  EmdrState atol{};
};

/// Why an integration stopped early: the step size fell below 1e-14 |t| (kStepCollapse, or
/// kNonFinite when the state or its derivative stopped being finite), the step budget ran
/// out, or the deadline passed.
enum class IntegrationStatus { kOk, kStepCollapse, kNonFinite, kTooManySteps, kTimeout };

/// What carries over from one segment to the next within one evaluation.
struct IntegrationBudget {
  double next_step = 0;     ///< proposed step size, days; <= 0: estimate one
  bool restart = false;     ///< the right-hand side jumped (a bolus): re-estimate the step
  long steps = 0;           ///< attempted steps so far
  long max_steps = 200000;  ///< kTooManySteps beyond this
  double max_step = std::numeric_limits<double>::infinity();  ///< longest step, days
  const EvalContext* context = nullptr;  ///< polled for its deadline every 256 steps
};

/// Integrates an EmdrSystem over one segment. Implementations are immutable and thread-safe.
class EmdrIntegrator {
 public:
  virtual ~EmdrIntegrator() = default;
  /// Advances y from t0 to t1 (> t0) under `system`, stopping exactly at t1, and reports each
  /// accepted step to `observer` (may be null). Returns kOk or the reason it stopped; y then
  /// holds the last accepted state.
  virtual IntegrationStatus integrate(const EmdrSystem& system, const EmdrTolerances& tolerances,
                                      EmdrState& y, double t0, double t1,
                                      EmdrStepObserver* observer,
                                      IntegrationBudget& budget) const = 0;
};

}  // namespace tmex::models
