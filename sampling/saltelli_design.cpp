// Point layout of SaltelliDesign.
#include "sampling/saltelli_design.hpp"

#include <algorithm>
#include <vector>

namespace tmex::sampling {

SaltelliDesign::SaltelliDesign(std::unique_ptr<Design> base, std::size_t k)
    : base_(std::move(base)), k_(k), rows_(base_ ? base_->size() : 0) {
  if (k == 0) throw DesignError("saltelli: dimension must be >= 1, got 0");
  if (!base_ || base_->dimension() != 2 * k) {
    throw DesignError("saltelli: the base design must have 2k = " + std::to_string(2 * k) +
                      " columns");
  }
}

void SaltelliDesign::unit_point(std::uint64_t i, std::span<double> unit) const {
  const std::uint64_t row = i / (k_ + 2);
  const std::uint64_t b = i % (k_ + 2);
  // Small fixed-size scratch on the stack is not possible for any k; a thread_local buffer keeps
  // unit_point allocation-free after the first call and thread-safe.
  thread_local std::vector<double> ab;
  ab.resize(2 * k_);
  base_->unit_point(row, ab);
  if (b == k_ + 1) {
    std::copy_n(ab.begin() + static_cast<std::ptrdiff_t>(k_), k_, unit.begin());
    return;
  }
  std::copy_n(ab.begin(), k_, unit.begin());
  if (b >= 1) unit[b - 1] = ab[k_ + b - 1];
}

std::string SaltelliDesign::describe() const {
  return "saltelli(N=" + std::to_string(rows_) + ", k=" + std::to_string(k_) +
         ", base=" + base_->describe() + ")";
}

}  // namespace tmex::sampling
