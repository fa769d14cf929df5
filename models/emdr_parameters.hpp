// The emdr model's parameters: declarations (name, default, unit, source), domains and reading.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/model.hpp"

namespace tmex::models {

/// The emdr model version (models/emdr.md). Version 2 replaced version 1's equations, ranges
/// and outputs; stores made by one version are not resumed by the other.
inline constexpr int kEmdrVersion = 2;

/// Values of every emdr parameter (models/emdr.md "Parameters"), in model units: time in days,
/// cells as counts, cytokines and drug in the normalised units of emdr.md.
struct EmdrParameters {
  double growth_rate = 0;            ///< rho, 1/day
  double death_ratio = 0;            ///< d = delta / rho, 1
  double adhesion_arrest = 0;        ///< theta_A, 1
  double adhesion_strength = 0;      ///< alpha, 1
  double attach_rate = 0;            ///< k_a, 1/day
  double detach_rate = 0;            ///< k_d, 1/day
  double niche_capacity = 0;         ///< A_max, cells
  double cxcr4_expression = 0;       ///< chi, 1
  double sdf1_level = 0;             ///< S0, units of the CXCR4 dissociation constant
  double sdf1_gain = 0;              ///< g_S, 1
  double camdr_protection = 0;       ///< sigma_A, 1
  double stat3_protection = 0;       ///< sigma_Z, 1
  double max_kill_rate = 0;          ///< E_max, 1/day
  double dose = 0;                   ///< C0, EC50 units per bolus
  double drug_clearance = 0;         ///< k_C, 1/day
  double il6_contact_induction = 0;  ///< a_A, IL-6 units
  double pge2_amplification = 0;     ///< a_P, 1
  double sil6r_potentiation = 0;     ///< r_s, 1
  double il6_basal = 0;              ///< I_0, IL-6 units
  double mutation_rate = 0;          ///< mu, mutations per division
  double resistance_cost = 0;        ///< c_R, 1
  double resistant_sensitivity = 0;  ///< eps_R, 1
  double carrying_capacity = 0;      ///< K, cells
  double initial_burden = 0;         ///< N0, cells
  double reference_burden = 0;       ///< N_ref, cells
  double detection_limit = 0;        ///< N_det, cells
  double vegf_sdf1_gain = 0;         ///< v, 1
  double vegf_drug_barrier = 0;      ///< b_V, 1
  double tumour_il6_induction = 0;   ///< a_G, IL-6 units
  double pge2_production = 0;        ///< q_P, 1
  double stat3_half_saturation = 0;  ///< K_Z, IL-6 units
  double stat3_proliferation = 0;    ///< pi_Z, 1
  double camdr_nfkb_share = 0;       ///< s_NF, 1
  double il6_rate = 0;               ///< k_L, 1/day
  double pge2_rate = 0;              ///< k_P, 1/day
  double stat3_rate = 0;             ///< k_Z, 1/day
  double cycle_length = 0;           ///< days between boluses
  double n_cycles = 0;               ///< number of cycles (a non-negative integer)
  double horizon = 0;                ///< T, days
  double burn_in = 0;                ///< days of equilibration before t = 0
  double integrin_block = 0;         ///< e_I, 1
  double il6_block = 0;              ///< e_6, 1
  double cox2_block = 0;             ///< e_COX, 1
  double vegf_block = 0;             ///< e_V, 1
  double nfkb_block = 0;             ///< e_NF, 1
  double cxcr4_block = 0;            ///< b_X: peak CXCR4 occupancy by the antagonist, 1
  double cxcr4_decay = 0;            ///< k_X: antagonist elimination rate, 1/day
  double cxcr4_lead = 0;             ///< days between an antagonist dose and its bolus
  double peri_before = 0;            ///< days a peri window opens before a bolus
  double peri_after = 0;             ///< days a peri window stays open after a bolus
};

/// When a constant-effect agent acts (emdr.md "Treatment"): over the whole therapy, in windows
/// around each bolus, or never.
enum class AgentSchedule { kContinuous, kPeri, kOff };

/// When the CXCR4 antagonist acts: one dose `cxcr4_lead` days before each bolus, a constant
/// occupancy over the whole therapy, or never.
enum class AntagonistSchedule { kPulsed, kContinuous, kOff };

/// The five constant-effect agents, in the order of their schedule options.
enum class Agent : std::size_t { kIntegrin = 0, kIl6, kCox2, kVegf, kNfkb };
inline constexpr std::size_t kAgentCount = 5;

/// The parsed string options of an emdr model.
struct EmdrOptions {
  std::array<AgentSchedule, kAgentCount> schedules{
      AgentSchedule::kContinuous, AgentSchedule::kContinuous, AgentSchedule::kContinuous,
      AgentSchedule::kContinuous, AgentSchedule::kContinuous};
  AntagonistSchedule antagonist = AntagonistSchedule::kPulsed;
};

/// The Latin-hypercube range of one sampleable parameter (emdr.md's table).
struct EmdrRange {
  const char* name;
  double min;
  double max;
  bool log_uniform;  ///< sample log-uniformly
};

/// The sampleable parameters with emdr.md's default ranges, in declared order (they are the
/// first parameters). Pure.
std::span<const EmdrRange> emdr_sampled_ranges();

/// Declared parameters in declared order: the sampleable ones of emdr.md's table first, then
/// the other settable ones. Pure.
std::vector<ParameterInfo> emdr_parameter_infos();

/// Declared schedule options (integrin_block_schedule, ... nfkb_block_schedule,
/// cxcr4_block_schedule). Pure.
std::vector<OptionInfo> emdr_option_infos();

/// Parses resolved option values (emdr_option_infos() order, already checked against the allowed
/// values by apply_spec). Pure.
EmdrOptions parse_emdr_options(const std::vector<std::string>& values);

/// Reads `values` (one per emdr_parameter_infos() entry, in order) into `out` and checks every
/// value against its domain (finite; rates >= 0; fractions in [0, 1]; n_cycles a non-negative
/// integer; ...). Returns nullopt when valid, else a reason naming the parameter and its value.
/// Pure and thread-safe.
std::optional<std::string> read_emdr_parameters(std::span<const double> values,
                                                EmdrParameters& out);

}  // namespace tmex::models
