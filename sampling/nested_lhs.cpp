// NestedLatinHypercube: strata by halving, the earlier point of a stratum, decorrelated blocks.
#include "sampling/nested_lhs.hpp"

#include <algorithm>

#include "sampling/counter_hash.hpp"
#include "sampling/rank_correlation.hpp"

namespace tmex::sampling {

namespace {

constexpr std::uint64_t kMaxPoints = std::uint64_t{1} << 40;

std::uint64_t stratum_of(double u, std::uint64_t strata) {
  const auto s = static_cast<std::uint64_t>(u * static_cast<double>(strata));
  return std::min(s, strata - 1);
}

}  // namespace

struct NestedLatinHypercube::Level {
  std::once_flag made;
  /// Per column: the order in which the block takes the strata of the checkpoint before.
  std::vector<KeyedPermutation> orders;
  std::vector<std::uint64_t> jitter_keys;  ///< per column
};

struct NestedLatinHypercube::Block {
  std::once_flag built;
  std::vector<double> points;  ///< rows x k, row-major, rearranged
};

NestedLatinHypercube::NestedLatinHypercube(std::uint64_t start, unsigned levels, std::size_t k,
                                           std::uint64_t seed, bool decorrelate)
    : start_(start),
      levels_(levels),
      seed_(seed),
      decorrelate_(decorrelate),
      first_(start == 0 ? 1 : start, k, seed, LhsJitter::kRandom) {
  if (start == 0)
    throw DesignError("nested lhs: the first checkpoint must have >= 1 points, got 0");
  if (levels >= 40 || (start << levels) > kMaxPoints || (start << levels) >> levels != start) {
    throw DesignError("nested lhs: " + std::to_string(start) + " x 2^" + std::to_string(levels) +
                      " points is more than 2^40");
  }
  if (decorrelate && start <= k) {
    throw DesignError(
        "nested lhs: decorrelation needs a first checkpoint of more points than "
        "parameters, got " +
        std::to_string(start) + " points for " + std::to_string(k) + " parameters");
  }
  levels_data_ = std::make_unique<Level[]>(levels);
  blocks_ = std::make_unique<Block[]>(levels + 1);
}

const NestedLatinHypercube::Level& NestedLatinHypercube::level_data(unsigned level) const {
  Level& l = levels_data_[level - 1];
  std::call_once(l.made, [&] {
    const std::uint64_t coarse = start_ << (level - 1);
    for (std::size_t j = 0; j < dimension(); ++j) {
      l.orders.emplace_back(coarse, hash64(seed_, 0x4e57ed, level, j));
      l.jitter_keys.push_back(hash64(seed_, 0x4e57e7, level, j));
    }
  });
  return l;
}

NestedLatinHypercube::~NestedLatinHypercube() = default;

std::uint64_t NestedLatinHypercube::free_half(unsigned level, std::uint64_t q, double u) const {
  // The earlier point of coarse stratum q lies in fine stratum 2q or 2q + 1 of n_level (clamped:
  // rounding of u cannot move it out of its own coarse stratum).
  const std::uint64_t occupied = std::clamp(stratum_of(u, start_ << level), 2 * q, 2 * q + 1);
  return occupied == 2 * q ? 2 * q + 1 : 2 * q;
}

double NestedLatinHypercube::new_point_value(unsigned level, std::uint64_t t, std::uint64_t fine,
                                             std::size_t j) const {
  const double w =
      to_open_unit(mix64(level_data(level).jitter_keys[j] + (t + 1) * 0x9e3779b97f4a7c15ULL));
  // 1 / n_level is 1 / n0 scaled by a power of two: exact, so checkpoint 0's values are those
  // of LatinHypercube::unit_point.
  return (static_cast<double>(fine) + w) * (1.0 / static_cast<double>(start_ << level));
}

double NestedLatinHypercube::value_in_stratum(unsigned level, std::uint64_t s,
                                              std::size_t j) const {
  // Walk the halvings from checkpoint 0 down to stratum s of checkpoint `level`: at each level
  // the stratum's point is the earlier one, or else the new point that took the free half.
  const std::uint64_t s0 = s >> level;
  const std::uint64_t owner = first_.stratum_inverse(s0, j);
  double u =
      (static_cast<double>(s0) + first_.jitter(owner, j)) * (1.0 / static_cast<double>(start_));
  for (unsigned l = 1; l <= level; ++l) {
    const std::uint64_t coarse = s >> (level - l + 1);
    const std::uint64_t fine = s >> (level - l);
    if (free_half(l, coarse, u) == fine) {
      u = new_point_value(l, level_data(l).orders[j].inverse(coarse), fine, j);
    }
  }
  return u;
}

double NestedLatinHypercube::plain_value(unsigned level, std::uint64_t t, std::size_t j) const {
  if (level == 0) {
    return (static_cast<double>(first_.stratum(t, j)) + first_.jitter(t, j)) *
           (1.0 / static_cast<double>(start_));
  }
  const std::uint64_t q = level_data(level).orders[j](t);
  return new_point_value(level, t, free_half(level, q, value_in_stratum(level - 1, q, j)), j);
}

const NestedLatinHypercube::Block& NestedLatinHypercube::block(unsigned level) const {
  Block& b = blocks_[level];
  std::call_once(b.built, [&] {
    const std::size_t k = dimension();
    const std::uint64_t n = level == 0 ? start_ : start_ << (level - 1);
    std::vector<double> points(n * k);
    // A block's ranks in a column follow the strata of the previous checkpoint that its points
    // split (block 0: its own strata), so no sorting is needed.
    std::vector<std::uint32_t> ranks(n * k);
    for (std::size_t j = 0; j < k; ++j) {
      for (std::uint64_t t = 0; t < n; ++t) {
        points[t * k + j] = plain_value(level, t, j);
        ranks[j * n + t] = static_cast<std::uint32_t>(level == 0 ? first_.stratum(t, j)
                                                                 : level_data(level).orders[j](t));
      }
    }
    std::vector<double> identity(k * k, 0.0);
    for (std::size_t j = 0; j < k; ++j) identity[j * k + j] = 1.0;
    impose_rank_correlation(points, k, identity, std::move(ranks), kImanConoverVersion);
    b.points = std::move(points);
  });
  return b;
}

void NestedLatinHypercube::unit_point(std::uint64_t i, std::span<double> unit) const {
  unsigned level = 0;
  std::uint64_t t = i;
  if (i >= start_) {
    // Block `level` holds points n_{level-1} .. n_level - 1.
    while ((start_ << (level + 1)) <= i) ++level;
    ++level;
    t = i - (start_ << (level - 1));
  }
  if (decorrelate_ && (start_ << level) <= kNestedDecorrelationLimit) {
    const std::size_t k = dimension();
    const Block& b = block(level);
    std::copy_n(b.points.begin() + static_cast<std::ptrdiff_t>(t * k), k, unit.begin());
    return;
  }
  for (std::size_t j = 0; j < dimension(); ++j) unit[j] = plain_value(level, t, j);
}

std::string NestedLatinHypercube::describe() const {
  return "lhs(n=" + std::to_string(size()) + ", k=" + std::to_string(dimension()) +
         ", seed=" + std::to_string(seed_) +
         ", jitter=random, nested_from=" + std::to_string(start_) +
         (decorrelate_ ? ", correlation=decorrelate)" : ")");
}

}  // namespace tmex::sampling
