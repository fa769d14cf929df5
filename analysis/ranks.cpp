// Average ranks by sorting order-preserving integer keys (bucket sort; LSD radix sort for values).
#include "analysis/ranks.hpp"

#include <algorithm>
#include <array>
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

constexpr int kDigitBits = 11;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
constexpr int kDigits = (64 + kDigitBits - 1) / kDigitBits;
using DigitCounts = std::array<std::array<std::size_t, kBuckets>, kDigits>;

// Keys sorted: an LSD radix sort, 11 bits per pass, with the histograms of every pass from one
// read of the keys; passes on which every key has the same digit are skipped (common for the
// exponent bits of sampled values). `key_spare` and `count` are scratch.
void radix_sort(std::vector<std::uint64_t>& key, std::vector<std::uint64_t>& key_spare,
                DigitCounts& count) {
  const std::size_t n = key.size();
  if (n < 2) return;
  key_spare.resize(n);
  for (auto& c : count) c.fill(0);
  for (const auto k : key) {
    for (int d = 0; d < kDigits; ++d) ++count[d][(k >> (d * kDigitBits)) & (kBuckets - 1)];
  }
  for (int d = 0; d < kDigits; ++d) {
    auto& c = count[d];
    const int shift = d * kDigitBits;
    if (c[(key[0] >> shift) & (kBuckets - 1)] == n) continue;
    std::size_t offset = 0;
    for (auto& x : c) {
      const std::size_t here = x;
      x = offset;
      offset += here;
    }
    for (const auto k : key) key_spare[c[(k >> shift) & (kBuckets - 1)]++] = k;
    key.swap(key_spare);
  }
}

// Per-thread sort buffers, kept between calls: ranking many columns one after another then
// costs no allocation, and no page faults, after the first (24 bytes per value of the largest
// column a thread ranked).
struct SortScratch {
  std::vector<std::uint64_t> key, key_spare;
  std::vector<std::uint32_t> index, index_spare;
  DigitCounts count;
};

// Sorts key[first, last) with index alongside, not stably (equal keys share a rank, so their
// order does not matter): an MSD radix sort whose digits adapt to the data. The keys are spread
// into about m / 4 buckets by the leading bits of key - min over the range (one counting pass
// and one scatter through the spare arrays), then each bucket is sorted the same way: small
// ones by insertion, ones of equal keys not at all, others recursively on their own, narrower,
// key range. For the continuous values of a sample this is one or two passes where an LSD radix
// sort needs six; heavy ties cost nothing extra; values spread over many orders of magnitude
// or both signs take a level more.
void bucket_sort(SortScratch& s, std::size_t first, std::size_t last) {
  constexpr std::size_t kInsertion = 48;
  const std::size_t m = last - first;
  std::uint64_t* key = s.key.data();
  std::uint32_t* index = s.index.data();
  if (m <= kInsertion) {
    for (std::size_t i = first + 1; i < last; ++i) {
      const std::uint64_t k = key[i];
      const std::uint32_t x = index[i];
      std::size_t j = i;
      for (; j > first && key[j - 1] > k; --j) {
        key[j] = key[j - 1];
        index[j] = index[j - 1];
      }
      key[j] = k;
      index[j] = x;
    }
    return;
  }
  const auto [lo_it, hi_it] = std::minmax_element(key + first, key + last);
  const std::uint64_t lo = *lo_it;
  const std::uint64_t span = *hi_it - lo;
  if (span == 0) return;
  const int bits = std::max(1, static_cast<int>(std::bit_width(m)) - 2);
  const int shift = std::max(0, static_cast<int>(std::bit_width(span)) - bits);
  const std::size_t buckets = static_cast<std::size_t>(span >> shift) + 1;
  std::vector<std::uint32_t> start(buckets + 1, 0);
  for (std::size_t i = first; i < last; ++i) ++start[((key[i] - lo) >> shift) + 1];
  for (std::size_t b = 1; b <= buckets; ++b) start[b] += start[b - 1];
  std::vector<std::uint32_t> cursor(start.begin(), start.end() - 1);
  std::uint64_t* key_to = s.key_spare.data() + first;
  std::uint32_t* index_to = s.index_spare.data() + first;
  for (std::size_t i = first; i < last; ++i) {
    const std::uint32_t to = cursor[(key[i] - lo) >> shift]++;
    key_to[to] = key[i];
    index_to[to] = index[i];
  }
  std::copy(key_to, key_to + m, key + first);
  std::copy(index_to, index_to + m, index + first);
  for (std::size_t b = 0; b < buckets; ++b) {
    if (start[b + 1] - start[b] > 1) bucket_sort(s, first + start[b], first + start[b + 1]);
  }
}

