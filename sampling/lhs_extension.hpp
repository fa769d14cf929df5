// Extending a finished Latin hypercube by M points (Dakota-style refinement, R augmentLHS).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sampling/keyed_permutation.hpp"
#include "sampling/latin_hypercube.hpp"

namespace tmex::sampling {

/// The Latin hypercube LatinHypercube(n, k, seed, jitter) enlarged to n + M points: points
/// 0..n-1 are the original ones, value for value; points n..n+M-1 are new.
///
/// Each column is cut into n + M equal strata. The new points of a column take strata that no
/// original point occupies, distinct from one another, in an order given by a keyed
/// permutation, with a fresh counter-based position inside the stratum (or its centre for
/// midpoint jitter). The enlarged design is therefore a Latin hypercube in n + M strata exactly
/// when the original points occupy n distinct fine strata in every column:
///  - always when M is a multiple of n (each original stratum splits into M/n + 1 fine strata,
///    one of which holds the original point); then new points are index-addressable in O(k)
///    (the original point of a coarse stratum is found through the inverse permutation);
///  - otherwise only if no two original points share a fine stratum (is_latin() says); the
///    free strata of each column are then listed at construction (O((n + M) k) memory).
/// Thread-safe; immutable.
class ExtendedLatinHypercube final : public Design {
 public:
  /// Throws DesignError unless n >= 1, k >= 1, M >= 1.
  ExtendedLatinHypercube(std::uint64_t n, std::size_t k, std::uint64_t seed, LhsJitter jitter,
                         std::uint64_t more);

  std::uint64_t size() const override { return original_.size() + more_; }
  std::size_t dimension() const override { return original_.dimension(); }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::string describe() const override;

  /// True when the enlarged design is a Latin hypercube in n + M strata per column.
  bool is_latin() const { return is_latin_; }
  const LatinHypercube& original() const { return original_; }

 private:
  std::uint64_t fine_stratum(std::uint64_t t, std::size_t j) const;

  LatinHypercube original_;
  std::uint64_t more_;
  std::uint64_t total_;
  bool is_latin_ = true;
  bool multiple_;                                 // M is a multiple of n
  std::vector<KeyedPermutation> orders_;          // per column: order of the free strata
  std::vector<std::uint64_t> jitter_keys_;        // per column: positions of the new points
  std::vector<std::vector<std::uint64_t>> free_;  // per column, when !multiple_
};

/// A finished design of n points followed by the new points n.. of its extension: used to
/// extend Latin hypercubes whose rows were rearranged within columns (Iman-Conover correlation
/// control), which keeps each column's values and hence the strata the extension needs.
class AppendedDesign final : public Design {
 public:
  /// `extension` must contain `original`'s size as its first points (they are not used).
  AppendedDesign(std::unique_ptr<Design> original, std::unique_ptr<Design> extension);

  std::uint64_t size() const override { return extension_->size(); }
  std::size_t dimension() const override { return extension_->dimension(); }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::string describe() const override;
  void prepare() const override {
    original_->prepare();
    extension_->prepare();
  }
  int algorithm_version() const override { return original_->algorithm_version(); }

 private:
  std::unique_ptr<Design> original_;
  std::unique_ptr<Design> extension_;
};

}  // namespace tmex::sampling
