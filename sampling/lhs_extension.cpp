// Free-stratum bookkeeping of ExtendedLatinHypercube.
#include "sampling/lhs_extension.hpp"

#include <algorithm>
#include <cmath>

#include "sampling/counter_hash.hpp"

namespace tmex::sampling {

namespace {

// The fine stratum (of `total`) holding unit value u.
std::uint64_t stratum_of(double u, std::uint64_t total) {
  const auto s = static_cast<std::uint64_t>(u * static_cast<double>(total));
  return std::min(s, total - 1);
}

}  // namespace

ExtendedLatinHypercube::ExtendedLatinHypercube(std::uint64_t n, std::size_t k, std::uint64_t seed,
                                               LhsJitter jitter, std::uint64_t more)
    : original_(n, k, seed, jitter), more_(more), total_(n + more), multiple_(more % n == 0) {
  if (more == 0) throw DesignError("lhs extension: the number of new points must be >= 1, got 0");
  const std::uint64_t key = hash64(seed, 0xe7e9d, n, more);
  std::vector<double> u(k);
  if (!multiple_) {
    // List the free fine strata of every column.
    std::vector<std::vector<bool>> taken(k, std::vector<bool>(total_, false));
    for (std::uint64_t i = 0; i < n; ++i) {
      original_.unit_point(i, u);
      for (std::size_t j = 0; j < k; ++j) {
        const std::uint64_t s = stratum_of(u[j], total_);
        if (taken[j][s]) is_latin_ = false;
        taken[j][s] = true;
      }
    }
    free_.resize(k);
    for (std::size_t j = 0; j < k; ++j) {
      for (std::uint64_t s = 0; s < total_; ++s) {
        if (!taken[j][s]) free_[j].push_back(s);
      }
    }
  }
  for (std::size_t j = 0; j < k; ++j) {
    orders_.emplace_back(multiple_ ? more : free_[j].size(), hash64(key, 0x0de7, j));
    jitter_keys_.push_back(hash64(key, 0x717e, j));
  }
}

std::uint64_t ExtendedLatinHypercube::fine_stratum(std::uint64_t t, std::size_t j) const {
  const std::uint64_t q = orders_[j](t);
  if (!multiple_) return free_[j][q];
  // Coarse stratum s splits into `split` fine strata; all but the original point's are free.
  const std::uint64_t n = original_.size();
  const std::uint64_t split = total_ / n;
  const std::uint64_t s = q / (split - 1);
  const std::uint64_t r = q % (split - 1);
  const std::uint64_t owner = original_.stratum_inverse(s, j);
  const double u = (static_cast<double>(s) + original_.jitter(owner, j)) / static_cast<double>(n);
  const std::uint64_t occupied =
      std::clamp(stratum_of(u, total_), s * split, s * split + split - 1);
  const std::uint64_t f = s * split + r;
  return f >= occupied ? f + 1 : f;
}

void ExtendedLatinHypercube::unit_point(std::uint64_t i, std::span<double> unit) const {
  const std::uint64_t n = original_.size();
  if (i < n) {
    original_.unit_point(i, unit);
    return;
  }
  const std::uint64_t t = i - n;
  const double inv_total = 1.0 / static_cast<double>(total_);
  for (std::size_t j = 0; j < dimension(); ++j) {
    const double w = original_.jitter_kind() == LhsJitter::kMidpoint
                         ? 0.5
                         : to_open_unit(mix64(jitter_keys_[j] + (t + 1) * 0x9e3779b97f4a7c15ULL));
    unit[j] = (static_cast<double>(fine_stratum(t, j)) + w) * inv_total;
  }
}

std::string ExtendedLatinHypercube::describe() const {
  std::string base = original_.describe();
  base.pop_back();  // the closing parenthesis
  return base + ", extended_by=" + std::to_string(more_) + ")";
}

AppendedDesign::AppendedDesign(std::unique_ptr<Design> original, std::unique_ptr<Design> extension)
    : original_(std::move(original)), extension_(std::move(extension)) {
  if (original_->dimension() != extension_->dimension() ||
      original_->size() >= extension_->size()) {
    throw DesignError("an extension must have the original's dimension and more points");
  }
}

void AppendedDesign::unit_point(std::uint64_t i, std::span<double> unit) const {
  if (i < original_->size()) {
    original_->unit_point(i, unit);
  } else {
    extension_->unit_point(i, unit);
  }
}

std::string AppendedDesign::describe() const {
  return "extension(of=" + original_->describe() + ", to=" + extension_->describe() + ")";
}

}  // namespace tmex::sampling
