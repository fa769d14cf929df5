// The emdr parameter table (names, defaults, units, sources, domains) and its reader.
#include "models/emdr_parameters.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "text/number_text.hpp"

namespace tmex::models {

namespace {

enum class Domain {
  kNonNegative,     // [0, inf)
  kPositive,        // (0, inf)
  kFraction,        // [0, 1]
  kOpenFraction,    // [0, 1)
  kCount,           // 0, 1, 2, ...
  kAtLeastOneCell,  // [1, inf)
};

struct ParameterRow {
  const char* name;
  double EmdrParameters::*field;
  double default_value;
  Domain domain;
  const char* unit;
  const char* description;
};

using P = EmdrParameters;

// models/emdr.md's table: order, names and defaults must match it (the sampleable ones first).
const ParameterRow kRows[] = {
    {"growth_rate", &P::growth_rate, 0.10, Domain::kNonNegative, "1/day",
     "rho: maximal division rate of sensitive cells"},
    {"death_ratio", &P::death_ratio, 0.5, Domain::kOpenFraction, "1",
     "d: death-to-division ratio (cell loss factor; Steel 1977)"},
    {"adhesion_arrest", &P::adhesion_arrest, 0.5, Domain::kFraction, "1",
     "theta_A: proliferation arrest of adhered cells (p27, kinase inhibition; Damiano 1999)"},
    {"adhesion_strength", &P::adhesion_strength, 1.0, Domain::kNonNegative, "1",
     "alpha: integrin beta1 (VLA-4) adhesion avidity (Damiano 1999)"},
    {"niche_capacity", &P::niche_capacity, 1e8, Domain::kPositive, "cells",
     "A_max: protective niche sites (stroma, matrix) in the bone marrow"},
    {"cxcr4_expression", &P::cxcr4_expression, 1.0, Domain::kNonNegative, "1",
     "chi: CXCR4 receptors per tumour cell, relative to baseline"},
    {"sdf1_level", &P::sdf1_level, 0.4, Domain::kNonNegative, "K_D",
     "S0: basal stromal SDF-1 (CXCL12), in units of its CXCR4 dissociation constant"},
    {"camdr_protection", &P::camdr_protection, 0.8, Domain::kFraction, "1",
     "sigma_A: kill reduction of adhered cells, CAM-DR (Damiano 1999)"},
    {"stat3_protection", &P::stat3_protection, 0.6, Domain::kFraction, "1",
     "sigma_Z: maximal kill reduction by the STAT3 survival programme (Ara 2009)"},
    {"max_kill_rate", &P::max_kill_rate, 7.0, Domain::kNonNegative, "1/day",
     "E_max: maximal chemotherapy kill rate"},
    {"dose", &P::dose, 10.0, Domain::kNonNegative, "EC50", "C0: bolus size"},
    {"drug_clearance", &P::drug_clearance, 3.0, Domain::kNonNegative, "1/day",
     "k_C: drug elimination rate (half-life ln 2 / k_C)"},
    {"il6_contact_induction", &P::il6_contact_induction, 3.0, Domain::kNonNegative, "IL-6",
     "a_A: stromal IL-6 induced by a full niche of adhered cells (contact; Ara 2009)"},
    {"pge2_amplification", &P::pge2_amplification, 3.0, Domain::kNonNegative, "1",
     "a_P: maximal PGE2 amplification of stromal IL-6 (Ara 2009)"},
    {"sil6r_potentiation", &P::sil6r_potentiation, 0.5, Domain::kNonNegative, "1",
     "r_s: potentiation of IL-6 by soluble IL-6 receptor (Ara 2013)"},
    {"il6_basal", &P::il6_basal, 1.0, Domain::kNonNegative, "IL-6",
     "I_0: basal stromal IL-6 production (the IL-6 unit is its default)"},
    {"mutation_rate", &P::mutation_rate, 3e-8, Domain::kFraction, "1/division",
     "mu: resistance mutations per division (Goldie & Coldman 1979; Iwasa et al. 2006)"},
    {"resistance_cost", &P::resistance_cost, 0.1, Domain::kOpenFraction, "1",
     "c_R: fitness cost of resistance"},
    {"resistant_sensitivity", &P::resistant_sensitivity, 0.05, Domain::kFraction, "1",
     "eps_R: residual drug sensitivity of resistant cells"},
    {"attach_rate", &P::attach_rate, 2.0, Domain::kNonNegative, "1/day",
     "k_a: homing rate of a free cell to an empty niche at unit avidity"},
    {"detach_rate", &P::detach_rate, 24.0, Domain::kNonNegative, "1/day",
     "k_d: detachment rate without integrin bonds or CXCR4 retention"},
    {"sdf1_gain", &P::sdf1_gain, 30.0, Domain::kNonNegative, "1",
     "g_S: retention and integrin activation per unit of CXCR4 signal"},
    {"carrying_capacity", &P::carrying_capacity, 1e12, Domain::kPositive, "cells",
     "K: carrying capacity (about 1 kg of tumour)"},
    {"initial_burden", &P::initial_burden, 1e10, Domain::kAtLeastOneCell, "cells",
     "N0: tumour burden at diagnosis (start of the burn-in)"},
    {"reference_burden", &P::reference_burden, 1e10, Domain::kPositive, "cells",
     "N_ref: burden at which tumour-derived signals are half-maximal"},
    {"detection_limit", &P::detection_limit, 1e9, Domain::kPositive, "cells",
     "N_det: smallest clinically detectable burden; relapse is a return to it"},
    {"vegf_sdf1_gain", &P::vegf_sdf1_gain, 0.5, Domain::kNonNegative, "1",
     "v: rise of stromal SDF-1 with tumour VEGF"},
    {"vegf_drug_barrier", &P::vegf_drug_barrier, 0.5, Domain::kNonNegative, "1",
     "b_V: loss of drug delivery through VEGF-driven disorganised vessels"},
    {"tumour_il6_induction", &P::tumour_il6_induction, 1.0, Domain::kNonNegative, "IL-6",
     "a_G: stromal IL-6 induced by tumour-derived signals (Gal-3BP, VEGF; Ara 2009)"},
    {"pge2_production", &P::pge2_production, 2.0, Domain::kNonNegative, "1",
     "q_P: STAT3- (COX-2-) dependent PGE2 production by tumour cells (Ara 2009)"},
    {"stat3_half_saturation", &P::stat3_half_saturation, 5.0, Domain::kPositive, "IL-6",
     "K_Z: effective IL-6 giving half-maximal STAT3 activation"},
    {"stat3_proliferation", &P::stat3_proliferation, 0.2, Domain::kNonNegative, "1",
     "pi_Z: proliferation boost by STAT3"},
    {"camdr_nfkb_share", &P::camdr_nfkb_share, 0.5, Domain::kFraction, "1",
     "s_NF: share of CAM-DR that depends on NF-kB (Landowski 2003)"},
    {"il6_rate", &P::il6_rate, 10.0, Domain::kNonNegative, "1/day", "k_L: IL-6 turnover rate"},
    {"pge2_rate", &P::pge2_rate, 50.0, Domain::kNonNegative, "1/day", "k_P: PGE2 turnover rate"},
    {"stat3_rate", &P::stat3_rate, 4.0, Domain::kNonNegative, "1/day",
     "k_Z: STAT3 programme turnover rate"},
    {"cycle_length", &P::cycle_length, 21.0, Domain::kPositive, "day",
     "days between chemotherapy boluses"},
    {"n_cycles", &P::n_cycles, 6.0, Domain::kCount, "1",
     "number of cycles; therapy ends at n_cycles x cycle_length (0: no therapy)"},
    {"horizon", &P::horizon, 365.0, Domain::kPositive, "day",
     "T: end of the follow-up (therapy, then observation without drug)"},
    {"burn_in", &P::burn_in, 30.0, Domain::kNonNegative, "day",
     "equilibration before t = 0 with cell numbers frozen"},
    {"integrin_block", &P::integrin_block, 0.0, Domain::kFraction, "1",
     "e_I: integrin inhibitor effect (cilengitide, anti-VLA-4)"},
    {"il6_block", &P::il6_block, 0.0, Domain::kFraction, "1", "e_6: anti-IL-6 effect (siltuximab)"},
    {"cox2_block", &P::cox2_block, 0.0, Domain::kFraction, "1",
     "e_COX: COX-2 inhibitor effect (celecoxib)"},
    {"vegf_block", &P::vegf_block, 0.0, Domain::kFraction, "1",
     "e_V: anti-VEGF effect (bevacizumab)"},
    {"nfkb_block", &P::nfkb_block, 0.0, Domain::kFraction, "1",
     "e_NF: NF-kB inhibitor effect (curcumin, arsenic, bortezomib)"},
    {"cxcr4_block", &P::cxcr4_block, 0.0, Domain::kOpenFraction, "1",
     "b_X: peak CXCR4 occupancy by the antagonist (plerixafor); 0: no antagonist"},
    {"cxcr4_decay", &P::cxcr4_decay, 4.0, Domain::kNonNegative, "1/day",
     "k_X: antagonist elimination rate (plerixafor half-life 3-5 h)"},
    {"cxcr4_lead", &P::cxcr4_lead, 0.2, Domain::kNonNegative, "day",
     "days between an antagonist dose and its bolus"},
    {"peri_before", &P::peri_before, 0.5, Domain::kNonNegative, "day",
     "days a peri window opens before a bolus"},
    {"peri_after", &P::peri_after, 2.0, Domain::kNonNegative, "day",
     "days a peri window stays open after a bolus"},
};

constexpr std::size_t kRowCount = sizeof(kRows) / sizeof(kRows[0]);

constexpr EmdrRange kRanges[] = {
    {"growth_rate", 0.02, 0.2, true},
    {"death_ratio", 0.3, 0.8, false},
    {"adhesion_arrest", 0.2, 0.8, false},
    {"adhesion_strength", 0.25, 4, true},
    {"niche_capacity", 1e7, 1e9, true},
    {"cxcr4_expression", 0.25, 4, true},
    {"sdf1_level", 0.1, 1.6, true},
    {"camdr_protection", 0.3, 0.95, false},
    {"stat3_protection", 0.2, 0.9, false},
    {"max_kill_rate", 5, 10, true},
    {"dose", 7, 15, true},
    {"drug_clearance", 2, 5, true},
    {"il6_contact_induction", 0, 10, false},
    {"pge2_amplification", 0, 10, false},
    {"sil6r_potentiation", 0, 3, false},
    {"il6_basal", 0.1, 10, true},
    {"mutation_rate", 1e-9, 1e-6, true},
    {"resistance_cost", 0, 0.3, false},
    {"resistant_sensitivity", 0, 0.2, false},
};

// More boluses inside the horizon than this would only exhaust the step budget.
constexpr double kMaxRelevantBoluses = 1e5;

std::string format_value(double v) { return text::format_number(v, text::NumberStyle::kExact); }

// The declared form of a domain (ParameterDomain), as `tmex check` and `tmex models` see it
// and as read_emdr_parameters checks values against it.
ParameterDomain declared(Domain domain) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (domain) {
    case Domain::kNonNegative:
      return {0.0, kInf};
    case Domain::kPositive:
      return {0.0, kInf, true};
    case Domain::kFraction:
      return {0.0, 1.0};
    case Domain::kOpenFraction:
      return {0.0, 1.0, false, true};
    case Domain::kCount:
      return {0.0, kInf, false, false, true};
    case Domain::kAtLeastOneCell:
      return {1.0, kInf};
  }
  return {};
}

std::string domain_error(const ParameterRow& row, double v) {
  const std::string what = std::string(row.name) + " = " + format_value(v);
  if (!std::isfinite(v)) return what + " is not finite";
  switch (row.domain) {
    case Domain::kNonNegative:
      return what + " must be >= 0";
    case Domain::kPositive:
      return what + " must be > 0";
    case Domain::kFraction:
      return what + " must lie in [0, 1]";
    case Domain::kOpenFraction:
      return what + " must lie in [0, 1)";
    case Domain::kCount:
      return what + " must be a non-negative integer";
    case Domain::kAtLeastOneCell:
      return what + " must be >= 1 cell";
  }
  return what + " is invalid";
}

}  // namespace

