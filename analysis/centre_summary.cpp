// summarize_centres(): shared count-matrix resamples, means by a matrix product, medians by a walk.
#include "analysis/centre_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "analysis/analysis_error.hpp"
#include "analysis/bootstrap.hpp"
#include "analysis/parallel.hpp"

namespace tmex::analysis {

namespace {

constexpr Eigen::Index kBlock = 64;  // resamples per matrix product

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One column, sorted once: the order of its rows and the values in that order.
struct SortedColumn {
  std::vector<Eigen::Index> order;
  std::vector<double> values;
  Eigen::Index start = 0;  // where a resample's median walk starts
};

}  // namespace

std::vector<CentreSummary> summarize_centres(const Eigen::Ref<const Eigen::MatrixXd>& values,
                                             const CentreOptions& options) {
  const Eigen::Index n = values.rows();
  const Eigen::Index m = values.cols();
  if (n < 2)
    throw AnalysisError("summarize_centres: needs at least 2 rows, got " + std::to_string(n));
  if (!values.allFinite()) {
    throw AnalysisError("summarize_centres: NaN or infinite values; drop failed runs first");
  }
  if (!(options.confidence > 0.0 && options.confidence < 1.0) || options.resamples < 0) {
    throw AnalysisError("summarize_centres: confidence must be in (0, 1) and resamples >= 0");
  }
  std::vector<CentreSummary> out(static_cast<std::size_t>(m));
  std::vector<SortedColumn> columns(static_cast<std::size_t>(m));
  const double h = 0.5 * static_cast<double>(n - 1);  // type-7 median: between lo and hi
  const auto lo = static_cast<Eigen::Index>(std::floor(h));
  const Eigen::Index hi = std::min(lo + 1, n - 1);
  const double fraction = h - static_cast<double>(lo);
  // A resample's count of draws below position s is Binomial(n, s / n), sd <= sqrt(n) / 2:
  // starting the walk 4 sd below the median's rank starts above it about once in 30,000 walks
  // (then the walk starts at 0).
  const auto margin =
      static_cast<Eigen::Index>(std::ceil(2.0 * std::sqrt(static_cast<double>(n)))) + 1;
  for (Eigen::Index j = 0; j < m; ++j) {
    auto& c = columns[static_cast<std::size_t>(j)];
    // (value, row) pairs are distinct: the order is the same whatever the sort.
    std::vector<std::pair<double, Eigen::Index>> keyed(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) keyed[static_cast<std::size_t>(i)] = {values(i, j), i};
    std::sort(keyed.begin(), keyed.end());
    c.order.resize(static_cast<std::size_t>(n));
    c.values.resize(static_cast<std::size_t>(n));
    for (std::size_t k = 0; k < keyed.size(); ++k) std::tie(c.values[k], c.order[k]) = keyed[k];
    c.start = std::max<Eigen::Index>(0, lo - margin);
    UncertaintyOptions uo;
    uo.levels = {0.5};
    uo.resamples = 0;
    uo.confidence = options.confidence;
    uo.intervals = options.intervals;
    const UncertaintySummary s = summarize_sorted(c.values, "column", uo);
    auto& o = out[static_cast<std::size_t>(j)];
    o.mean = s.mean;
    o.sd = s.sd;
    o.median = s.quantiles[0];
    o.mean_low = s.mean_low;
    o.mean_high = s.mean_high;
    o.median_low = s.quantile_low[0];
    o.median_high = s.quantile_high[0];
  }
  if (options.intervals == SummaryIntervals::kLargeSample) return out;
  const int resamples = options.resamples;
  if (resamples == 0) return out;

  // The products' right sides: each column centred by its mean (sums of small numbers keep
  // their precision); and per column the indicator of rows below its walk's start, in single
  // precision (sums of at most N small integers are exact, and the product twice as fast).
  Eigen::MatrixXd centred(n, m);
  Eigen::MatrixXf below_start = Eigen::MatrixXf::Zero(n, m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto& c = columns[static_cast<std::size_t>(j)];
    centred.col(j) = values.col(j).array() - out[static_cast<std::size_t>(j)].mean;
    for (Eigen::Index k = 0; k < c.start; ++k)
      below_start(c.order[static_cast<std::size_t>(k)], j) = 1.0f;
  }
  // Resample r of column j: means[j * resamples + r], medians likewise.
  std::vector<double> means(static_cast<std::size_t>(m * resamples));
  std::vector<double> medians(static_cast<std::size_t>(m * resamples));
  const auto blocks = static_cast<std::size_t>((resamples + kBlock - 1) / kBlock);
  parallel_for(blocks, options.threads, [&](std::size_t b) {
    const Eigen::Index first = static_cast<Eigen::Index>(b) * kBlock;
    const Eigen::Index size = std::min<Eigen::Index>(kBlock, resamples - first);
    // Draw counts: 16 bits each, so that a resample's row stays in the first-level cache while
    // it is drawn (a count above 65535 of N draws is beyond any probability that matters, and
    // is checked).
    std::vector<std::uint16_t> counts(static_cast<std::size_t>(size * n), 0);
    RowMajor counts_d(size, n);
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> counts_f(size, n);
    for (Eigen::Index r = 0; r < size; ++r) {
      BootstrapStream stream(options.seed, static_cast<std::uint64_t>(first + r));
      std::uint16_t* row = counts.data() + r * n;
      for (Eigen::Index i = 0; i < n; ++i) {
        std::uint16_t& c = row[stream.below(static_cast<std::uint64_t>(n))];
        if (c == 0xffff) throw AnalysisError("summarize_centres: a row drawn 65535 times");
        ++c;
      }
      for (Eigen::Index i = 0; i < n; ++i) {
        counts_d(r, i) = row[i];
        counts_f(r, i) = static_cast<float>(row[i]);
      }
    }
    const Eigen::MatrixXd sums = counts_d * centred;       // size x m
    const Eigen::MatrixXf below = counts_f * below_start;  // size x m
    for (Eigen::Index j = 0; j < m; ++j) {
      const auto& c = columns[static_cast<std::size_t>(j)];
      const auto& o = out[static_cast<std::size_t>(j)];
      for (Eigen::Index r = 0; r < size; ++r) {
        const std::uint16_t* row = counts.data() + r * n;
        const auto slot = static_cast<std::size_t>(j * resamples + first + r);
        means[slot] = o.mean + sums(r, j) / static_cast<double>(n);
        // The draws at sorted positions below the start, then a walk up to positions lo, hi.
        Eigen::Index k = c.start;
        auto drawn = static_cast<Eigen::Index>(below(r, j));
        if (drawn > lo) {
          k = 0;
          drawn = 0;
        }
        // The first sorted position whose draws reach past lo (one predictable test a step),
        // then on to hi (the same position, or the next ones drawn).
        const auto count_at = [&](Eigen::Index q) -> Eigen::Index {
          return row[c.order[static_cast<std::size_t>(q)]];
        };
        while (drawn + count_at(k) <= lo) drawn += count_at(k++);
        const double at_lo = c.values[static_cast<std::size_t>(k)];
        while (drawn + count_at(k) <= hi) drawn += count_at(k++);
        const double at_hi = c.values[static_cast<std::size_t>(k)];
        medians[slot] = at_lo + fraction * (at_hi - at_lo);
      }
    }
  });
  for (Eigen::Index j = 0; j < m; ++j) {
    auto& o = out[static_cast<std::size_t>(j)];
    const auto begin = static_cast<std::ptrdiff_t>(j * resamples);
    std::vector<double> mean_r(means.begin() + begin, means.begin() + begin + resamples);
    std::vector<double> median_r(medians.begin() + begin, medians.begin() + begin + resamples);
    std::tie(o.mean_low, o.mean_high) = percentile_interval(mean_r, options.confidence);
    std::tie(o.median_low, o.median_high) = percentile_interval(median_r, options.confidence);
  }
  return out;
}

}  // namespace tmex::analysis
