// The odeint rosenbrock4 reference integrator for emdr.
#include "models/emdr_reference.hpp"

#include <algorithm>
#include <cmath>

#include "models/odeint_rosenbrock4_driver.hpp"

namespace tmex::models {

namespace {

void system_rhs(double t, const double* x, double* dxdt, const void* context) {
  EmdrState y, dy;
  std::copy(x, x + kEmdrStateSize, y.begin());
  static_cast<const EmdrSystem*>(context)->rhs(t, y, dy);
  std::copy(dy.begin(), dy.end(), dxdt);
}

// The full Jacobian assembled from the block form.
void system_jacobian(double t, const double* x, double* jac, double* dfdt, const void* context) {
  EmdrState y;
  std::copy(x, x + kEmdrStateSize, y.begin());
  EmdrJacobian j;
  static_cast<const EmdrSystem*>(context)->jacobian(t, y, j);
  constexpr std::size_t n = kEmdrStateSize;
  std::fill(jac, jac + n * n, 0.0);
  std::fill(dfdt, dfdt + n, 0.0);
  for (std::size_t r = 0; r < kEmdrBlockSize; ++r) {
    for (std::size_t c = 0; c < kEmdrBlockSize; ++c) jac[r * n + c] = j.block[r][c];
    jac[kM * n + r] = j.m_row[r];
    jac[kQ * n + r] = j.q_row[r];
    dfdt[r] = j.dfdt[r];
  }
}

class ReferenceDenseStep final : public EmdrDenseStep {
 public:
  ReferenceDenseStep(const OdeintRosenbrock4Driver& driver, double t_old, double t_new)
      : driver_(driver), t_old_(t_old), t_new_(t_new) {}
  double t0() const override { return t_old_; }
  double t1() const override { return t_new_; }
  void state_at(double t, EmdrState& y) const override {
    driver_.state_at(std::clamp(t, t_old_, t_new_), y.data());
  }
  double scaled_burden_at(double t) const override {
    EmdrState y;
    state_at(t, y);
    return y[kF] + y[kA] + y[kR];
  }

 private:
  const OdeintRosenbrock4Driver& driver_;
  double t_old_, t_new_;
};

}  // namespace

IntegrationStatus ReferenceIntegrator::integrate(const EmdrSystem& system,
                                                 const EmdrTolerances& /*tolerances*/, EmdrState& y,
                                                 double t0, double t1, EmdrStepObserver* observer,
                                                 IntegrationBudget& budget) const {
  if (!(t1 > t0)) return IntegrationStatus::kOk;
  OdeintRosenbrock4Driver driver(kEmdrStateSize, 1e-3 * rtol_, rtol_, system_rhs, system_jacobian,
                                 &system);
  double dt = budget.next_step > 0 && !budget.restart ? budget.next_step : 1e-4;
  budget.restart = false;
  double t = t0;
  while (t < t1) {
    // A sliver left by nearly coinciding breakpoints changes nothing at double precision.
    if (t1 - t <= 1e-13 * std::max(1.0, std::abs(t1))) break;
    if (++budget.steps > budget.max_steps) return IntegrationStatus::kTooManySteps;
    if ((budget.steps & 255) == 0 && budget.context && budget.context->past_deadline()) {
      return IntegrationStatus::kTimeout;
    }
    dt = std::min(dt, budget.max_step);
    const bool last = dt >= (t1 - t) * (1 - 1e-12);
    if (last) dt = t1 - t;
    if (!(dt > 1e-14 * std::max(1.0, std::abs(t)))) return IntegrationStatus::kStepCollapse;
    const double t_old = t;
    EmdrState trial = y;
    if (!driver.try_step(trial.data(), t, dt)) continue;
    for (double v : trial) {
      if (!std::isfinite(v)) return IntegrationStatus::kNonFinite;
    }
    if (last) t = t1;
    if (budget.extinction_level > 0) {
      const ReferenceDenseStep probe(driver, t_old, t);
      const double t_event = first_burden_below(probe, budget.extinction_level);
      if (t_event >= 0) {
        const ReferenceDenseStep dense(driver, t_old, t_event);
        if (observer) observer->on_step(dense);
        dense.state_at(t_event, y);
        budget.event_time = t_event;
        budget.next_step = dt;
        return IntegrationStatus::kExtinct;
      }
    }
    y = trial;
    if (observer) {
      ReferenceDenseStep dense(driver, t_old, t);
      observer->on_step(dense);
    }
    budget.next_step = dt;
  }
  return IntegrationStatus::kOk;
}

}  // namespace tmex::models