std::span<const EmdrRange> emdr_sampled_ranges() { return kRanges; }

std::vector<ParameterInfo> emdr_parameter_infos() {
  std::vector<ParameterInfo> out;
  out.reserve(kRowCount);
  for (const auto& row : kRows) {
    out.push_back({row.name, row.default_value, row.unit, row.description, declared(row.domain)});
  }
  return out;
}

std::vector<OptionInfo> emdr_option_infos() {
  const std::vector<std::string> allowed = {"continuous", "peri", "off"};
  const char* agents[kAgentCount] = {"integrin_block", "il6_block", "cox2_block", "vegf_block",
                                     "nfkb_block"};
  std::vector<OptionInfo> out;
  for (const char* agent : agents) {
    out.push_back({std::string(agent) + "_schedule", "continuous", allowed,
                   std::string("when ") + agent +
                       " acts: continuous (all through therapy), peri (around each bolus) or off"});
  }
  out.push_back({"cxcr4_block_schedule",
                 "pulsed",
                 {"pulsed", "continuous", "off"},
                 "when the CXCR4 antagonist acts: pulsed (a dose cxcr4_lead days before each "
                 "bolus), continuous (occupancy cxcr4_block all through therapy) or off"});
  return out;
}

EmdrOptions parse_emdr_options(const std::vector<std::string>& values) {
  EmdrOptions out;
  for (std::size_t i = 0; i < kAgentCount && i < values.size(); ++i) {
    out.schedules[i] = values[i] == "peri"  ? AgentSchedule::kPeri
                       : values[i] == "off" ? AgentSchedule::kOff
                                            : AgentSchedule::kContinuous;
  }
  if (values.size() > kAgentCount) {
    const std::string& v = values[kAgentCount];
    out.antagonist = v == "continuous" ? AntagonistSchedule::kContinuous
                     : v == "off"      ? AntagonistSchedule::kOff
                                       : AntagonistSchedule::kPulsed;
  }
  return out;
}