SortScratch& scratch() {
  thread_local SortScratch s;
  return s;
}

// Sorts value(0) .. value(n - 1) (n < 2^32) in this thread's scratch: afterwards key[i] is the
// order key of the i-th smallest and index[i] where it came from (valid until the thread's
// next call).
template <class Value>
SortScratch& sort_keys(std::size_t n, Value value) {
  if (n >= (std::size_t{1} << 32)) {
    throw AnalysisError("ranks: " + std::to_string(n) + " values are more than 32-bit ranks hold");
  }
  SortScratch& s = scratch();
  s.key.resize(n);
  s.index.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = value(i);
    if (std::isnan(x)) {
      throw AnalysisError("ranks: value " + std::to_string(i) +
                          " is NaN; drop incomplete rows before analysis");
    }
    s.key[i] = order_key(x);
    s.index[i] = static_cast<std::uint32_t>(i);
  }
  s.key_spare.resize(n);
  s.index_spare.resize(n);
  bucket_sort(s, 0, n);
  return s;
}

SortScratch& sorted_keys(std::span<const double> values) {
  return sort_keys(values.size(), [&](std::size_t i) { return values[i]; });
}

// Calls tie(first, last) for each run [first, last) of equal keys of `sorted`.
template <class Tie>
void for_each_tie(const SortScratch& sorted, Tie tie) {
  const std::size_t n = sorted.key.size();
  std::size_t first = 0;
  while (first < n) {
    std::size_t last = first + 1;
    while (last < n && sorted.key[last] == sorted.key[first]) ++last;
    tie(first, last);
    first = last;
  }
}

// Writes the doubled centred ranks of sorted keys to out[index].
void write_doubled_ranks(const SortScratch& sorted, std::int32_t* out) {
  const auto n = static_cast<std::int64_t>(sorted.key.size());
  for_each_tie(sorted, [&](std::size_t first, std::size_t last) {
    const auto rank = static_cast<std::int32_t>(static_cast<std::int64_t>(first + last) - n);
    for (std::size_t i = first; i < last; ++i) out[sorted.index[i]] = rank;
  });
}

// Writes average ranks minus `shift` into out.
void write_ranks(const Eigen::Ref<const Eigen::VectorXd>& values, double shift,
                 Eigen::Ref<Eigen::VectorXd> out) {
  const auto& sorted = sorted_keys(span_of(values));
  for_each_tie(sorted, [&](std::size_t first, std::size_t last) {
    // Ranks first+1 .. last share their mean (first + 1 + last) / 2.
    const double rank = 0.5 * static_cast<double>(first + 1 + last) - shift;
    for (std::size_t i = first; i < last; ++i) {
      out[static_cast<Eigen::Index>(sorted.index[i])] = rank;
    }
  });
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
  write_doubled_ranks(sorted_keys(values), out.data());
}

void doubled_centred_ranks(const double* column, std::span<const std::size_t> rows,
                           std::span<std::int32_t> out) {
  if (out.size() != rows.size() || rows.size() >= (std::size_t{1} << 31)) {
    throw AnalysisError("doubled_centred_ranks: output has " + std::to_string(out.size()) +
                        " entries for " + std::to_string(rows.size()) + " rows");
  }
  write_doubled_ranks(sort_keys(rows.size(), [&](std::size_t i) { return column[rows[i]]; }),
                      out.data());
}

void sort_values(std::vector<double>& values) {
  SortScratch& s = scratch();
  std::vector<std::uint64_t> keys(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      throw AnalysisError("sort: value " + std::to_string(i) +
                          " is NaN; drop incomplete rows before analysis");
    }
    keys[i] = order_key(values[i]);
  }
  radix_sort(keys, s.key_spare, s.count);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = from_order_key(keys[i]);
}

double tie_correction_sum(const Eigen::Ref<const Eigen::VectorXd>& values) {
  double sum = 0.0;
  for_each_tie(sorted_keys(span_of(values)), [&](std::size_t first, std::size_t last) {
    const auto t = static_cast<double>(last - first);
    sum += t * t * t - t;
  });
  return sum;
}

}  // namespace tmex::analysis
