// Saltelli's A, B, A_B(i) design for first-order and total Sobol' indices.
#pragma once

#include <memory>

#include "sampling/design.hpp"

namespace tmex::sampling {

/// Which 2k-column design supplies the base matrices A (columns 0..k-1) and B (k..2k-1).
enum class SaltelliBase {
  kSobol,  ///< a 2k-dimensional Sobol' sequence (Saltelli et al. 2010), scrambled or not
  kLhs,    ///< a random 2k-column Latin hypercube of N rows
};

/// N base rows, N (k + 2) points (Saltelli 2002; Saltelli et al. 2010, Table 2). Layout, fixed
/// project-wide (analysis relies on it): point i = j (k + 2) + b for base row j = 0..N-1;
/// b = 0 is A_j, b = 1..k is A_B^(b) (A_j with column b-1 taken from B_j), b = k + 1 is B_j;
/// block(i) = b. Index-addressable. Thread-safe.
class SaltelliDesign final : public Design {
 public:
  /// `base` must have dimension 2k and N rows; throws DesignError otherwise.
  SaltelliDesign(std::unique_ptr<Design> base, std::size_t k);

  std::uint64_t size() const override { return rows_ * (k_ + 2); }
  std::size_t dimension() const override { return k_; }
  void unit_point(std::uint64_t i, std::span<double> unit) const override;
  std::int64_t block(std::uint64_t i) const override {
    return static_cast<std::int64_t>(i % (k_ + 2));
  }
  std::uint64_t group_size() const override { return k_ + 2; }
  std::string describe() const override;

  /// Number of base rows N.
  std::uint64_t base_rows() const { return rows_; }

 private:
  std::unique_ptr<Design> base_;
  std::size_t k_;
  std::uint64_t rows_;
};

}  // namespace tmex::sampling
