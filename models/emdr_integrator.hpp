// The interface between the emdr treatment driver and an ODE integrator for one segment.
#pragma once

#include <algorithm>
#include <cmath>
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
  /// Bounds lo <= scaled_burden_at(t) <= hi over the whole step (not necessarily tight), so that
  /// observers can skip sampling a step that cannot matter to them. Default: no bounds.
  virtual void burden_bounds(double& lo, double& hi) const {
    lo = -std::numeric_limits<double>::infinity();
    hi = std::numeric_limits<double>::infinity();
  }
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

/// Why an integration stopped before t1: the tumour went extinct (kExtinct: the burden fell
/// below IntegrationBudget::extinction_level; not a failure), the step size fell below
/// 1e-14 |t| (kStepCollapse, or kNonFinite when the state or its derivative stopped being
/// finite), the step budget ran out, or the deadline passed.
enum class IntegrationStatus { kOk, kExtinct, kStepCollapse, kNonFinite, kTooManySteps, kTimeout };

/// What carries over from one segment to the next within one evaluation.
struct IntegrationBudget {
  double next_step = 0;     ///< proposed step size, days; <= 0: estimate one
  bool restart = false;     ///< the right-hand side jumped (a bolus): re-estimate the step
  long steps = 0;           ///< attempted steps so far
  long max_steps = 200000;  ///< kTooManySteps beyond this
  double max_step = std::numeric_limits<double>::infinity();  ///< longest step, days
  const EvalContext* context = nullptr;  ///< polled for its deadline every 256 steps
  /// F + A + R (cell_scale units) below which the tumour is extinct; 0: no extinction event.
  double extinction_level = 0;
  /// Where the burden crossed extinction_level (set with kExtinct), days.
  double event_time = 0;
};

/// The first t in (step.t0(), step.t1()] at which the interpolated burden is below `level`
/// (located to about 1e-12 of the step by bisection between dense-output samples), or a
/// negative number when it stays at or above `level` on the step. Samples 8 points per step,
/// as the nadir search does.
inline double first_burden_below(const EmdrDenseStep& step, double level) {
  double lowest = 0, highest = 0;
  step.burden_bounds(lowest, highest);
  if (lowest >= level) return -1.0;
  constexpr int kSamples = 8;
  const double t0 = step.t0(), t1 = step.t1();
  double lo = t0;
  for (int i = 1; i <= kSamples; ++i) {
    const double ti = i == kSamples ? t1 : t0 + (t1 - t0) * i / kSamples;
    if (step.scaled_burden_at(ti) < level) {
      double hi = ti;
      for (int it = 0; it < 80 && hi - lo > 1e-13 * std::max(1.0, std::abs(hi)); ++it) {
        const double mid = 0.5 * (lo + hi);
        if (step.scaled_burden_at(mid) < level) {
          hi = mid;
        } else {
          lo = mid;
        }
      }
      return hi;
    }
    lo = ti;
  }
  return -1.0;
}

/// Integrates an EmdrSystem over one segment. Implementations are immutable and thread-safe.
class EmdrIntegrator {
 public:
  virtual ~EmdrIntegrator() = default;
  /// Advances y from t0 to t1 (> t0) under `system`, stopping exactly at t1, and reports each
  /// accepted step to `observer` (may be null). When budget.extinction_level > 0 and the burden
  /// falls below it, stops there: y is the interpolated state at budget.event_time, the last
  /// step reported ends there, and the result is kExtinct. Returns kOk or the reason it
  /// stopped; y then holds the last accepted state.
  virtual IntegrationStatus integrate(const EmdrSystem& system, const EmdrTolerances& tolerances,
                                      EmdrState& y, double t0, double t1,
                                      EmdrStepObserver* observer,
                                      IntegrationBudget& budget) const = 0;
};

}  // namespace tmex::models
