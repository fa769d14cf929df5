// `faulty`: a test model whose cost and failures are deterministic functions of its inputs.
#pragma once

#include <memory>

#include "models/model.hpp"

namespace tmex::models {

/// y = x1 + 2 x2 + 3 x3 and y2 = x1 x2, after sleeping `sleep_ms` (in slices, honouring the
/// deadline). Failure regions, each off at its default of -1:
///   x1 < throw_below    -> throws std::runtime_error          (status exception)
///   x2 < nan_below      -> y is NaN                           (status non_finite)
///   x3 < hang_below     -> sleeps hang_ms, ignoring the deadline (a model that hangs)
///   x1 < invalid_below  -> status invalid_parameters
///   x2 < solver_below   -> status solver_failure
///   x3 < kill_below     -> the process kills itself with SIGKILL (a crashing worker)
/// Used by the tests; users can run it to check their setup's failure handling.
std::unique_ptr<Model> make_faulty(const ModelSpec& spec);

}  // namespace tmex::models
