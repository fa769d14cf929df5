// RODAS4 for the emdr system: block-structured linear solves, error control, dense output.
#include "models/emdr_rodas4.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace tmex::models {

namespace {

constexpr std::size_t kN = kEmdrStateSize;
constexpr std::size_t kB = kEmdrBlockSize;

// RODAS4 coefficients in the transformed form of rodas.f (Hairer & Wanner). kD4 is negative
// as in rodas.f; Boost 1.74's rosenbrock4 has +0.0362, which costs the method its order on
// non-autonomous problems (tests/models/emdr_rodas4_test.cpp measures the order).
constexpr double kGamma = 0.25;
constexpr double kAlpha2 = 0.386, kAlpha3 = 0.21, kAlpha4 = 0.63;
constexpr double kD1 = 0.25, kD2 = -0.1043, kD3 = 0.1035, kD4 = -0.0362;
constexpr double kA21 = 1.544;
constexpr double kA31 = 0.9466785280815826, kA32 = 0.2557011698983284;
constexpr double kA41 = 3.314825187068521, kA42 = 2.896124015972201, kA43 = 0.9986419139977817;
constexpr double kA51 = 1.221224509226641, kA52 = 6.019134481288629, kA53 = 12.53708332932087,
                 kA54 = -0.6878860361058950;
constexpr double kC21 = -5.6688;
constexpr double kC31 = -2.430093356833875, kC32 = -0.2063599157091915;
constexpr double kC41 = -0.1073529058151375, kC42 = -9.594562251023355, kC43 = -20.47028614809616;
constexpr double kC51 = 7.496443313967647, kC52 = -10.24680431464352, kC53 = -33.99990352819905,
                 kC54 = 11.70890893206160;
constexpr double kC61 = 8.083246795921522, kC62 = -7.981132988064893, kC63 = -31.52159432874371,
                 kC64 = 16.31930543123136, kC65 = -6.058818238834054;
constexpr double kE21 = 10.12623508344586, kE22 = -7.487995877610167, kE23 = -34.80091861555747,
                 kE24 = -7.992771707568823, kE25 = 1.025137723295662;
constexpr double kE31 = -0.6762803392801253, kE32 = 6.087714651680015, kE33 = 16.43084320892478,
                 kE34 = 24.76722511418386, kE35 = -6.594389125716872;

// Step-size control (as rodas.f): new step = h / clamp(err^(1/4) / 0.9, 1/6, 5).
constexpr double kSafety = 0.9;
constexpr double kMinRatio = 0.2;
constexpr double kMaxRatio = 6.0;
// The first attempt after a restart may be off by far more than that.
constexpr double kSliver = 1e-13;
constexpr double kRestartStep = 1e-2;  // days
constexpr double kFirstMinRatio = 1e-3;
constexpr double kFirstMaxRatio = 100.0;

// Factorisation of (1/(h gamma)) I - J in the block structure of EmdrJacobian.
class BlockSolver {
 public:
  /// False when the 6 x 6 block is singular.
  bool factor(const EmdrJacobian& jac, double h) {
    jac_ = &jac;
    inv_hg_ = 1 / (h * kGamma);
    for (std::size_t i = 0; i < kB; ++i) {
      for (std::size_t j = 0; j < kB; ++j) lu_[i][j] = -jac.block[i][j];
      lu_[i][i] += inv_hg_;
    }
    for (std::size_t k = 0; k < kB; ++k) {
      std::size_t p = k;
      for (std::size_t i = k + 1; i < kB; ++i) {
        if (std::abs(lu_[i][k]) > std::abs(lu_[p][k])) p = i;
      }
      if (!(std::abs(lu_[p][k]) > 0)) return false;
      pivot_[k] = p;
      if (p != k) std::swap(lu_[p], lu_[k]);
      const double inv = 1 / lu_[k][k];
      inv_diag_[k] = inv;
      for (std::size_t i = k + 1; i < kB; ++i) {
        const double l = lu_[i][k] * inv;
        lu_[i][k] = l;
        for (std::size_t j = k + 1; j < kB; ++j) lu_[i][j] -= l * lu_[k][j];
      }
    }
    return true;
  }

  /// Overwrites v (a right-hand side) with the solution.
  void solve(EmdrState& v) const {
    const EmdrJacobian& jac = *jac_;
    double b[kB];
    for (std::size_t k = 0; k < kB; ++k) b[k] = v[k];
    for (std::size_t k = 0; k < kB; ++k) {
      if (pivot_[k] != k) std::swap(b[k], b[pivot_[k]]);
    }
    for (std::size_t i = 1; i < kB; ++i) {
      for (std::size_t j = 0; j < i; ++j) b[i] -= lu_[i][j] * b[j];
    }
    for (std::size_t i = kB; i-- > 0;) {
      for (std::size_t j = i + 1; j < kB; ++j) b[i] -= lu_[i][j] * b[j];
      b[i] *= inv_diag_[i];
    }
    double m = v[kM], q = v[kQ];
    for (std::size_t i = 0; i < kB; ++i) {
      m += jac.m_row[i] * b[i];
      q += jac.q_row[i] * b[i];
      v[i] = b[i];
    }
    v[kM] = m / inv_hg_;
    v[kQ] = q / inv_hg_;
  }

