// One emdr run: burn-in, the treatment schedule as integration segments, and the outputs.
#pragma once

#include <span>
#include <vector>

#include "models/emdr_integrator.hpp"
#include "models/emdr_parameters.hpp"
#include "models/model.hpp"

namespace tmex::models {

/// The 14 scalar outputs of MODEL.md, in its order.
enum EmdrOutput : std::size_t {
  kFinalBurden = 0,
  kLog10FinalBurden,
  kLogKill,
  kNadirTime,
  kTimeToRelapse,
  kRelapsed,
  kResistantFraction,
  kAdheredFraction0,
  kAdheredFractionT,
  kExpectedMutations,
  kLog10ExpectedMutations,
  kPResistance,
  kLog10AucBurden,
  kCured,
};
inline constexpr std::size_t kEmdrOutputCount = 14;

/// Trajectory variables N, F, A, R (cells), L (IL-6 units), Z (1), in this order.
inline constexpr std::size_t kEmdrTrajectoryVariables = 6;

/// The treatment-phase breakpoints in (0, T), sorted and distinct: boluses, edges of the
/// `peri` windows of agents that act (schedule peri, effect > 0) and CXCR4 pulse starts
/// (cxcr4_block > 0). Exposed for tests. Pure.
std::vector<double> emdr_breakpoints(const EmdrParameters& p, const EmdrOptions& options);

/// The drug concentration C(t) (EC50 units) and the uncapped antagonist sum X(t) of MODEL.md
/// at t in [0, T], in closed form. Pure.
double emdr_drug_at(const EmdrParameters& p, double t);
double emdr_antagonist_at(const EmdrParameters& p, double t);

/// Runs the model with valid parameters `p` (see read_emdr_parameters) and fills `result`:
/// outputs (kEmdrOutputCount values, NaN where not computed) and, when trajectory_times is not
/// empty, trajectories (variable-major). Failures (solver, time-out, non-finite output, a
/// trajectory time beyond the horizon) are statuses with a reason. Pure and thread-safe.
void simulate_emdr(const EmdrParameters& p, const EmdrOptions& options,
                   std::span<const double> trajectory_times, const EmdrIntegrator& integrator,
                   const EvalContext& context, EvalResult& result);

}  // namespace tmex::models
