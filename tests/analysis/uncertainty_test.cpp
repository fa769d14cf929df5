// Tests of the uncertainty summaries: moments, quantiles, bootstrap, histogram, event
// probabilities.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analysis/analysis_error.hpp"
#include "analysis/bootstrap.hpp"
#include "analysis/event_probability.hpp"
#include "analysis/histogram.hpp"
#include "analysis/uncertainty_summary.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

TEST(UncertaintySummary, SmallSampleMatchesHandValues) {
  Eigen::VectorXd y(5);
  y << 5.0, 1.0, 4.0, 2.0, 3.0;
  UncertaintyOptions options;
  options.resamples = 0;
  const UncertaintySummary s = summarize(y, "y", options);
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
  EXPECT_DOUBLE_EQ(s.sd, std::sqrt(2.5));
  // Type 7: position p (n - 1) = 4p -> 0.2, 1, 2, 3, 3.8 (0-based) of 1..5.
  const std::vector<double> expected = {1.2, 2.0, 3.0, 4.0, 4.8};
  for (std::size_t q = 0; q < 5; ++q) EXPECT_NEAR(s.quantiles[q], expected[q], 1e-12);
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 5.0);
  EXPECT_TRUE(std::isnan(s.mean_low));
}

TEST(UncertaintySummary, CountBootstrapEqualsANaiveResampleAndSort) {
  const Eigen::VectorXd y = (testing::lhs_unit(301, 1, 20).array().square() * 7.0).matrix();
  UncertaintyOptions options;
  options.resamples = 40;
  options.seed = 9;
  options.levels = {0.0, 0.05, 0.5, 0.95, 0.999, 1.0};
  const UncertaintySummary s = summarize(y, "y", options);

  std::vector<double> sorted(y.data(), y.data() + y.size());
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> means, sds;
  std::vector<std::vector<double>> quantiles(options.levels.size());
  for (int r = 0; r < options.resamples; ++r) {
    BootstrapStream stream(options.seed, static_cast<std::uint64_t>(r));
    std::vector<std::size_t> picks(sorted.size(), 0);
    for (std::size_t d = 0; d < sorted.size(); ++d) ++picks[stream.below(sorted.size())];
    std::vector<double> resample;
    for (std::size_t j = 0; j < sorted.size(); ++j)
      resample.insert(resample.end(), picks[j], sorted[j]);
    const double mean = std::accumulate(resample.begin(), resample.end(), 0.0) /
                        static_cast<double>(resample.size());
    double ss = 0.0;
    for (double v : resample) ss += (v - mean) * (v - mean);
    means.push_back(mean);
    sds.push_back(std::sqrt(ss / static_cast<double>(resample.size() - 1)));
    for (std::size_t q = 0; q < options.levels.size(); ++q) {
      quantiles[q].push_back(sorted_quantile(resample, options.levels[q]));
    }
  }
  const auto [mean_low, mean_high] = percentile_interval(means, options.confidence);
  EXPECT_NEAR(s.mean_low, mean_low, 1e-12);
  EXPECT_NEAR(s.mean_high, mean_high, 1e-12);
  const auto [sd_low, sd_high] = percentile_interval(sds, options.confidence);
  EXPECT_NEAR(s.sd_low, sd_low, 1e-12);
  EXPECT_NEAR(s.sd_high, sd_high, 1e-12);
  for (std::size_t q = 0; q < options.levels.size(); ++q) {
    const auto [low, high] = percentile_interval(quantiles[q], options.confidence);
    EXPECT_NEAR(s.quantile_low[q], low, 1e-12) << "level " << options.levels[q];
    EXPECT_NEAR(s.quantile_high[q], high, 1e-12) << "level " << options.levels[q];
  }
}

