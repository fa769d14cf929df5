// The emdr right-hand side (MODEL.md "Equations") and its analytic Jacobian.
#include "models/emdr_system.hpp"

#include <algorithm>
#include <cmath>

namespace tmex::models {

namespace {
// e_X never exceeds this (MODEL.md: e_X = min(0.99, sum of pulses)).
constexpr double kMaxAntagonism = 0.99;
}  // namespace

EmdrSystem::EmdrSystem(const EmdrParameters& p, const EmdrControls& c, double cell_scale)
    : cell_scale_(cell_scale),
      rho_(c.growth_rate),
      delta_(c.death_ratio * c.growth_rate),
      mu_(c.mutation_rate),
      theta_a_(p.adhesion_arrest),
      sigma_a_(p.camdr_protection),
      sigma_z_(p.stat3_protection),
      e_max_(p.max_kill_rate),
      k_c_(p.drug_clearance),
      kon0_(p.attach_rate * p.adhesion_strength *
            (1 - c.effects[static_cast<std::size_t>(Agent::kIntegrin)])),
      k_d_(p.detach_rate),
      g_s_(p.sdf1_gain),
      a_max_(p.niche_capacity * p.carrying_capacity / cell_scale),
      chi_s0_(p.cxcr4_expression * p.sdf1_level * (1 - kMaxAntagonism)),
      chi_s0_free_(p.cxcr4_expression * p.sdf1_level),
      capped_(c.cxcr4_capped),
      vegf_(p.vegf_sdf1_gain * (1 - c.effects[static_cast<std::size_t>(Agent::kVegf)])),
      n_per_scale_(cell_scale / p.reference_burden),
      g_per_scale_(cell_scale / p.carrying_capacity),
      c_r_(p.resistance_cost),
      eps_r_(p.resistant_sensitivity),
      pi_z_(p.stat3_proliferation),
      i0_(p.il6_basal),
      a_a_(p.il6_contact_induction),
      a_g_(p.tumour_il6_induction),
      a_p_(p.pge2_amplification),
      nf_(1 - c.effects[static_cast<std::size_t>(Agent::kNfkb)]),
      k_l_(p.il6_rate),
      k_p_(p.pge2_rate),
      q_p_cox_(p.pge2_production * (1 - c.effects[static_cast<std::size_t>(Agent::kCox2)])),
      k_z_(p.stat3_rate),
      k_zh_(p.stat3_half_saturation),
      le_gain_((1 - c.effects[static_cast<std::size_t>(Agent::kIl6)]) * (1 + p.sil6r_potentiation)),
      x_decay_(p.cxcr4_decay),
      t_start_(c.start_time),
      c_start_(c.drug_at_start),
      x_start_(c.antagonist_at_start) {}

double EmdrSystem::drug_at(double t) const {
  return c_start_ > 0 ? c_start_ * std::exp(-k_c_ * (t - t_start_)) : 0.0;
}

double EmdrSystem::antagonist_at(double t) const {
  return x_start_ > 0 ? x_start_ * std::exp(-x_decay_ * (t - t_start_)) : 0.0;
}

void EmdrSystem::rhs(double t, const EmdrState& y, EmdrState& dydt) const {
  const double f = y[kF], a = y[kA], r = y[kR], il6 = y[kL], pge2 = y[kP], z = y[kZ];
  const double drug = drug_at(t), x = capped_ ? 0.0 : antagonist_at(t);
  const double ns = f + a + r;
  const double n = ns * n_per_scale_;
  const double g = std::max(0.0, 1 - ns * g_per_scale_);
  const double s_rel = 1 + vegf_ * n;
  const double s =
      capped_ ? chi_s0_ * s_rel : chi_s0_free_ * s_rel * (1 - std::min(kMaxAntagonism, x));
  const double h = s / (1 + s);
  const double gh = 1 + g_s_ * h;
  const double room = std::max(0.0, 1 - a / a_max_);
  const double flux = kon0_ * gh * f * room - k_d_ / gh * a;
  const double kappa = e_max_ * drug / (1 + drug);
  const double phi = 1 - sigma_z_ * z;
  const double b_f = rho_ * (1 + pi_z_ * z) * g;
  const double b_a = (1 - theta_a_) * b_f;
  const double b_r = rho_ * (1 - c_r_) * g;
  const double births = b_f * f + b_a * a;
  dydt[kF] = (1 - mu_) * b_f * f - delta_ * f - kappa * phi * f - flux;
  dydt[kA] = (1 - mu_) * b_a * a - delta_ * a - kappa * (1 - sigma_a_) * phi * a + flux;
  dydt[kR] = b_r * r - delta_ * r - eps_r_ * kappa * r + mu_ * births;
  const double drive = i0_ + a_a_ * a / a_max_ + a_g_ * n;
  dydt[kL] = k_l_ * (drive * (1 + a_p_ * pge2 / (1 + pge2)) * nf_ - il6);
  dydt[kP] = k_p_ * (q_p_cox_ * z * n - pge2);
  const double le = il6 * le_gain_;
  dydt[kZ] = k_z_ * (le / (le + k_zh_) - z);
  dydt[kM] = mu_ * births;
  dydt[kQ] = ns;
}

void EmdrSystem::jacobian(double t, const EmdrState& y, EmdrJacobian& jac) const {
  const double f = y[kF], a = y[kA], r = y[kR], il6 = y[kL], pge2 = y[kP], z = y[kZ];
  const double drug = drug_at(t), x = capped_ ? 0.0 : antagonist_at(t);
  const double ns = f + a + r;
  const double n = ns * n_per_scale_;
  const double cn = n_per_scale_;
  const double g_raw = 1 - ns * g_per_scale_;
  const double g = std::max(0.0, g_raw);
  const double dg = g_raw > 0 ? -g_per_scale_ : 0.0;  // dg/dN_s
  const double s_rel = 1 + vegf_ * n;
  const bool x_live = !capped_ && x < kMaxAntagonism;
  const double chi_s0 = capped_ ? chi_s0_ : chi_s0_free_ * (1 - std::min(kMaxAntagonism, x));
  const double s = chi_s0 * s_rel;
  const double ds_dn = chi_s0 * vegf_ * cn;
  const double ds_dx = x_live ? -chi_s0_free_ * s_rel : 0.0;
  const double h = s / (1 + s);
  const double dh_ds = 1 / ((1 + s) * (1 + s));
  const double gh = 1 + g_s_ * h;
  const double kon = kon0_ * gh;
  const double koff = k_d_ / gh;
  const double room = std::max(0.0, 1 - a / a_max_);
  const double droom = a < a_max_ ? -1 / a_max_ : 0.0;
  const double dflux_dh = kon0_ * g_s_ * f * room + k_d_ * g_s_ / (gh * gh) * a;
  const double dflux_dn = dflux_dh * dh_ds * ds_dn;
  const double dflux_df = kon * room + dflux_dn;
  const double dflux_da = kon * f * droom - koff + dflux_dn;
  const double dflux_dr = dflux_dn;
  const double dflux_dx = dflux_dh * dh_ds * ds_dx;
  const double kappa = e_max_ * drug / (1 + drug);
  const double dkappa = e_max_ / ((1 + drug) * (1 + drug));
  const double phi = 1 - sigma_z_ * z;
  const double b_f = rho_ * (1 + pi_z_ * z) * g;
  const double db_f = rho_ * (1 + pi_z_ * z) * dg;
  const double db_f_dz = rho_ * pi_z_ * g;
  const double b_a = (1 - theta_a_) * b_f;
  const double db_a = (1 - theta_a_) * db_f;
  const double b_r = rho_ * (1 - c_r_) * g;
  const double db_r = rho_ * (1 - c_r_) * dg;
  const double w = f + (1 - theta_a_) * a;  // births = b_f w
  const double dbirths_df = b_f + db_f * w;
  const double dbirths_da = b_f * (1 - theta_a_) + db_f * w;
  const double dbirths_dr = db_f * w;
  const double dbirths_dz = db_f_dz * w;
  const double keep = 1 - mu_;
  const double prot_a = 1 - sigma_a_;

  auto& jb = jac.block;
  for (auto& row : jb) std::fill(std::begin(row), std::end(row), 0.0);

  jb[kF][kF] = keep * (b_f + f * db_f) - delta_ - kappa * phi - dflux_df;
  jb[kF][kA] = keep * f * db_f - dflux_da;
  jb[kF][kR] = keep * f * db_f - dflux_dr;
  jb[kF][kZ] = keep * f * db_f_dz + kappa * sigma_z_ * f;

  jb[kA][kF] = keep * a * db_a + dflux_df;
  jb[kA][kA] = keep * (b_a + a * db_a) - delta_ - kappa * prot_a * phi + dflux_da;
  jb[kA][kR] = keep * a * db_a + dflux_dr;
  jb[kA][kZ] = keep * a * (1 - theta_a_) * db_f_dz + kappa * prot_a * sigma_z_ * a;

  jb[kR][kF] = r * db_r + mu_ * dbirths_df;
  jb[kR][kA] = r * db_r + mu_ * dbirths_da;
  jb[kR][kR] = b_r + r * db_r - delta_ - eps_r_ * kappa + mu_ * dbirths_dr;
  jb[kR][kZ] = mu_ * dbirths_dz;

  const double drive = i0_ + a_a_ * a / a_max_ + a_g_ * n;
  const double amp = 1 + a_p_ * pge2 / (1 + pge2);
  const double l_base = k_l_ * amp * nf_;
  jb[kL][kF] = l_base * a_g_ * cn;
  jb[kL][kA] = l_base * (a_a_ / a_max_ + a_g_ * cn);
  jb[kL][kR] = l_base * a_g_ * cn;
  jb[kL][kL] = -k_l_;
  jb[kL][kP] = k_l_ * drive * nf_ * a_p_ / ((1 + pge2) * (1 + pge2));

  const double p_n = k_p_ * q_p_cox_ * z * cn;
  jb[kP][kF] = p_n;
  jb[kP][kA] = p_n;
  jb[kP][kR] = p_n;
  jb[kP][kP] = -k_p_;
  jb[kP][kZ] = k_p_ * q_p_cox_ * n;

  const double le = il6 * le_gain_;
  jb[kZ][kL] = k_z_ * k_zh_ * le_gain_ / ((le + k_zh_) * (le + k_zh_));
  jb[kZ][kZ] = -k_z_;

  // Explicit time dependence: dC/dt = -k_C C, dX/dt = -cxcr4_decay X.
  const double dc_dt = -k_c_ * drug;
  const double dx_dt = -x_decay_ * x;
  std::fill(std::begin(jac.dfdt), std::end(jac.dfdt), 0.0);
  jac.dfdt[kF] = -dkappa * phi * f * dc_dt - dflux_dx * dx_dt;
  jac.dfdt[kA] = -dkappa * prot_a * phi * a * dc_dt + dflux_dx * dx_dt;
  jac.dfdt[kR] = -eps_r_ * dkappa * r * dc_dt;

  std::fill(std::begin(jac.m_row), std::end(jac.m_row), 0.0);
  jac.m_row[kF] = mu_ * dbirths_df;
  jac.m_row[kA] = mu_ * dbirths_da;
  jac.m_row[kR] = mu_ * dbirths_dr;
  jac.m_row[kZ] = mu_ * dbirths_dz;

  std::fill(std::begin(jac.q_row), std::end(jac.q_row), 0.0);
  jac.q_row[kF] = jac.q_row[kA] = jac.q_row[kR] = 1.0;
}

}  // namespace tmex::models