std::optional<std::string> read_emdr_parameters(std::span<const double> values,
                                                EmdrParameters& out) {
  if (values.size() != kRowCount) {
    return "emdr expects " + std::to_string(kRowCount) + " parameter values, got " +
           std::to_string(values.size());
  }
  for (std::size_t i = 0; i < kRowCount; ++i) {
    if (!declared(kRows[i].domain).contains(values[i])) return domain_error(kRows[i], values[i]);
    out.*kRows[i].field = values[i];
  }
  // R0 = mu N0 ln N0 must not exceed N0, or F0 = N0 - R0 would be negative.
  if (out.mutation_rate * std::log(out.initial_burden) > 1) {
    return "mutation_rate = " + format_value(out.mutation_rate) +
           " with initial_burden = " + format_value(out.initial_burden) +
           " gives more initial resistant cells (mu N0 ln N0) than cells";
  }
  const double lead = std::max({out.peri_before, out.cxcr4_lead, 0.0});
  const double relevant =
      std::min(out.n_cycles, std::floor((out.horizon + lead) / out.cycle_length) + 1);
  if (relevant > kMaxRelevantBoluses) {
    return "cycle_length = " + format_value(out.cycle_length) +
           " with n_cycles = " + format_value(out.n_cycles) +
           " puts more than 1e5 boluses in the horizon";
  }
  return std::nullopt;
}

}  // namespace tmex::models
