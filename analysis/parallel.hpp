// Running independent tasks on a few threads, with results that do not depend on how many.
#pragma once

#include <cstddef>
#include <functional>

namespace tmex::analysis {

/// The number of threads `requested` means: itself when > 0, else the hardware's concurrency
/// (at least 1).
unsigned resolve_threads(unsigned requested);

/// Calls task(i) once for every i in [0, count), on up to `threads` threads (0: the hardware's
/// concurrency; 1: in the calling thread, in order). Tasks are handed out one at a time, so
/// uneven tasks balance. Every task must write only its own results, which makes the outcome
/// identical whatever the number of threads. When tasks throw, the remaining ones are skipped
/// and the exception of the lowest-numbered failed task is rethrown after all threads ended.
void parallel_for(std::size_t count, unsigned threads,
                  const std::function<void(std::size_t)>& task);

}  // namespace tmex::analysis
