// The emdr model: environment-mediated drug resistance (models/emdr.md), as a Model.
#pragma once

#include <memory>

#include "models/model.hpp"

namespace tmex::models {

/// Which integrator an emdr model uses.
enum class EmdrSolver {
  kRodas4,     ///< the production solver: fixed-size RODAS4, emdr.md's tolerances
  kReference,  ///< odeint rosenbrock4 at relative tolerance 1e-10: slow, for validation
};

/// Builds the `emdr` model, version 2 (models/emdr.md): its parameters (the sampleable ones
/// first), the 19 outputs of emdr.md in its order, the options integrin_block_schedule,
/// il6_block_schedule, cox2_block_schedule, vegf_block_schedule, nfkb_block_schedule
/// (continuous | peri | off; default continuous) and cxcr4_block_schedule (pulsed | continuous |
/// off; default pulsed), and the trajectory variables N, F, A, R, L, Z at
/// spec.trajectory_times. Throws ModelError for an unknown setting or option value, or for
/// trajectory times that are not finite, not strictly increasing, negative or beyond the
/// horizon setting. evaluate() is pure and thread-safe; invalid parameter values (negative
/// rates, fractions outside [0, 1], non-integer n_cycles, ...) give kInvalidParameters with a
/// reason naming the parameter and value.
std::unique_ptr<Model> make_emdr(const ModelSpec& spec, EmdrSolver solver = EmdrSolver::kRodas4);

}  // namespace tmex::models