TEST(UncertaintySummary, UniformSampleIntervalsHaveTheExpectedSize) {
  const Eigen::Index n = 4000;
  const Eigen::VectorXd y = testing::lhs_unit(static_cast<std::uint64_t>(n), 1, 21);
  const UncertaintySummary s = summarize(y);
  // Var of the mean of U(0, 1) draws: 1 / (12 N); the percentile interval is about
  // +-1.96 standard errors.
  const double width = 2.0 * 1.959964 / std::sqrt(12.0 * static_cast<double>(n));
  EXPECT_NEAR((s.mean_high - s.mean_low) / width, 1.0, 0.15);
  for (std::size_t q = 0; q < s.levels.size(); ++q) {
    EXPECT_NEAR(s.quantiles[q], s.levels[q], 2.0 / static_cast<double>(n));
    EXPECT_LE(s.quantile_low[q], s.quantiles[q]);
    EXPECT_GE(s.quantile_high[q], s.quantiles[q]);
  }
  EXPECT_NEAR(s.sd, 1.0 / std::sqrt(12.0), 1e-3);
  Eigen::VectorXd with_nan = y;
  with_nan[3] = std::nan("");
  EXPECT_THROW(summarize(with_nan), AnalysisError);
}

TEST(UncertaintySummary, SummarizesEachColumnUnderItsName) {
  Eigen::MatrixXd y(4, 2);
  y << 1, 10, 2, 20, 3, 30, 4, 40;
  UncertaintyOptions options;
  options.resamples = 0;
  const auto all = summarize_columns(y, {"a", "b"}, options);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].output, "b");
  EXPECT_DOUBLE_EQ(all[1].mean, 25.0);
  EXPECT_EQ(summarize_columns(y, {}, options)[0].output, "y1");
  EXPECT_THROW(summarize_columns(y, {"a"}, options), AnalysisError);
}

TEST(Histogram, FreedmanDiaconisAndRequestedBins) {
  const Eigen::Index n = 1000;
  const Eigen::VectorXd y = testing::lhs_unit(static_cast<std::uint64_t>(n), 1, 22);
  const Histogram fd = histogram(y);
  // Uniform: IQR = 1/2 (up to 1/N), width = 2 (1/2) / 1000^(1/3) = 0.1, range just under 1.
  EXPECT_EQ(fd.counts.size(), 10u);
  EXPECT_EQ(fd.edges.size(), 11u);
  EXPECT_EQ(std::accumulate(fd.counts.begin(), fd.counts.end(), Eigen::Index{0}), n);
  for (auto c : fd.counts) EXPECT_NEAR(static_cast<double>(c), 100.0, 2.0);  // one per stratum
  const Histogram four = histogram(y, 4);
  EXPECT_EQ(four.counts.size(), 4u);
  EXPECT_EQ(four.edges.front(), y.minCoeff());
  EXPECT_EQ(four.edges.back(), y.maxCoeff());
  EXPECT_EQ(std::accumulate(four.counts.begin(), four.counts.end(), Eigen::Index{0}), n);
  const Histogram flat = histogram(Eigen::VectorXd::Constant(5, 2.0));
  EXPECT_EQ(flat.counts, std::vector<Eigen::Index>{5});
}

TEST(EventProbability, WilsonAndClopperPearsonMatchTheirFormulas) {
  Eigen::Array<bool, Eigen::Dynamic, 1> event(10);
  event << true, false, false, true, false, false, true, false, false, false;
  const EventProbability w = event_probability(event);
  EXPECT_EQ(w.events, 3);
  EXPECT_DOUBLE_EQ(w.probability, 0.3);
  // Published values for 3 of 10 at 95%: Wilson 0.1078-0.6032, exact 0.0667-0.6525.
  EXPECT_NEAR(w.ci_low, 0.10779, 1e-4);
  EXPECT_NEAR(w.ci_high, 0.60322, 1e-4);
  const EventProbability cp = event_probability(event, ProportionInterval::kClopperPearson);
  EXPECT_NEAR(cp.ci_low, 0.06674, 1e-4);
  EXPECT_NEAR(cp.ci_high, 0.65245, 1e-4);
  // No events: the exact upper limit is 1 - (alpha / 2)^(1 / n).
  const Eigen::Array<bool, Eigen::Dynamic, 1> none =
      Eigen::Array<bool, Eigen::Dynamic, 1>::Constant(20, false);
  const EventProbability zero = event_probability(none, ProportionInterval::kClopperPearson);
  EXPECT_EQ(zero.ci_low, 0.0);
  EXPECT_NEAR(zero.ci_high, 1.0 - std::pow(0.025, 1.0 / 20.0), 1e-12);
  const Eigen::VectorXd y = testing::lhs_unit(100, 1, 23);
  EXPECT_EQ(event_probability(y.array() > 0.9).events, 10);
}

}  // namespace
}  // namespace tmex::analysis
