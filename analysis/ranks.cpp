// Average ranks by an LSD radix sort of order-preserving integer keys.
#include "analysis/ranks.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "analysis/analysis_error.hpp"

namespace tmex::analysis {

namespace {

// The values of a vector reference, which is contiguous (Ref<const VectorXd> copies anything
// strided into a temporary).
std::span<const double> span_of(const Eigen::Ref<const Eigen::VectorXd>& values) {
  return {values.data(), static_cast<std::size_t>(values.size())};
}

struct Keyed {
  std::uint64_t key;
  std::uint64_t index;
};

// Maps a double to an unsigned integer with the same order; -0.0 and +0.0 map to one key so
// that equal values always have equal keys.
std::uint64_t order_key(double x) {
  if (x == 0.0) x = 0.0;
  const auto bits = std::bit_cast<std::uint64_t>(x);
  return (bits & 0x8000000000000000ULL) ? ~bits : (bits | 0x8000000000000000ULL);
}

// The double with order key `key` (the inverse of order_key).
double from_order_key(std::uint64_t key) {
  const std::uint64_t bits = (key & 0x8000000000000000ULL) ? (key & ~0x8000000000000000ULL) : ~key;
  return std::bit_cast<double>(bits);
}

// Sorts keys by LSD radix sort, 11 bits per pass; passes on which every key agrees are skipped.
void radix_sort(std::vector<std::uint64_t>& a) {
  constexpr int kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  const std::size_t n = a.size();
  if (n < 2) return;
  std::vector<std::uint64_t> b(n);
  std::vector<std::size_t> count(kBuckets);
  for (int shift = 0; shift < 64; shift += kBits) {
    std::fill(count.begin(), count.end(), 0);
    for (const auto k : a) ++count[(k >> shift) & (kBuckets - 1)];
    if (count[(a[0] >> shift) & (kBuckets - 1)] == n) continue;
    std::size_t offset = 0;
    for (auto& c : count) {
      const std::size_t here = c;
      c = offset;
      offset += here;
    }
    for (const auto k : a) b[count[(k >> shift) & (kBuckets - 1)]++] = k;
    a.swap(b);
  }
}

// Returns the (key, index) pairs sorted by key; stable, O(n) per 11-bit digit. Digits on which
// every key agrees are skipped, which is common for the exponent bits of sampled values.
std::vector<Keyed> sorted_keys(std::span<const double> values) {
  const auto n = values.size();
  std::vector<Keyed> a(n), b(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = values[i];
    if (std::isnan(x)) {
      throw AnalysisError("ranks: value " + std::to_string(i) +
                          " is NaN; drop incomplete rows before analysis");
    }
    a[i] = {order_key(x), i};
  }
  constexpr int kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  std::vector<std::size_t> count(kBuckets);
  for (int shift = 0; shift < 64; shift += kBits) {
    std::fill(count.begin(), count.end(), 0);
    for (const auto& e : a) ++count[(e.key >> shift) & (kBuckets - 1)];
    if (n == 0 || count[(a[0].key >> shift) & (kBuckets - 1)] == n) continue;
    std::size_t offset = 0;
    for (auto& c : count) {
      const std::size_t here = c;
      c = offset;
      offset += here;
    }
    for (const auto& e : a) b[count[(e.key >> shift) & (kBuckets - 1)]++] = e;
    a.swap(b);
  }
  return a;
}

// Writes average ranks minus `shift` into out.
void write_ranks(const Eigen::Ref<const Eigen::VectorXd>& values, double shift,
                 Eigen::Ref<Eigen::VectorXd> out) {
  const auto sorted = sorted_keys(span_of(values));
  const std::size_t n = sorted.size();
  std::size_t first = 0;
  while (first < n) {
    std::size_t last = first + 1;
    while (last < n && sorted[last].key == sorted[first].key) ++last;
    // Ranks first+1 .. last share their mean (first + 1 + last) / 2.
    const double rank = 0.5 * static_cast<double>(first + 1 + last) - shift;
    for (std::size_t i = first; i < last; ++i) {
      out[static_cast<Eigen::Index>(sorted[i].index)] = rank;
    }
    first = last;
  }
}

}  // namespace

Eigen::VectorXd average_ranks(const Eigen::Ref<const Eigen::VectorXd>& values) {
  Eigen::VectorXd out(values.size());
  write_ranks(values, 0.0, out);
  return out;
}

Eigen::MatrixXd rank_columns(const Eigen::Ref<const Eigen::MatrixXd>& data) {
  Eigen::MatrixXd out(data.rows(), data.cols());
  for (Eigen::Index j = 0; j < data.cols(); ++j) write_ranks(data.col(j), 0.0, out.col(j));
  return out;
}

void centred_ranks(const Eigen::Ref<const Eigen::VectorXd>& values,
                   Eigen::Ref<Eigen::VectorXd> out) {
  if (out.size() != values.size()) {
    throw AnalysisError("centred_ranks: output has " + std::to_string(out.size()) +
                        " entries for " + std::to_string(values.size()) + " values");
  }
  write_ranks(values, 0.5 * static_cast<double>(values.size() + 1), out);
}

void doubled_centred_ranks(std::span<const double> values, std::span<std::int32_t> out) {
  if (out.size() != values.size()) {
    throw AnalysisError("doubled_centred_ranks: output has " + std::to_string(out.size()) +
                        " entries for " + std::to_string(values.size()) + " values");
  }
  if (values.size() >= (std::size_t{1} << 31)) {
    throw AnalysisError("ranks: " + std::to_string(values.size()) +
                        " values are more than 32-bit ranks hold");
  }
  const auto sorted = sorted_keys(values);
  const auto n = static_cast<std::int64_t>(sorted.size());
  std::int64_t first = 0;
  while (first < n) {
    std::int64_t last = first + 1;
    while (last < n && sorted[static_cast<std::size_t>(last)].key ==
                           sorted[static_cast<std::size_t>(first)].key) {
      ++last;
    }
    const auto rank = static_cast<std::int32_t>(first + last - n);
    for (std::int64_t i = first; i < last; ++i)
      out[sorted[static_cast<std::size_t>(i)].index] = rank;
    first = last;
  }
}

void sort_values(std::vector<double>& values) {
  std::vector<std::uint64_t> keys(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      throw AnalysisError("sort: value " + std::to_string(i) +
                          " is NaN; drop incomplete rows before analysis");
    }
    keys[i] = order_key(values[i]);
  }
  radix_sort(keys);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = from_order_key(keys[i]);
}

double tie_correction_sum(const Eigen::Ref<const Eigen::VectorXd>& values) {
  const auto sorted = sorted_keys(span_of(values));
  double sum = 0.0;
  std::size_t first = 0;
  while (first < sorted.size()) {
    std::size_t last = first + 1;
    while (last < sorted.size() && sorted[last].key == sorted[first].key) ++last;
    const auto t = static_cast<double>(last - first);
    sum += t * t * t - t;
    first = last;
  }
  return sum;
}

}  // namespace tmex::analysis