 private:
  const EmdrJacobian* jac_ = nullptr;
  double inv_hg_ = 0;
  double lu_[kB][kB];
  double inv_diag_[kB];
  std::size_t pivot_[kB];
};

// The continuous extension y(s) = (1 - s) y0 + s (y1 + (1 - s)(k2 + s k3)), s in [0, 1] over
// the step [t0, t1]; the step reported may end earlier (at an extinction event).
class Rodas4DenseStep final : public EmdrDenseStep {
 public:
  double t0() const override { return t0_; }
  double t1() const override { return end_; }
  void state_at(double t, EmdrState& y) const override {
    const double s = fraction(t);
    const double s1 = 1 - s;
    for (std::size_t i = 0; i < kN; ++i) {
      y[i] = s1 * y0_[i] + s * (y1_[i] + s1 * (k2_[i] + s * k3_[i]));
    }
  }
  double scaled_burden_at(double t) const override {
    const double s = fraction(t);
    const double s1 = 1 - s;
    return s1 * n_[0] + s * (n_[1] + s1 * (n_[2] + s * n_[3]));
  }
  // n(s) = (1 - s) n0 + s n1 + s (1 - s) n2 + s^2 (1 - s) n3 with s (1 - s) in [0, 1/4] and
  // s^2 (1 - s) in [0, 4/27] on [0, 1].
  void burden_bounds(double& lo, double& hi) const override {
    constexpr double kQuad = 0.25, kCubic = 4.0 / 27.0;
    lo = std::min(n_[0], n_[1]) + kQuad * std::min(0.0, n_[2]) + kCubic * std::min(0.0, n_[3]);
    hi = std::max(n_[0], n_[1]) + kQuad * std::max(0.0, n_[2]) + kCubic * std::max(0.0, n_[3]);
  }

  double t0_ = 0, t1_ = 0, end_ = 0;
  EmdrState y0_{}, y1_{}, k2_{}, k3_{};
  double n_[4] = {0, 0, 0, 0};  // the same coefficients summed over F, A, R

  void sum_burden() {
    const EmdrState* parts[4] = {&y0_, &y1_, &k2_, &k3_};
    for (std::size_t j = 0; j < 4; ++j) n_[j] = (*parts[j])[kF] + (*parts[j])[kA] + (*parts[j])[kR];
  }

