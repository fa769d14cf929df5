// Maximin-optimised Latin hypercube: column-wise swaps minimising the Morris-Mitchell phi_p.
#pragma once

#include <cstdint>
#include <vector>

#include "sampling/latin_hypercube.hpp"

namespace tmex::sampling {

/// Default swap budget for n points: max(20000, 50 n) proposals.
std::uint64_t default_maximin_iterations(std::uint64_t n);

/// An n x k Latin hypercube (row-major) optimised for a large minimum pairwise distance.
///
/// Starts from LatinHypercube(n, k, seed, jitter) and runs `iterations` proposals (0: the
/// default budget). Each proposal swaps the values of two rows in one column, which keeps every
/// column a permutation of the same values (so the design stays a Latin hypercube, jitter
/// included); it is accepted when it lowers phi_p = sum over pairs of (d0 / d)^p, p = 30, with
/// d0 the starting minimum distance (Morris & Mitchell 1995's criterion, scaled so that it
/// cannot overflow; for large p minimising phi_p maximises the minimum distance and then
/// thins the pairs near it). The first row of a proposal is, three times in four, the row
/// with the largest share of phi_p (a member of the closest pair; Morris & Mitchell's
/// "critical" point), otherwise a random row; the second row and the column are random. The
/// search is a deterministic descent driven by counter-based random numbers from the seed:
/// the same arguments give the same design on every rank.
///
/// Cost: O(n^2 k) to start, then O(n k) per proposal; memory O(n k).
/// Throws DesignError unless n >= 2 and k >= 1.
std::vector<double> maximin_latin_hypercube(std::uint64_t n, std::size_t k, std::uint64_t seed,
                                            LhsJitter jitter, std::uint64_t iterations = 0);

}  // namespace tmex::sampling
