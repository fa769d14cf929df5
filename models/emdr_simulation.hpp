// One emdr run: burn-in, therapy and follow-up as integration segments, and the outputs.
#pragma once

#include <span>
#include <vector>

#include "models/emdr_integrator.hpp"
#include "models/emdr_parameters.hpp"
#include "models/model.hpp"

namespace tmex::models {

/// The scalar outputs of models/emdr.md, in its order.
enum EmdrOutput : std::size_t {
  kFinalBurden = 0,
  kLog10FinalBurden,
  kResidualBurden,
  kLog10ResidualBurden,
  kLogKill,
  kNadirTime,
  kTimeToRelapse,
  kRelapseCensored,
  kRelapsed,
  kCured,
  kResistantFraction,
  kResistantFractionResidual,
  kAdheredFraction0,
  kAdheredFractionResidual,
  kAdheredFractionT,
  kExpectedMutations,
  kLog10ExpectedMutations,
  kPResistance,
  kLog10AucBurden,
};
inline constexpr std::size_t kEmdrOutputCount = 19;

/// Trajectory variables N, F, A, R (cells), L (IL-6 units), Z (1), in this order.
inline constexpr std::size_t kEmdrTrajectoryVariables = 6;

/// The end of therapy t_E = n_cycles x cycle_length, in days (0 without therapy). Pure.
double emdr_therapy_end(const EmdrParameters& p);

/// The breakpoints in (0, T), sorted and distinct: boluses, edges of the `peri` windows of
/// agents that act (schedule peri, effect > 0), antagonist dose times (pulsed, cxcr4_block > 0)
/// and the end of therapy. Exposed for tests. Pure.
std::vector<double> emdr_breakpoints(const EmdrParameters& p, const EmdrOptions& options);

/// The drug concentration C(t) (EC50 units) and the antagonist X(t) (K_i units) of emdr.md
/// at t in [0, T], in closed form. Pure.
double emdr_drug_at(const EmdrParameters& p, double t);
double emdr_antagonist_at(const EmdrParameters& p, const EmdrOptions& options, double t);

/// Runs the model with valid parameters `p` (see read_emdr_parameters) and fills `result`:
/// outputs (kEmdrOutputCount values, NaN where not computed) and, when trajectory_times is not
/// empty, trajectories (variable-major). Failures (solver, time-out, non-finite output, a
/// trajectory time beyond the horizon) are statuses with a reason. Pure and thread-safe.
void simulate_emdr(const EmdrParameters& p, const EmdrOptions& options,
                   std::span<const double> trajectory_times, const EmdrIntegrator& integrator,
                   const EvalContext& context, EvalResult& result);

}  // namespace tmex::models