 private:
  double fraction(double t) const {
    const double h = t1_ - t0_;
    return h > 0 ? std::clamp((t - t0_) / h, 0.0, 1.0) : 1.0;
  }
};

bool all_finite(const EmdrState& v) {
  for (double x : v) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

}  // namespace

IntegrationStatus Rodas4Integrator::integrate(const EmdrSystem& system, const EmdrTolerances& tol,
                                              EmdrState& y, double t0, double t1,
                                              EmdrStepObserver* observer,
                                              IntegrationBudget& budget) const {
  if (!(t1 > t0)) return IntegrationStatus::kOk;

  // After a jump in the right-hand side (a bolus, a pulse, the start) the carried step may be
  // far too long: try at most kRestartStep and let the first attempt shrink or grow it widely.
  double h = budget.next_step;
  bool first = false;
  if (!(h > 0) || budget.restart) {
    h = h > 0 ? std::min(h, kRestartStep) : kRestartStep;
    first = true;
    budget.restart = false;
  }

  EmdrState f0{}, u1{}, u2{}, u3{}, u4{}, u5{}, u6{}, arg{}, fk{};
  EmdrJacobian jac;
  system.rhs(t0, y, f0);
  if (!all_finite(y) || !all_finite(f0)) return IntegrationStatus::kNonFinite;
  system.jacobian(t0, y, jac);
  BlockSolver solver;
  Rodas4DenseStep dense;
  bool last_rejected = false;
  bool non_finite = false;  // the last attempt produced NaN or infinity
  double t = t0;

  while (t < t1) {
    // A sliver left by nearly coinciding breakpoints changes nothing at double precision.
    if (t1 - t <= kSliver * std::max(1.0, std::abs(t1))) break;
    if (++budget.steps > budget.max_steps) return IntegrationStatus::kTooManySteps;
    if ((budget.steps & 255) == 0 && budget.context && budget.context->past_deadline()) {
      return IntegrationStatus::kTimeout;
    }
    h = std::min(h, budget.max_step);
    const double remaining = t1 - t;
    const double h_natural = h;
    const bool last = h >= remaining * (1 - 1e-12);
    if (last) h = remaining;
    if (!(h > 1e-14 * std::max(1.0, std::abs(t)))) {
      return non_finite ? IntegrationStatus::kNonFinite : IntegrationStatus::kStepCollapse;
    }

    double err = std::numeric_limits<double>::quiet_NaN();
    if (solver.factor(jac, h)) {
      const double inv_h = 1 / h;
      const auto with_dfdt = [&](EmdrState& u, double d) {
        for (std::size_t i = 0; i < kB; ++i) u[i] += h * d * jac.dfdt[i];
      };
      u1 = f0;
      with_dfdt(u1, kD1);
      solver.solve(u1);

      for (std::size_t i = 0; i < kN; ++i) arg[i] = y[i] + kA21 * u1[i];
      system.rhs(t + kAlpha2 * h, arg, fk);
      for (std::size_t i = 0; i < kN; ++i) u2[i] = fk[i] + kC21 * inv_h * u1[i];
      with_dfdt(u2, kD2);
      solver.solve(u2);

      for (std::size_t i = 0; i < kN; ++i) arg[i] = y[i] + kA31 * u1[i] + kA32 * u2[i];
      system.rhs(t + kAlpha3 * h, arg, fk);
      for (std::size_t i = 0; i < kN; ++i) u3[i] = fk[i] + inv_h * (kC31 * u1[i] + kC32 * u2[i]);
      with_dfdt(u3, kD3);
      solver.solve(u3);

      for (std::size_t i = 0; i < kN; ++i) {
        arg[i] = y[i] + kA41 * u1[i] + kA42 * u2[i] + kA43 * u3[i];
      }
      system.rhs(t + kAlpha4 * h, arg, fk);
      for (std::size_t i = 0; i < kN; ++i) {
        u4[i] = fk[i] + inv_h * (kC41 * u1[i] + kC42 * u2[i] + kC43 * u3[i]);
      }
      with_dfdt(u4, kD4);
      solver.solve(u4);

      for (std::size_t i = 0; i < kN; ++i) {
        arg[i] = y[i] + kA51 * u1[i] + kA52 * u2[i] + kA53 * u3[i] + kA54 * u4[i];
      }
      system.rhs(t + h, arg, fk);
      for (std::size_t i = 0; i < kN; ++i) {
        u5[i] = fk[i] + inv_h * (kC51 * u1[i] + kC52 * u2[i] + kC53 * u3[i] + kC54 * u4[i]);
      }
      solver.solve(u5);

      for (std::size_t i = 0; i < kN; ++i) arg[i] += u5[i];
      system.rhs(t + h, arg, fk);
      for (std::size_t i = 0; i < kN; ++i) {
        u6[i] = fk[i] +
                inv_h * (kC61 * u1[i] + kC62 * u2[i] + kC63 * u3[i] + kC64 * u4[i] + kC65 * u5[i]);
      }
      solver.solve(u6);

      err = 0;
      for (std::size_t i = 0; i < kN; ++i) {
        dense.y1_[i] = arg[i] + u6[i];
        const double scale =
            tol.atol[i] + tol.rtol * std::max(std::abs(y[i]), std::abs(dense.y1_[i]));
        err = std::max(err, std::abs(u6[i]) / scale);
      }
      if (!all_finite(dense.y1_)) err = std::numeric_limits<double>::quiet_NaN();
    }

    const double min_ratio = first ? kFirstMinRatio : kMinRatio;
    non_finite = !std::isfinite(err);
    if (!(err <= 1)) {
      const double ratio =
          std::isfinite(err) ? std::max(min_ratio, kSafety / std::sqrt(std::sqrt(err))) : kMinRatio;
      h *= std::min(ratio, 1.0);
      last_rejected = true;
      continue;
    }

    dense.t0_ = t;
    dense.t1_ = dense.end_ = last ? t1 : t + h;
    const double level = budget.extinction_level;
    if (observer || level > 0) {
      dense.y0_ = y;
      for (std::size_t i = 0; i < kN; ++i) {
        dense.k2_[i] = kE21 * u1[i] + kE22 * u2[i] + kE23 * u3[i] + kE24 * u4[i] + kE25 * u5[i];
        dense.k3_[i] = kE31 * u1[i] + kE32 * u2[i] + kE33 * u3[i] + kE34 * u4[i] + kE35 * u5[i];
      }
      dense.sum_burden();
    }
    if (level > 0) {
      const double t_event = first_burden_below(dense, level);
      if (t_event >= 0) {
        dense.end_ = t_event;
        if (observer) observer->on_step(dense);
        dense.state_at(t_event, y);
        budget.event_time = t_event;
        budget.next_step = h;
        return IntegrationStatus::kExtinct;
      }
    }
    if (observer) observer->on_step(dense);
    y = dense.y1_;
    t = dense.t1_;

    const double max_ratio = first ? kFirstMaxRatio : kMaxRatio;
    double ratio = err > 0 ? kSafety / std::sqrt(std::sqrt(err)) : max_ratio;
    ratio = std::clamp(ratio, kMinRatio, max_ratio);
    if (last_rejected) ratio = std::min(ratio, 1.0);
    last_rejected = false;
    first = false;
    // A step cut short by the segment end says little about the step the solution allows.
    h = last ? std::max(h * ratio, std::min(h_natural, h * max_ratio)) : h * ratio;
    budget.next_step = h;
    if (t < t1) {
      system.rhs(t, y, f0);
      if (!all_finite(f0)) return IntegrationStatus::kNonFinite;
      system.jacobian(t, y, jac);
    }
  }
  return IntegrationStatus::kOk;
}

}  // namespace tmex::models
