// The emdr right-hand side (models/emdr.md "Equations") and its analytic Jacobian.
#include "models/emdr_system.hpp"

#include <algorithm>
#include <cmath>

namespace tmex::models {

namespace {
std::size_t idx(Agent a) { return static_cast<std::size_t>(a); }
// attach_rate is the homing rate of a free cell when this many niche sites are empty.
constexpr double kNicheSiteUnit = 1e8;  // cells
}  // namespace

EmdrSystem::EmdrSystem(const EmdrParameters& p, const EmdrControls& c, double cell_scale)
    : cell_scale_(cell_scale),
      rho_(c.growth_rate),
      delta_(c.death_ratio * c.growth_rate),
      mu_(c.mutation_rate),
      theta_a_(p.adhesion_arrest),
      prot_a_(1 - p.camdr_protection * (1 - p.camdr_nfkb_share * c.effects[idx(Agent::kNfkb)])),
      sigma_z_(p.stat3_protection),
      e_max_(p.max_kill_rate),
      k_c_(p.drug_clearance),
      ka_av_(p.attach_rate * p.adhesion_strength * (1 - c.effects[idx(Agent::kIntegrin)])),
      kd_av_(p.detach_rate / (1 + p.adhesion_strength * (1 - c.effects[idx(Agent::kIntegrin)]))),
      gain_chi_(p.sdf1_gain * p.cxcr4_expression),
      s0_(p.sdf1_level),
      vegf_s_(p.vegf_sdf1_gain * (1 - c.effects[idx(Agent::kVegf)])),
      barrier_(p.vegf_drug_barrier * (1 - c.effects[idx(Agent::kVegf)])),
      a_max_(p.niche_capacity / cell_scale),
      sites_(kNicheSiteUnit / cell_scale),
      nref_(p.reference_burden / cell_scale),
      g_per_scale_(cell_scale / p.carrying_capacity),
      c_r_(p.resistance_cost),
      eps_r_(p.resistant_sensitivity),
      pi_z_(p.stat3_proliferation),
      i0_(p.il6_basal),
      a_a_(p.il6_contact_induction),
      a_g_(p.tumour_il6_induction),
      a_p_(p.pge2_amplification),
      nf_(1 - c.effects[idx(Agent::kNfkb)]),
      k_l_(p.il6_rate),
      k_p_(p.pge2_rate),
      q_p_cox_(p.pge2_production * (1 - c.effects[idx(Agent::kCox2)])),
      k_z_(p.stat3_rate),
      k_zh_(p.stat3_half_saturation),
      le_gain_((1 - c.effects[idx(Agent::kIl6)]) * (1 + p.sil6r_potentiation)),
      x_decay_(c.antagonist_decays ? p.cxcr4_decay : 0.0),
      t_start_(c.start_time),
      c_start_(c.drug_at_start),
      x_start_(c.antagonist_at_start),
      extinct_(c.extinct) {}

double EmdrSystem::drug_at(double t) const {
  return c_start_ > 0 ? c_start_ * std::exp(-k_c_ * (t - t_start_)) : 0.0;
}

double EmdrSystem::antagonist_at(double t) const {
  if (!(x_start_ > 0)) return 0.0;
  return x_decay_ > 0 ? x_start_ * std::exp(-x_decay_ * (t - t_start_)) : x_start_;
}

void EmdrSystem::rhs(double t, const EmdrState& y, EmdrState& dydt) const {
  const double f = y[kF], a = y[kA], r = y[kR], il6 = y[kL], pge2 = y[kP], z = y[kZ];
  const double drug = drug_at(t), x = antagonist_at(t);
  const double ns = f + a + r;
  const double g = std::max(0.0, 1 - ns * g_per_scale_);
  const double v = ns / (ns + nref_);  // tumour-derived signal in [0, 1)
  const double s = s0_ * (1 + vegf_s_ * v);
  const double h = s / (s + 1);        // CXCR4 fraction bound by SDF-1
  const double blocked = x / (1 + x);  // fraction of CXCR4 signalling blocked by the antagonist
  const double c = gain_chi_ * h * (1 - blocked);
  const double k_on = ka_av_ * (1 - blocked);  // homing needs CXCR4 signalling
  const double k_off = kd_av_ / (1 + c);
  const double room = std::max(0.0, a_max_ - a) / sites_;  // empty niche sites per site unit
  const double flux = k_on * f * room - k_off * a;
  const double kappa = e_max_ * drug / (1 + drug) / (1 + barrier_ * v);
  const double phi = 1 - sigma_z_ * z;
  const double b_f = rho_ * (1 + pi_z_ * z) * g;
  const double b_a = (1 - theta_a_) * b_f;
  const double b_r = rho_ * (1 - c_r_) * g;
  const double births = b_f * f + b_a * a;
  dydt[kF] = (1 - mu_) * b_f * f - delta_ * f - kappa * phi * f - flux;
  dydt[kA] = (1 - mu_) * b_a * a - delta_ * a - kappa * prot_a_ * phi * a + flux;
  dydt[kR] = b_r * r - delta_ * r - eps_r_ * kappa * r + mu_ * births;
  const double drive = i0_ + a_a_ * a / a_max_ + a_g_ * v;
  dydt[kL] = k_l_ * (drive * (1 + a_p_ * pge2 / (1 + pge2)) * nf_ - il6);
  dydt[kP] = k_p_ * (q_p_cox_ * z * v - pge2);
  const double le = il6 * le_gain_;
  dydt[kZ] = k_z_ * (le / (le + k_zh_) - z);
  dydt[kM] = mu_ * births;
  dydt[kQ] = ns;
  if (extinct_) dydt[kF] = dydt[kA] = dydt[kR] = dydt[kM] = dydt[kQ] = 0;
}

void EmdrSystem::jacobian(double t, const EmdrState& y, EmdrJacobian& jac) const {
  const double f = y[kF], a = y[kA], r = y[kR], il6 = y[kL], pge2 = y[kP], z = y[kZ];
  const double drug = drug_at(t), x = antagonist_at(t);
  const double ns = f + a + r;
  const double g_raw = 1 - ns * g_per_scale_;
  const double g = std::max(0.0, g_raw);
  const double dg = g_raw > 0 ? -g_per_scale_ : 0.0;  // dg/dN_s
  const double v = ns / (ns + nref_);
  const double dv = nref_ / ((ns + nref_) * (ns + nref_));  // dv/dN_s
  const double s = s0_ * (1 + vegf_s_ * v);
  const double ds = s0_ * vegf_s_ * dv;
  const double h = s / (s + 1);
  const double dh_ds = 1 / ((s + 1) * (s + 1));
  const double open_x = 1 / (1 + x);  // 1 - blocked fraction
  const double c = gain_chi_ * h * open_x;
  const double dc_dn = gain_chi_ * dh_ds * ds * open_x;
  const double dc_dx = -gain_chi_ * h * open_x * open_x;
  const double k_on = ka_av_ * open_x;
  const double k_off = kd_av_ / (1 + c);
  const double room = std::max(0.0, a_max_ - a) / sites_;
  const double droom = a < a_max_ ? -1 / sites_ : 0.0;
  const double dflux_dc = kd_av_ / ((1 + c) * (1 + c)) * a;
  const double dflux_dn = dflux_dc * dc_dn;
  const double dflux_df = k_on * room + dflux_dn;
  const double dflux_da = k_on * f * droom - k_off + dflux_dn;
  const double dflux_dr = dflux_dn;
  const double dflux_dx = dflux_dc * dc_dx - ka_av_ * open_x * open_x * f * room;
  const double hill = drug / (1 + drug);
  const double open = 1 / (1 + barrier_ * v);
  const double kappa = e_max_ * hill * open;
  const double dkappa_dn = -e_max_ * hill * barrier_ * dv * open * open;
  const double dkappa_dc = e_max_ / ((1 + drug) * (1 + drug)) * open;
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
  const double kill_f = phi * f * dkappa_dn;            // d(kappa phi f)/dN_s through kappa
  const double kill_a = prot_a_ * phi * a * dkappa_dn;  // d(kappa prot phi a)/dN_s
  const double kill_r = eps_r_ * r * dkappa_dn;

  auto& jb = jac.block;
  for (auto& row : jb) std::fill(std::begin(row), std::end(row), 0.0);

  jb[kF][kF] = keep * (b_f + f * db_f) - delta_ - kappa * phi - kill_f - dflux_df;
  jb[kF][kA] = keep * f * db_f - kill_f - dflux_da;
  jb[kF][kR] = keep * f * db_f - kill_f - dflux_dr;
  jb[kF][kZ] = keep * f * db_f_dz + kappa * sigma_z_ * f;

  jb[kA][kF] = keep * a * db_a - kill_a + dflux_df;
  jb[kA][kA] = keep * (b_a + a * db_a) - delta_ - kappa * prot_a_ * phi - kill_a + dflux_da;
  jb[kA][kR] = keep * a * db_a - kill_a + dflux_dr;
  jb[kA][kZ] = keep * a * (1 - theta_a_) * db_f_dz + kappa * prot_a_ * sigma_z_ * a;

  jb[kR][kF] = r * db_r - kill_r + mu_ * dbirths_df;
  jb[kR][kA] = r * db_r - kill_r + mu_ * dbirths_da;
  jb[kR][kR] = b_r + r * db_r - delta_ - eps_r_ * kappa - kill_r + mu_ * dbirths_dr;
  jb[kR][kZ] = mu_ * dbirths_dz;

  const double drive = i0_ + a_a_ * a / a_max_ + a_g_ * v;
  const double amp = 1 + a_p_ * pge2 / (1 + pge2);
  const double l_base = k_l_ * amp * nf_;
  jb[kL][kF] = l_base * a_g_ * dv;
  jb[kL][kA] = l_base * (a_a_ / a_max_ + a_g_ * dv);
  jb[kL][kR] = l_base * a_g_ * dv;
  jb[kL][kL] = -k_l_;
  jb[kL][kP] = k_l_ * drive * nf_ * a_p_ / ((1 + pge2) * (1 + pge2));

  const double p_n = k_p_ * q_p_cox_ * z * dv;
  jb[kP][kF] = p_n;
  jb[kP][kA] = p_n;
  jb[kP][kR] = p_n;
  jb[kP][kP] = -k_p_;
  jb[kP][kZ] = k_p_ * q_p_cox_ * v;

  const double le = il6 * le_gain_;
  jb[kZ][kL] = k_z_ * k_zh_ * le_gain_ / ((le + k_zh_) * (le + k_zh_));
  jb[kZ][kZ] = -k_z_;

  // Explicit time dependence: dC/dt = -k_C C, dX/dt = -k_X X (0 when X is held constant).
  const double dkappa_dt = dkappa_dc * (-k_c_ * drug);
  const double dflux_dt = dflux_dx * (-x_decay_ * x);
  std::fill(std::begin(jac.dfdt), std::end(jac.dfdt), 0.0);
  jac.dfdt[kF] = -dkappa_dt * phi * f - dflux_dt;
  jac.dfdt[kA] = -dkappa_dt * prot_a_ * phi * a + dflux_dt;
  jac.dfdt[kR] = -eps_r_ * dkappa_dt * r;

  std::fill(std::begin(jac.m_row), std::end(jac.m_row), 0.0);
  jac.m_row[kF] = mu_ * dbirths_df;
  jac.m_row[kA] = mu_ * dbirths_da;
  jac.m_row[kR] = mu_ * dbirths_dr;
  jac.m_row[kZ] = mu_ * dbirths_dz;

  std::fill(std::begin(jac.q_row), std::end(jac.q_row), 0.0);
  jac.q_row[kF] = jac.q_row[kA] = jac.q_row[kR] = 1.0;

  if (extinct_) {
    // The cell rows and columns vanish, so the linear solves cannot leak rounding errors of the
    // cytokine rows into the (exactly zero) cell components.
    for (std::size_t i : {kF, kA, kR}) {
      for (std::size_t j = 0; j < kEmdrBlockSize; ++j) jb[i][j] = jb[j][i] = 0;
      jac.m_row[i] = jac.q_row[i] = jac.dfdt[i] = 0;
    }
    jac.m_row[kZ] = 0;
  }
}

}  // namespace tmex::models
