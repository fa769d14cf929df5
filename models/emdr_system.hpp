// The emdr right-hand side and its analytic Jacobian, in block form, for one treatment segment.
#pragma once

#include <array>
#include <cstddef>

#include "models/emdr_parameters.hpp"

namespace tmex::models {

/// Integrated state components. Cell-valued ones (F, A, R, M, Q) are in units of
/// EmdrSystem::cell_scale() cells (cell-days for Q) so that every component is O(1). The drug C
/// and the CXCR4 antagonist X are not integrated: within a segment both are exponentials (or
/// constants) known in closed form, so the system is non-autonomous through them.
enum EmdrComponent : std::size_t { kF = 0, kA, kR, kL, kP, kZ, kM, kQ };
inline constexpr std::size_t kEmdrStateSize = 8;
/// F, A, R, L, P, Z are coupled; M and Q are quadratures that feed nothing back.
inline constexpr std::size_t kEmdrBlockSize = 6;

using EmdrState = std::array<double, kEmdrStateSize>;

/// What holds on one segment between breakpoints: the burn-in switches off growth, death and
/// mutation; agent effects are 0 outside their schedule; C(t) = drug_at_start
/// exp(-k_C (t - start_time)); X(t) = antagonist_at_start exp(-k_X (t - start_time)) when the
/// antagonist decays (pulses), antagonist_at_start when it is held constant.
struct EmdrControls {
  double growth_rate = 0;                     ///< rho, 1/day
  double death_ratio = 0;                     ///< d = delta/rho
  double mutation_rate = 0;                   ///< mu
  std::array<double, kAgentCount> effects{};  ///< e_I, e_6, e_COX, e_V, e_NF in force
  double start_time = 0;                      ///< day
  double drug_at_start = 0;                   ///< C, EC50 units
  double antagonist_at_start = 0;             ///< X, units of the antagonist's K_i
  bool antagonist_decays = true;              ///< false: X is constant on the segment
  /// The tumour is extinct: F, A, R (zero) are held at exactly zero and M, Q stop; only the
  /// stromal cytokines evolve.
  bool extinct = false;
};

/// The Jacobian of the right-hand side in the structure that the linear solves exploit:
/// d(block)/d(block), d(dM/dt)/d(block), d(dQ/dt)/d(block) (every other entry of df/dy is 0),
/// and the explicit time derivative of the block's right-hand side through C(t) and X(t)
/// (M's and Q's right-hand sides do not depend on t explicitly).
struct EmdrJacobian {
  double block[kEmdrBlockSize][kEmdrBlockSize];
  double m_row[kEmdrBlockSize];
  double q_row[kEmdrBlockSize];
  double dfdt[kEmdrBlockSize];
};

/// The ODE system of models/emdr.md on one segment. Immutable after construction; thread-safe.
class EmdrSystem {
 public:
  /// `cell_scale` (cells) is the unit of the cell-valued components, normally N0.
  EmdrSystem(const EmdrParameters& parameters, const EmdrControls& controls, double cell_scale);

  /// dy/dt at (t, y).
  void rhs(double t, const EmdrState& y, EmdrState& dydt) const;
  /// Analytic Jacobian and explicit time derivative at (t, y).
  void jacobian(double t, const EmdrState& y, EmdrJacobian& jac) const;
  /// The same right-hand side as an odeint System (sys(x, dxdt, t)).
  void operator()(const EmdrState& y, EmdrState& dydt, double t) const { rhs(t, y, dydt); }

  /// The drug concentration C(t) (EC50 units) and the antagonist X(t) (K_i units) of this
  /// segment.
  double drug_at(double t) const;
  double antagonist_at(double t) const;

  /// Tumour burden N = F + A + R of a state, in cells.
  double burden(const EmdrState& y) const { return cell_scale_ * (y[kF] + y[kA] + y[kR]); }
  double cell_scale() const { return cell_scale_; }

 private:
  // Parameters folded for the segment; names follow emdr.md's symbols.
  double cell_scale_;
  double rho_, delta_, mu_, theta_a_, prot_a_, sigma_z_, e_max_, k_c_;
  double ka_av_;        // k_a alpha (1 - e_I), 1/day
  double kd_av_;        // k_d / (1 + alpha (1 - e_I)), 1/day
  double gain_chi_;     // g_S chi
  double s0_, vegf_s_;  // S0; v (1 - e_V)
  double barrier_;      // b_V (1 - e_V)
  double a_max_;        // A_max in cell_scale units
  double sites_;        // the niche-site unit of attach_rate (1e8 cells) in cell_scale units
  double nref_;         // N_ref in cell_scale units
  double g_per_scale_;  // cell_scale / K
  double c_r_, eps_r_, pi_z_;
  double i0_, a_a_, a_g_, a_p_, nf_;  // nf_ = 1 - e_NF
  double k_l_, k_p_, q_p_cox_;        // q_P (1 - e_COX)
  double k_z_, k_zh_, le_gain_;       // le_gain = (1 - e_6)(1 + r_s)
  double x_decay_;                    // k_X, or 0 when X is constant
  double t_start_, c_start_, x_start_;
  bool extinct_;
};

}  // namespace tmex::models
