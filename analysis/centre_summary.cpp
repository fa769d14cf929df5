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
  // starting the walk 6 sd below the median's rank almost never starts above it (then the
  // walk starts at 0).
  const auto margin =
      static_cast<Eigen::Index>(std::ceil(3.0 * std::sqrt(static_cast<double>(n)))) + 1;
  for (Eigen::Index j = 0; j < m; ++j) {
    auto& c = columns[static_cast<std::size_t>(j)];
    c.order.resize(static_cast<std::size_t>(n));
    std::iota(c.order.begin(), c.order.end(), Eigen::Index{0});
    std::stable_sort(c.order.begin(), c.order.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return values(a, j) < values(b, j); });
    c.values.resize(static_cast<std::size_t>(n));
    for (Eigen::Index k = 0; k < n; ++k)
      c.values[static_cast<std::size_t>(k)] = values(c.order[static_cast<std::size_t>(k)], j);
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

  // The product's right side: each column centred by its mean (sums of small numbers keep
  // their precision), then per column the indicator of rows below its walk's start.
  Eigen::MatrixXd right(n, 2 * m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto& c = columns[static_cast<std::size_t>(j)];
    right.col(j) = values.col(j).array() - out[static_cast<std::size_t>(j)].mean;
    right.col(m + j).setZero();
    for (Eigen::Index k = 0; k < c.start; ++k)
      right(c.order[static_cast<std::size_t>(k)], m + j) = 1.0;
  }
  // Resample r of column j: means[j * resamples + r], medians likewise.
  std::vector<double> means(static_cast<std::size_t>(m * resamples));
  std::vector<double> medians(static_cast<std::size_t>(m * resamples));
  const auto blocks = static_cast<std::size_t>((resamples + kBlock - 1) / kBlock);
  parallel_for(blocks, options.threads, [&](std::size_t b) {
    const Eigen::Index first = static_cast<Eigen::Index>(b) * kBlock;
    const Eigen::Index size = std::min<Eigen::Index>(kBlock, resamples - first);
    RowMajor counts = RowMajor::Zero(size, n);
    for (Eigen::Index r = 0; r < size; ++r) {
      BootstrapStream stream(options.seed, static_cast<std::uint64_t>(first + r));
      for (Eigen::Index i = 0; i < n; ++i) {
        counts(r, static_cast<Eigen::Index>(stream.below(static_cast<std::uint64_t>(n)))) += 1.0;
      }
    }
    const Eigen::MatrixXd sums = counts * right;  // size x 2m
    for (Eigen::Index j = 0; j < m; ++j) {
      const auto& c = columns[static_cast<std::size_t>(j)];
      const auto& o = out[static_cast<std::size_t>(j)];
      for (Eigen::Index r = 0; r < size; ++r) {
        const auto slot = static_cast<std::size_t>(j * resamples + first + r);
        means[slot] = o.mean + sums(r, j) / static_cast<double>(n);
        // The draws at sorted positions below the start, then a walk up to positions lo, hi.
        Eigen::Index k = c.start;
        double below = sums(r, m + j);
        if (below > static_cast<double>(lo)) {
          k = 0;
          below = 0.0;
        }
        double at_lo = std::numeric_limits<double>::quiet_NaN();
        double at_hi = at_lo;
        for (; k < n; ++k) {
          const double count = counts(r, c.order[static_cast<std::size_t>(k)]);
          if (count == 0.0) continue;
          if (std::isnan(at_lo) && below + count > static_cast<double>(lo)) {
            at_lo = c.values[static_cast<std::size_t>(k)];
          }
          if (below + count > static_cast<double>(hi)) {
            at_hi = c.values[static_cast<std::size_t>(k)];
            break;
          }
          below += count;
        }
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
