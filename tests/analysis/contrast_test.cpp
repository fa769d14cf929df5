// Tests of paired contrasts between arms against closed forms and SciPy-computed references.
#include "analysis/contrast.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analysis/analysis_error.hpp"
#include "analysis/arms_analysis.hpp"
#include "analysis/bootstrap.hpp"
#include "analysis/centre_summary.hpp"
#include "analysis/mcnemar.hpp"

namespace tmex::analysis {
namespace {

// Data and reference values from tests/analysis/contrast_reference.py (SciPy 1.10.1): 30
// samples of two parameters; an output y under a reference arm and an arm that lowers it more
// where p1 is high (and not at all in samples 3 and 17); a 0/1 event the arm mostly prevents
// (and causes in samples 1 and 2).
const std::vector<double> kP1 = {0.221, 0.16,  0.273, 0.852, 0.697, 0.614, 0.459, 0.519,
                                 0.751, 0.039, 0.543, 0.718, 0.14,  0.971, 0.11,  0.755,
                                 0.092, 0.359, 0.73,  0.486, 0.462, 0.139, 0.17,  0.253,
                                 0.191, 0.862, 0.086, 0.587, 0.898, 0.639};
const std::vector<double> kP2 = {0.193, 0.805, 0.951, 0.853, 0.773, 0.092, 0.405, 0.573,
                                 0.751, 0.036, 0.286, 0.194, 0.264, 0.673, 0.992, 0.985,
                                 0.111, 0.721, 0.693, 0.278, 0.33,  0.556, 0.304, 0.12,
                                 0.695, 0.382, 0.286, 0.18,  0.818, 0.891};
const std::vector<double> kRef = {5.496, 5.09,  5.41,  7.198, 6.433, 6.175, 5.772, 5.296,
                                  6.39,  5.249, 5.831, 7.158, 5.117, 7.381, 5.013, 6.609,
                                  5.258, 6.032, 6.576, 5.917, 6.056, 4.661, 5.094, 5.757,
                                  5.903, 6.414, 5.429, 6.577, 6.581, 5.936};
const std::vector<double> kArm = {5.076, 4.712, 5.195, 7.198, 5.133, 5.095, 5.298, 4.847,
                                  4.852, 5.202, 4.861, 6.223, 4.838, 6.088, 4.701, 5.507,
                                  5.356, 6.032, 5.412, 5.215, 5.259, 4.333, 4.936, 5.274,
                                  5.649, 4.972, 5.774, 5.607, 5.435, 4.926};
const std::vector<double> kEventRef = {1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1,
                                       1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0};
const std::vector<double> kEventArm = {1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0,
                                       0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};

CampaignInfo campaign(std::uint32_t replicates = 1) {
  CampaignInfo c;
  c.source = "memory";
  c.name = "test";
  c.design = "lhs";
  c.samples = kP1.size();
  c.replicates = replicates;
  c.seed = 7;
  c.parameters = {{"p1", 0.0, 1.0}, {"p2", 0.0, 1.0}};
  c.outputs = {"y", "event"};
  c.better = {Direction::kLower, Direction::kLower};
  c.arms = {"chemo", "drug"};
  return c;
}

// The runs of both arms, sample by sample, in store order (sample, arm, replicate); each
// replicate r adds r to both arms' y (the same noise in both: common random numbers).
RunTable table(std::uint32_t replicates = 1) {
  RunTable t;
  t.columns = {"p1", "p2", "y", "event"};
  std::vector<std::vector<double>> columns(4);
  for (std::size_t i = 0; i < kP1.size(); ++i) {
    for (std::uint32_t arm = 0; arm < 2; ++arm) {
      for (std::uint32_t r = 0; r < replicates; ++r) {
        columns[0].push_back(kP1[i]);
        columns[1].push_back(kP2[i]);
        columns[2].push_back((arm == 0 ? kRef[i] : kArm[i]) + r);
        columns[3].push_back(arm == 0 ? kEventRef[i] : kEventArm[i]);
        t.sample.push_back(i);
        t.arm.push_back(arm);
        t.replicate.push_back(r);
        t.block.push_back(0);
        t.ok.push_back(1);
      }
    }
  }
  t.rows = t.sample.size();
  for (const auto& c : columns) t.values.insert(t.values.end(), c.begin(), c.end());
  return t;
}

ContrastPlan plan_of(const CampaignInfo& c, ContrastRequest request = {}) {
  request.threads = 2;
  return plan_contrasts(c, request);
}

TEST(McNemar, ExactTwoSidedPValuesAgreeWithScipy) {
  // scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue
  EXPECT_NEAR(mcnemar_test(0, 0, 8, 62).p_value, 1.8267652540930775e-11, 1e-20);
  EXPECT_NEAR(mcnemar_test(0, 0, 62, 8).p_value, 1.8267652540930775e-11, 1e-20);
  EXPECT_NEAR(mcnemar_test(0, 0, 1000, 0).p_value / 1.8665272370064378e-301, 1.0, 1e-9);
  EXPECT_NEAR(mcnemar_test(0, 0, 5, 3).p_value, 0.7265625, 1e-15);
  EXPECT_NEAR(mcnemar_test(0, 0, 10, 20).p_value, 0.09873714670538905, 1e-15);
  EXPECT_EQ(mcnemar_test(0, 0, 1, 0).p_value, 1.0);
  EXPECT_EQ(mcnemar_test(0, 0, 30, 30).p_value, 1.0);
  EXPECT_NEAR(mcnemar_test(0, 0, 0, 7).p_value, 0.015625, 1e-15);
  EXPECT_EQ(mcnemar_test(4, 9, 0, 0).p_value, 1.0);  // no discordant pair
  const auto t = mcnemar_test(6, 13, 10, 1);
  EXPECT_EQ(t.both, 6u);
  EXPECT_EQ(t.neither, 13u);
  EXPECT_EQ(t.prevented, 10u);
  EXPECT_EQ(t.caused, 1u);
}

// The bootstrap of summarize_centres is the textbook one: resample r draws N rows with
// BootstrapStream(seed, r), and the interval is the percentile interval of the resamples'
// mean and type-7 median. A brute-force resampler must give the same intervals.
TEST(CentreSummary, SharedResamplesGiveTheTextbookPercentileIntervals) {
  for (const Eigen::Index n : {Eigen::Index{7}, Eigen::Index{30}, Eigen::Index{501}}) {
    Eigen::MatrixXd values(n, 3);
    for (Eigen::Index i = 0; i < n; ++i) {
      values(i, 0) = std::sin(0.7 * static_cast<double>(i)) * 3.0 + 100.0;
      values(i, 1) = static_cast<double>((i * 7) % 5);  // many ties
      values(i, 2) = std::exp(0.01 * static_cast<double>(i));
    }
    CentreOptions o;
    o.resamples = 200;
    o.seed = 42;
    o.threads = 1;
    const auto summary = summarize_centres(values, o);
    o.threads = 3;
    const auto threaded = summarize_centres(values, o);
    for (Eigen::Index j = 0; j < 3; ++j) {
      SCOPED_TRACE("n = " + std::to_string(n) + ", column " + std::to_string(j));
      std::vector<double> means, medians;
      for (int r = 0; r < o.resamples; ++r) {
        BootstrapStream stream(o.seed, static_cast<std::uint64_t>(r));
        std::vector<double> drawn;
        for (Eigen::Index i = 0; i < n; ++i) {
          drawn.push_back(
              values(static_cast<Eigen::Index>(stream.below(static_cast<std::uint64_t>(n))), j));
        }
        means.push_back(std::accumulate(drawn.begin(), drawn.end(), 0.0) / static_cast<double>(n));
        std::sort(drawn.begin(), drawn.end());
        medians.push_back(sorted_quantile(drawn, 0.5));
      }
      const auto [mean_low, mean_high] = percentile_interval(means, 0.95);
      const auto [median_low, median_high] = percentile_interval(medians, 0.95);
      const auto& s = summary[static_cast<std::size_t>(j)];
      EXPECT_NEAR(s.mean_low, mean_low, 1e-9);
      EXPECT_NEAR(s.mean_high, mean_high, 1e-9);
      EXPECT_EQ(s.median_low, median_low);
      EXPECT_EQ(s.median_high, median_high);
      std::vector<double> sorted(values.col(j).data(), values.col(j).data() + n);
      std::sort(sorted.begin(), sorted.end());
      EXPECT_EQ(s.median, sorted_quantile(sorted, 0.5));
      EXPECT_NEAR(s.mean, values.col(j).mean(), 1e-12);
      // The same numbers on any number of threads.
      const auto& t = threaded[static_cast<std::size_t>(j)];
      EXPECT_EQ(t.mean_low, s.mean_low);
      EXPECT_EQ(t.median_high, s.median_high);
    }
  }
}

TEST(CentreSummary, AConstantColumnHasAZeroWidthIntervalAndLargeSamplesAreNormal) {
  Eigen::MatrixXd values = Eigen::MatrixXd::Constant(1000, 1, 1.0);
  const auto s = summarize_centres(values, {});
  EXPECT_EQ(s[0].mean, 1.0);
  EXPECT_EQ(s[0].mean_low, 1.0);
  EXPECT_EQ(s[0].mean_high, 1.0);
  EXPECT_EQ(s[0].median_low, 1.0);
  EXPECT_EQ(s[0].median_high, 1.0);
  EXPECT_EQ(s[0].sd, 0.0);
  Eigen::MatrixXd ramp(100, 1);
  for (int i = 0; i < 100; ++i) ramp(i, 0) = i;
  CentreOptions o;
  o.intervals = SummaryIntervals::kLargeSample;
  const auto l = summarize_centres(ramp, o)[0];
  const double se = std::sqrt(100.0 * 101.0 / 12.0) / 10.0;  // sd of 0..99 is sqrt(n(n+1)/12)
  EXPECT_NEAR(l.mean_low, 49.5 - 1.959963984540054 * se, 1e-9);
  EXPECT_NEAR(l.mean_high, 49.5 + 1.959963984540054 * se, 1e-9);
  EXPECT_THROW(summarize_centres(Eigen::MatrixXd::Zero(1, 1), {}), AnalysisError);
}

TEST(Contrast, PairedStatisticsAgreeWithScipy) {
  const auto c = campaign();
  const auto contrasts = contrast_arms(c, table(), plan_of(c));
  ASSERT_EQ(contrasts.size(), 1u);
  const Contrast& k = contrasts[0];
  EXPECT_EQ(k.arm, "drug");
  EXPECT_EQ(k.reference, "chemo");
  EXPECT_EQ(k.samples, 30u);
  EXPECT_EQ(k.run_pairs, 30u);
  const OutputContrast& y = k.outputs[0];
  EXPECT_EQ(y.output, "y");
  EXPECT_FALSE(y.binary);
  EXPECT_FALSE(y.mcnemar);
  EXPECT_NEAR(y.difference.mean, -0.6267666666666666, 1e-12);
  EXPECT_NEAR(y.difference.median, -0.4784999999999999, 1e-12);
  EXPECT_NEAR(y.difference.sd, 0.5086452380204886, 1e-12);
  EXPECT_LT(y.difference.mean_low, y.difference.mean);
  EXPECT_GT(y.difference.mean_high, y.difference.mean);
  EXPECT_LT(y.difference.mean_high, 0.0);
  EXPECT_EQ(y.increased, 2u);
  EXPECT_EQ(y.decreased, 26u);
  EXPECT_EQ(y.unchanged, 2u);
  // Lower is better: 26 of 30 benefit; Wilson interval as binomtest(...).proportion_ci.
  EXPECT_EQ(y.benefit.events, 26);
  EXPECT_NEAR(y.benefit.ci_low, 0.7031867331796371, 1e-12);
  EXPECT_NEAR(y.benefit.ci_high, 0.9469034451594525, 1e-12);
  const OutputContrast& e = k.outputs[1];
  EXPECT_TRUE(e.binary);
  ASSERT_TRUE(e.mcnemar);
  EXPECT_EQ(e.mcnemar->both, 6u);
  EXPECT_EQ(e.mcnemar->neither, 13u);
  EXPECT_EQ(e.mcnemar->prevented, 10u);
  EXPECT_EQ(e.mcnemar->caused, 1u);
  EXPECT_NEAR(e.mcnemar->p_value, 0.01171875, 1e-15);
  EXPECT_NEAR(e.reference_mean, 16.0 / 30.0, 1e-15);  // both + prevented
  EXPECT_NEAR(e.arm_mean, 7.0 / 30.0, 1e-15);         // both + caused
  // PRCC of the difference on p1 and p2, with Student-t p-values (df = N - 3).
  ASSERT_TRUE(k.predictors);
  EXPECT_NEAR(k.predictors->coefficient(0, 0), -0.7843513971967585, 1e-10);
  EXPECT_NEAR(k.predictors->p_value(0, 0), 4.779176131623648e-07, 1e-12);
  EXPECT_NEAR(k.predictors->coefficient(1, 0), 0.18302124679488754, 1e-10);
  EXPECT_NEAR(k.predictors->p_value(1, 0), 0.3419569181421932, 1e-9);
}

TEST(Contrast, SubgroupsAreFifthsOfTheTopParameters) {
  const auto c = campaign();
  ContrastRequest request;
  request.outputs = {"y"};
  request.subgroup_parameters = 1;
  const auto k = contrast_arms(c, table(), plan_of(c, request)).front();
  ASSERT_EQ(k.subgroups.size(), 5u);
  // SciPy: fifths of p1 (6 samples each), mean difference with a Student-t interval.
  const double low[] = {0.039, 0.16, 0.359, 0.587, 0.751};
  const double high[] = {0.14, 0.273, 0.543, 0.73, 0.971};
  const double mean[] = {-0.08716666666666661, -0.31800000000000006, -0.5653333333333334, -1.0765,
                         -1.0868333333333333};
  const double ci_low[] = {-0.3718787041587847, -0.45201091784627934, -0.9220115854615087,
                           -1.2199371612235428, -1.6724780047179864};
  const double ci_high[] = {0.19754537082545148, -0.1839890821537208, -0.20865508120515797,
                            -0.9330628387764572, -0.5011886619486804};
  const double benefit[] = {4.0 / 6, 1.0, 5.0 / 6, 1.0, 5.0 / 6};
  for (std::size_t g = 0; g < 5; ++g) {
    const Subgroup& s = k.subgroups[g];
    EXPECT_EQ(s.parameter, "p1");
    EXPECT_EQ(s.fifth, g + 1);
    EXPECT_EQ(s.samples, 6u);
    EXPECT_EQ(s.low, low[g]);
    EXPECT_EQ(s.high, high[g]);
    EXPECT_NEAR(s.mean, mean[g], 1e-12);
    EXPECT_NEAR(s.mean_low, ci_low[g], 1e-9);
    EXPECT_NEAR(s.mean_high, ci_high[g], 1e-9);
    EXPECT_NEAR(s.p_benefit, benefit[g], 1e-15);
  }
  ASSERT_EQ(k.scatter.size(), 1u);
  EXPECT_EQ(k.scatter[0].parameter, "p1");
  EXPECT_EQ(k.scatter[0].differences.size(), 30u);
}

// Replicates are paired replicate with replicate and averaged per sample; the noise they share
// cancels (common random numbers), so the differences are those of one replicate.
TEST(Contrast, ReplicatesArePairedAndAveraged) {
  const auto c = campaign(3);
  const auto one = contrast_arms(campaign(), table(), plan_of(campaign())).front();
  const auto three = contrast_arms(c, table(3), plan_of(c)).front();
  EXPECT_EQ(three.samples, 30u);
  EXPECT_EQ(three.run_pairs, 90u);
  EXPECT_NEAR(three.outputs[0].difference.mean, one.outputs[0].difference.mean, 1e-12);
  EXPECT_NEAR(three.outputs[0].difference.median, one.outputs[0].difference.median, 1e-12);
  EXPECT_NEAR(three.outputs[0].reference_mean, one.outputs[0].reference_mean + 1.0, 1e-12);
  ASSERT_TRUE(three.outputs[1].mcnemar);
  EXPECT_EQ(three.outputs[1].mcnemar->prevented, 30u);  // 10 samples x 3 replicates
  EXPECT_TRUE(std::isnan(three.outputs[1].mcnemar->p_value));
}

// Two arms that differ by exactly 1 everywhere: every difference 1, a zero-width interval.
TEST(Contrast, AConstantDifferenceHasAZeroWidthIntervalAndNoPredictor) {
  auto c = campaign();
  c.better = {Direction::kHigher, Direction::kUnknown};
  RunTable t = table();
  for (std::size_t r = 0; r < t.rows; ++r) {
    t.values[2 * t.rows + r] = 1536.0 + t.values[0 * t.rows + r] + t.arm[r];
  }
  const auto k = contrast_arms(c, t, plan_of(c)).front();
  const auto& y = k.outputs[0];
  EXPECT_EQ(y.difference.mean, 1.0);
  EXPECT_EQ(y.difference.mean_low, 1.0);
  EXPECT_EQ(y.difference.mean_high, 1.0);
  EXPECT_EQ(y.difference.median_low, 1.0);
  EXPECT_EQ(y.difference.median_high, 1.0);
  EXPECT_EQ(y.benefit.events, 30);  // higher is better here
  EXPECT_TRUE(std::isnan(k.predictors->coefficient(0, 0)));
  for (const auto& s : k.subgroups) EXPECT_NE(s.output, "y");
  // Without a direction there is no benefit, only the signs.
  EXPECT_EQ(k.outputs[1].benefit.samples, 0);
  EXPECT_TRUE(std::isnan(k.outputs[1].benefit.probability));
}

TEST(Contrast, FailedAndMissingRunsAreLeftOutAndCounted) {
  const auto c = campaign();
  RunTable t = table();
  t.ok[2 * 4 + 1] = 0;  // sample 4 failed under the arm
  t.ok[2 * 5] = 0;      // sample 5 failed under the reference
  t.ok[2 * 6] = 0;      // sample 6 failed under both
  t.ok[2 * 6 + 1] = 0;
  t.values[2 * t.rows + 2 * 7] = std::nan("");  // sample 7 has no y under the reference
  // Sample 29 under the arm is not stored yet.
  for (auto& v : {&t.sample}) v->pop_back();
  t.arm.pop_back();
  t.replicate.pop_back();
  t.block.pop_back();
  t.ok.pop_back();
  std::vector<double> values;
  for (std::size_t col = 0; col < 4; ++col) {
    values.insert(values.end(), t.values.begin() + static_cast<std::ptrdiff_t>(col * t.rows),
                  t.values.begin() + static_cast<std::ptrdiff_t>(col * t.rows + t.rows - 1));
  }
  t.values = values;
  t.rows -= 1;
  const auto k = contrast_arms(c, t, plan_of(c)).front();
  EXPECT_EQ(k.samples, 25u);
  EXPECT_EQ(k.failed_arm_only, 1u);
  EXPECT_EQ(k.failed_reference_only, 2u);
  EXPECT_EQ(k.failed_both, 1u);
  EXPECT_EQ(k.unmatched, 1u);
  EXPECT_EQ(k.notes.size(), 2u);
}

TEST(Contrast, RunsOfOneSampleMustShareTheirParameters) {
  const auto c = campaign();
  RunTable t = table();
  t.values[3] += 0.5;  // p1 of sample 1 under the arm
  try {
    contrast_arms(c, t, plan_of(c));
    FAIL() << "mismatched samples were paired";
  } catch (const AnalysisError& e) {
    EXPECT_NE(std::string(e.what()).find("sample 1 has p1 = 0.16 under chemo but 0.66 under drug"),
              std::string::npos)
        << e.what();
  }
}

TEST(Contrast, PlansResolveArmsOutputsAndDirections) {
  auto c = campaign();
  c.arms = {"chemo", "a", "b"};
  c.better = {Direction::kUnknown, Direction::kLower};
  const auto all = plan_contrasts(c, {});
  EXPECT_EQ(all.pairs, (std::vector<ContrastPair>{{1, 0}, {2, 0}}));
  EXPECT_EQ(all.better, (std::vector<Direction>{Direction::kUnknown, Direction::kLower}));
  ContrastRequest r;
  r.contrasts = {"b:a", "a"};
  r.better = Direction::kHigher;
  r.better_outputs = {{"event", Direction::kHigher}};
  const auto p = plan_contrasts(c, r);
  EXPECT_EQ(p.pairs, (std::vector<ContrastPair>{{2, 1}, {1, 0}}));
  EXPECT_EQ(p.better, (std::vector<Direction>{Direction::kHigher, Direction::kHigher}));
  EXPECT_EQ(p.better_requested, (std::vector<bool>{true, true}));
  EXPECT_EQ(p.seed, 7u);

  const auto error_of = [&](ContrastRequest q, const CampaignInfo& info) -> std::string {
    try {
      plan_contrasts(info, q);
    } catch (const RequestError& e) {
      return e.what();
    }
    return "";
  };
  ContrastRequest q;
  q.contrasts = {"d"};
  EXPECT_EQ(error_of(q, c), "unknown arm 'd'; the campaign's arms are: chemo, a, b");
  q.contrasts = {"chemo"};
  EXPECT_NE(error_of(q, c).find("compares arm 'chemo' with itself"), std::string::npos);
  q.contrasts = {"a", "a:chemo"};
  EXPECT_NE(error_of(q, c).find("asked twice"), std::string::npos);
  q = {};
  q.outputs = {"z"};
  EXPECT_NE(error_of(q, c).find("unknown output 'z'"), std::string::npos);
  q = {};
  q.better_outputs = {{"z", Direction::kLower}};
  EXPECT_NE(error_of(q, c).find("unknown output 'z'"), std::string::npos);
  auto plain = campaign();
  plain.arms.clear();
  EXPECT_NE(error_of({}, plain).find("tmex compare"), std::string::npos);
  auto morris = campaign();
  morris.layout.kind = DesignKind::kMorris;
  EXPECT_NE(error_of({}, morris).find("Morris"), std::string::npos);
  EXPECT_THROW(parse_direction("up"), RequestError);
}

TEST(ArmsAnalysis, EachArmGetsTheUsualAnalysis) {
  const auto c = campaign();
  const RunTable t = table();
  AnalysisRequest request;
  request.outputs = {"y"};
  const auto plan = plan_analysis(c, request);
  const auto a = analyse_arms(c, t, plan, plan_of(c));
  ASSERT_EQ(a.arms.size(), 2u);
  EXPECT_EQ(a.arms[1].campaign.source, "memory (arm drug)");
  EXPECT_EQ(a.arms[0].ok_runs, 30u);
  ASSERT_TRUE(a.arms[1].uncertainty);
  double mean = 0.0;
  for (double v : kArm) mean += v;
  EXPECT_NEAR(a.arms[1].uncertainty->summaries[0].mean, mean / 30.0, 1e-12);
  EXPECT_EQ(a.contrasts.size(), 1u);
  const RunTable drug = runs_of_arm(t, 1);
  EXPECT_EQ(drug.rows, 30u);
  EXPECT_TRUE(drug.arm.empty());
  EXPECT_EQ(drug.column(2)[4], kArm[4]);
}

}  // namespace
}  // namespace tmex::analysis
