// A design stored as an explicit matrix of unit-cube points (optimised, correlated, file designs).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "sampling/design.hpp"

namespace tmex::sampling {

/// An n x k matrix of unit-cube points, row-major, built once (deterministically, by whoever
/// constructs it, or on first use by a builder) and served by index. Thread-safe.
class MaterialisedDesign final : public Design {
 public:
  /// What a builder returns: n * k values, row-major, and what it knows of their quality.
  struct Built {
    std::vector<double> points;
    std::optional<double> max_abs_rank_correlation;
  };

  /// `points` holds n * k values, row-major, each in (0, 1); `description` is the canonical
  /// describe() text of the method that built it. Throws DesignError on a size mismatch or a
  /// value outside (0, 1).
  MaterialisedDesign(std::size_t k, std::vector<double> points, std::string description);

  /// A design of n points that `build` computes on first use (prepare() or unit_point()), so
  /// that describing or validating a campaign costs nothing. `build` must return n * k values
  /// in (0, 1), deterministically; a value outside is a programming error (DesignError).
  MaterialisedDesign(std::uint64_t n, std::size_t k, std::string description, int algorithm_version,
                     std::function<Built()> build);

  std::uint64_t size() const override { return n_; }
  std::size_t dimension() const override { return k_; }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::string describe() const override { return description_; }
  void prepare() const override;
  int algorithm_version() const override { return algorithm_version_; }
  std::optional<double> known_max_abs_rank_correlation() const override;

  /// The whole matrix, row-major (prepares the design).
  const std::vector<double>& points() const;

 private:
  std::uint64_t n_;
  std::size_t k_;
  std::string description_;
  int algorithm_version_ = 1;
  std::function<Built()> build_;
  mutable std::once_flag built_;
  mutable Built data_;
};

/// Evaluates every point of `design` into an n x k row-major matrix.
std::vector<double> materialise(const Design& design);

}  // namespace tmex::sampling
