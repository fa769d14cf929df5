// summarize(): moments and quantiles with count-vector bootstrap resamples.
#include "analysis/uncertainty_summary.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "analysis/analysis_error.hpp"
#include "analysis/bootstrap.hpp"
#include "analysis/labels.hpp"

namespace tmex::analysis {

namespace {

// The order statistics (0-based ranks) that type-7 quantiles at `levels` interpolate.
struct QuantilePlan {
  std::vector<std::size_t> lower;
  std::vector<double> fraction;
};

QuantilePlan plan(const std::vector<double>& levels, std::size_t n) {
  QuantilePlan p;
  for (double level : levels) {
    const double h = level * static_cast<double>(n - 1);
    const auto lo = std::min(static_cast<std::size_t>(std::floor(h)), n - 1);
    p.lower.push_back(lo);
    p.fraction.push_back(h - static_cast<double>(lo));
  }
  return p;
}

// Large-sample intervals at options.confidence (see SummaryIntervals::kLargeSample).
void large_sample_intervals(std::span<const double> sorted, UncertaintySummary& s,
                            double confidence) {
  const auto n = static_cast<double>(sorted.size());
  const double z =
      boost::math::quantile(boost::math::normal_distribution<double>(), (1.0 + confidence) / 2.0);
  const double se_mean = s.sd / std::sqrt(n);
  s.mean_low = s.mean - z * se_mean;
  s.mean_high = s.mean + z * se_mean;
  double m4 = 0.0;
  for (double v : sorted) m4 += std::pow(v - s.mean, 4);
  m4 /= n;
  const double var_s2 = std::max(0.0, (m4 - std::pow(s.sd, 4) * (n - 3.0) / (n - 1.0)) / n);
  const double se_sd = s.sd > 0.0 ? std::sqrt(var_s2) / (2.0 * s.sd) : 0.0;
  s.sd_low = std::max(0.0, s.sd - z * se_sd);
  s.sd_high = s.sd + z * se_sd;
  const auto last = n - 1.0;
  for (std::size_t q = 0; q < s.levels.size(); ++q) {
    const double p = s.levels[q];
    const double h = z * std::sqrt(n * p * (1.0 - p));
    const auto lo = static_cast<std::size_t>(std::clamp(std::floor(n * p - h) - 1.0, 0.0, last));
    const auto hi = static_cast<std::size_t>(std::clamp(std::ceil(n * p + h) - 1.0, 0.0, last));
    s.quantile_low[q] = std::min(sorted[lo], s.quantiles[q]);
    s.quantile_high[q] = std::max(sorted[hi], s.quantiles[q]);
  }
}

}  // namespace

UncertaintySummary summarize(const Eigen::Ref<const Eigen::VectorXd>& values,
                             const std::string& output, const UncertaintyOptions& options) {
  if (!values.allFinite()) {
    throw AnalysisError("summarize: '" + output + "' has NaN or infinite values; drop failed runs");
  }
  std::vector<double> sorted(values.data(), values.data() + values.size());
  std::sort(sorted.begin(), sorted.end());
  return summarize_sorted(sorted, output, options);
}

UncertaintySummary summarize_sorted(std::span<const double> sorted, const std::string& output,
                                    const UncertaintyOptions& options) {
  const auto n = sorted.size();
  if (n < 2) throw AnalysisError("summarize: '" + output + "' needs at least 2 values");
  if (!std::isfinite(sorted.front()) || !std::isfinite(sorted.back())) {
    throw AnalysisError("summarize: '" + output + "' has NaN or infinite values; drop failed runs");
  }
  for (double level : options.levels) {
    if (!(level >= 0.0 && level <= 1.0)) {
      throw AnalysisError("summarize: quantile level must be in [0, 1], got " +
                          std::to_string(level));
    }
  }
  if (options.resamples < 0 || !(options.confidence > 0.0 && options.confidence < 1.0)) {
    throw AnalysisError("summarize: resamples must be >= 0 and confidence in (0, 1)");
  }
  const auto dn = static_cast<double>(n);

  UncertaintySummary s;
  s.output = output;
  s.samples = static_cast<Eigen::Index>(n);
  s.levels = options.levels;
  s.resamples = options.resamples;
  s.confidence = options.confidence;
  s.min = sorted.front();
  s.max = sorted.back();
  // Deviations from a provisional centre keep the sums of squares free of cancellation.
  double centre = 0.0;
  for (double v : sorted) centre += v;
  centre /= dn;
  double sum = 0.0, sum2 = 0.0;
  for (double v : sorted) {
    sum += v - centre;
    sum2 += (v - centre) * (v - centre);
  }
  s.mean = centre + sum / dn;
  s.sd = std::sqrt(std::max(0.0, (sum2 - sum * sum / dn) / (dn - 1.0)));
  for (double level : options.levels) s.quantiles.push_back(sorted_quantile(sorted, level));

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::size_t q = options.levels.size();
  s.mean_low = s.mean_high = s.sd_low = s.sd_high = nan;
  s.quantile_low.assign(q, nan);
  s.quantile_high.assign(q, nan);
  if (options.intervals == SummaryIntervals::kLargeSample) {
    s.resamples = 0;
    large_sample_intervals(sorted, s, options.confidence);
    return s;
  }
  if (options.resamples == 0) return s;

  // Visit the order statistics each resample needs in ascending order.
  const QuantilePlan p = plan(options.levels, n);
  std::vector<std::size_t> order(q);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return p.lower[a] < p.lower[b]; });

  const auto resamples = static_cast<std::size_t>(options.resamples);
  std::vector<double> means(resamples), sds(resamples);
  std::vector<std::vector<double>> quantiles(q, std::vector<double>(resamples));
  std::vector<std::uint32_t> counts(n);
  std::vector<double> lower_value(q), upper_value(q);
  for (std::size_t r = 0; r < resamples; ++r) {
    std::fill(counts.begin(), counts.end(), 0u);
    BootstrapStream stream(options.seed, r);
    for (std::size_t d = 0; d < n; ++d) ++counts[stream.below(n)];
    double rs = 0.0, rs2 = 0.0;
    std::size_t seen = 0;  // values of the resample at or below sorted[j]
    std::size_t next = 0;  // position in `order` of the next quantile to fill
    bool upper_pending = false;
    for (std::size_t j = 0; j < n; ++j) {
      const std::uint32_t c = counts[j];
      if (c == 0) continue;
      const double d = sorted[j] - centre;
      rs += c * d;
      rs2 += c * d * d;
      seen += c;
      // Order statistic t of the resample is sorted[j] for seen_before <= t < seen.
      while (next < q) {
        const std::size_t a = order[next];
        if (!upper_pending) {
          if (p.lower[a] >= seen) break;
          lower_value[a] = sorted[j];
          upper_pending = true;
        }
        if (std::min(p.lower[a] + 1, n - 1) >= seen) break;
        upper_value[a] = sorted[j];
        upper_pending = false;
        ++next;
      }
    }
    means[r] = centre + rs / dn;
    sds[r] = std::sqrt(std::max(0.0, (rs2 - rs * rs / dn) / (dn - 1.0)));
    for (std::size_t a = 0; a < q; ++a) {
      quantiles[a][r] = lower_value[a] + p.fraction[a] * (upper_value[a] - lower_value[a]);
    }
  }
  std::tie(s.mean_low, s.mean_high) = percentile_interval(means, options.confidence);
  std::tie(s.sd_low, s.sd_high) = percentile_interval(sds, options.confidence);
  for (std::size_t a = 0; a < q; ++a) {
    std::tie(s.quantile_low[a], s.quantile_high[a]) =
        percentile_interval(quantiles[a], options.confidence);
  }
  return s;
}

std::vector<UncertaintySummary> summarize_columns(const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                                  const std::vector<std::string>& names,
                                                  const UncertaintyOptions& options) {
  const Labels labels = Labels{{}, names}.resolve(0, outputs.cols());
  std::vector<UncertaintySummary> out;
  for (Eigen::Index o = 0; o < outputs.cols(); ++o) {
    out.push_back(summarize(outputs.col(o), labels.outputs[static_cast<std::size_t>(o)], options));
  }
  return out;
}

}  // namespace tmex::analysis
