// Tests of the checks of a self-stopping campaign against closed forms and built cases.
#include "analysis/checkpoint_check.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numbers>
#include <random>

#include "analysis/analysis_error.hpp"
#include "sampling/distribution.hpp"
#include "sampling/nested_lhs.hpp"
#include "test_data.hpp"

namespace tmex::analysis {
namespace {

CampaignInfo info_of(std::size_t k, std::vector<std::string> outputs, DesignKind kind) {
  CampaignInfo c;
  c.name = "check";
  c.layout.kind = kind;
  c.layout.group_size = kind == DesignKind::kSaltelli ? k + 2 : 1;
  for (std::size_t i = 0; i < k; ++i) c.parameters.push_back({.name = "x" + std::to_string(i + 1)});
  c.outputs = std::move(outputs);
  return c;
}

// A run table of `x` (n x k) and `y` (n x m), one run per sample 0..n-1, all successful.
RunTable table_of(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                  const std::vector<std::string>& outputs) {
  RunTable t;
  for (Eigen::Index j = 0; j < x.cols(); ++j) t.columns.push_back("x" + std::to_string(j + 1));
  t.columns.insert(t.columns.end(), outputs.begin(), outputs.end());
  t.rows = static_cast<std::size_t>(x.rows());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    t.values.insert(t.values.end(), x.col(j).data(), x.col(j).data() + x.rows());
  }
  for (Eigen::Index j = 0; j < y.cols(); ++j) {
    t.values.insert(t.values.end(), y.col(j).data(), y.col(j).data() + y.rows());
  }
  for (std::size_t i = 0; i < t.rows; ++i) {
    t.sample.push_back(i);
    t.replicate.push_back(0);
    t.block.push_back(0);
    t.ok.push_back(1);
  }
  return t;
}

// Population PRCC of y = b . x + sd e with independent standard normal inputs and noise: the
// ranks' correlations are (6 / pi) asin(rho / 2) for Gaussian pairs (Pearson 1907), the inputs'
// ranks are uncorrelated, so PRCC_i = s_i / sqrt(s_i^2 + 1 - sum_j s_j^2).
std::vector<double> gaussian_linear_prcc(const std::vector<double>& b, double sd) {
  double var = sd * sd;
  for (double v : b) var += v * v;
  std::vector<double> s;
  double sum = 0.0;
  for (double v : b) {
    s.push_back(6.0 / std::numbers::pi * std::asin(v / std::sqrt(var) / 2.0));
    sum += s.back() * s.back();
  }
  std::vector<double> r;
  for (double si : s) r.push_back(si / std::sqrt(si * si + 1.0 - sum));
  return r;
}

// Half-width of the 95% Fisher-z interval of a partial correlation r of k parameters at n.
double fisher_halfwidth(double r, std::uint64_t n, std::size_t k) {
  const double z = boost::math::quantile(boost::math::normal(), 0.975);
  const double d = z / std::sqrt(static_cast<double>(n) - 3.0 - static_cast<double>(k - 1));
  return 0.5 * (std::tanh(std::atanh(r) + d) - std::tanh(std::atanh(r) - d));
}

// The linear model on a decorrelated nested Latin hypercube of normal inputs, as a campaign
// runs it.
struct LinearCampaign {
  std::vector<double> b{1, 2, 3};
  double sd = 2.0;
  sampling::NestedLatinHypercube design{250, 6, 3, 20261129, true};
  RunTable runs;

  LinearCampaign() {
    const auto n = static_cast<Eigen::Index>(design.size());
    Eigen::MatrixXd x(n, 3), y(n, 1);
    const auto normal = sampling::Distribution::normal(0.0, 1.0);
    std::mt19937_64 noise(7);
    std::normal_distribution<double> e;
    std::vector<double> u(3);
    for (Eigen::Index i = 0; i < n; ++i) {
      design.unit_point(static_cast<std::uint64_t>(i), u);
      y(i, 0) = sd * e(noise);
      for (Eigen::Index j = 0; j < 3; ++j) {
        x(i, j) = normal.quantile(u[static_cast<std::size_t>(j)]);
        y(i, 0) += b[static_cast<std::size_t>(j)] * x(i, j);
      }
    }
    runs = table_of(x, y, {"y"});
  }
};

TEST(CheckpointCheck, PrccHalfWidthsFollowTheFisherZIntervalOfTheEstimates) {
  const LinearCampaign linear;
  const CampaignInfo campaign = info_of(3, {"y"}, DesignKind::kLhs);
  StoppingRule rule;
  rule.criteria = {.halfwidth = 0.05, .stable_top = 3};
  const auto known = gaussian_linear_prcc(linear.b, linear.sd);
  const CheckpointCheck c = check_checkpoint(campaign, linear.runs, 4, 4000, 2000, rule);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_EQ(c.rows, 4000u);
  ASSERT_EQ(c.outputs.size(), 1u);
  const OutputCheck& o = c.outputs[0];
  // Every PRCC is significant; the widest interval is that of the smallest PRCC, x1.
  EXPECT_EQ(o.halfwidths.significant, 3);
  EXPECT_EQ(o.widest, "x1");
  EXPECT_NEAR(o.halfwidths.largest, fisher_halfwidth(known[0], 4000, 3), 0.003);
  EXPECT_EQ(o.top, (std::vector<std::string>{"x3", "x2", "x1"}));
  EXPECT_EQ(o.before, o.top);
  EXPECT_TRUE(o.top_stable);
  EXPECT_TRUE(c.met) << c.summary;
  EXPECT_NE(c.summary.find("converged: the top parameters keep their order from 2000 to 4000"),
            std::string::npos)
      << c.summary;
}

TEST(CheckpointCheck, LinearCampaignStopsWhereTheClosedFormHalfWidthFallsBelowTheTarget) {
  // For each checkpoint c >= 1 a target between the closed-form half-widths at c - 1 and c (their
  // geometric mean: 19% from each) must stop the campaign exactly at c.
  const LinearCampaign linear;
  const CampaignInfo campaign = info_of(3, {"y"}, DesignKind::kLhs);
  const auto known = gaussian_linear_prcc(linear.b, linear.sd);
  for (unsigned target_checkpoint = 1; target_checkpoint <= 6; ++target_checkpoint) {
    const double target = std::sqrt(
        fisher_halfwidth(known[0], linear.design.checkpoint_size(target_checkpoint), 3) *
        fisher_halfwidth(known[0], linear.design.checkpoint_size(target_checkpoint - 1), 3));
    StoppingRule rule;
    rule.criteria = {.halfwidth = target, .stable_top = 3};
    unsigned stopped = 99;
    for (unsigned c = 0; c <= 6 && stopped == 99; ++c) {
      const auto check =
          check_checkpoint(campaign, linear.runs, c, linear.design.checkpoint_size(c),
                           c == 0 ? 0 : linear.design.checkpoint_size(c - 1), rule);
      if (check.met) stopped = c;
    }
    EXPECT_EQ(stopped, target_checkpoint) << "half-width target " << target;
  }
}

TEST(CheckpointCheck, FirstCheckpointNeverStops) {
  const LinearCampaign linear;
  StoppingRule rule;
  rule.criteria = {.halfwidth = 0.9, .stable_top = 1};
  const auto c =
      check_checkpoint(info_of(3, {"y"}, DesignKind::kLhs), linear.runs, 0, 250, 0, rule);
  EXPECT_TRUE(c.error.empty());
  EXPECT_FALSE(c.met);
  EXPECT_TRUE(c.outputs[0].before.empty());
  EXPECT_NE(c.summary.find("first checkpoint"), std::string::npos) << c.summary;
}

TEST(CheckpointCheck, AChangedOrderOfTheTopParametersIsNotConverged) {
  // x1 leads on the first 500 samples, x2 on all 1000: the top 2 changed.
  const Eigen::MatrixXd x = testing::lhs_unit(1000, 3, 5);
  Eigen::MatrixXd y(1000, 1);
  for (Eigen::Index i = 0; i < 1000; ++i) {
    y(i, 0) = i < 500 ? 3 * x(i, 0) + x(i, 1) : 0.2 * x(i, 0) + 6 * x(i, 1);
  }
  StoppingRule rule;
  rule.criteria = {.halfwidth = 0.5, .stable_top = 2};
  const auto c = check_checkpoint(info_of(3, {"y"}, DesignKind::kLhs), table_of(x, y, {"y"}), 1,
                                  1000, 500, rule);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_FALSE(c.outputs[0].top_stable);
  EXPECT_EQ(c.outputs[0].before, (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(c.outputs[0].top, (std::vector<std::string>{"x2", "x1"}));
  EXPECT_FALSE(c.met);
  EXPECT_NE(c.summary.find("y: the top 2 went from (x1, x2) at 500 to (x2, x1) at 1000 samples"),
            std::string::npos)
      << c.summary;
}

TEST(CheckpointCheck, IgnoresFailedRunsAndRunsBeyondTheCheckpointAndAveragesReplicates) {
  const Eigen::MatrixXd x = testing::lhs_unit(400, 2, 9);
  Eigen::MatrixXd y(400, 1);
  for (Eigen::Index i = 0; i < 400; ++i) y(i, 0) = x(i, 0) + 2 * x(i, 1);
  RunTable t = table_of(x, y, {"y"});
  const auto clean = check_checkpoint(info_of(2, {"y"}, DesignKind::kLhs), t, 1, 400, 200, {});
  // Two replicates of each sample with noise that cancels in their mean, a failed third
  // replicate, and runs of later samples that must not count.
  RunTable r;
  r.columns = t.columns;
  std::vector<std::vector<double>> columns(3);
  auto add = [&](std::uint64_t sample, std::uint32_t replicate, double dy, bool ok) {
    r.sample.push_back(sample);
    r.replicate.push_back(replicate);
    r.block.push_back(0);
    r.ok.push_back(ok ? 1 : 0);
    const auto i = static_cast<Eigen::Index>(sample % 400);
    columns[0].push_back(x(i, 0));
    columns[1].push_back(x(i, 1));
    columns[2].push_back(ok ? y(i, 0) + dy : std::nan(""));
  };
  for (std::uint64_t s = 400; s-- > 0;) {  // in reverse: order must not matter
    add(s, 0, 0.25, true);
    add(s, 1, -0.25, true);
    add(s, 2, 0.0, false);
    add(s + 400, 0, 100.0 * static_cast<double>(s % 7), true);
  }
  r.rows = r.sample.size();
  for (const auto& c : columns) r.values.insert(r.values.end(), c.begin(), c.end());
  const auto replicated = check_checkpoint(info_of(2, {"y"}, DesignKind::kLhs), r, 1, 400, 200, {});
  ASSERT_TRUE(replicated.error.empty()) << replicated.error;
  EXPECT_EQ(replicated.rows, 400u);
  EXPECT_EQ(replicated.outputs[0].halfwidths.largest, clean.outputs[0].halfwidths.largest);
  EXPECT_EQ(replicated.outputs[0].top, clean.outputs[0].top);
}

TEST(CheckpointCheck, TooFewRunsIsAnErrorNotAnException) {
  const Eigen::MatrixXd x = testing::lhs_unit(6, 3, 1);
  const Eigen::MatrixXd y = x.rowwise().sum();
  const auto c =
      check_checkpoint(info_of(3, {"y"}, DesignKind::kLhs), table_of(x, y, {"y"}), 1, 6, 3, {});
  EXPECT_FALSE(c.met);
  EXPECT_NE(c.error.find("needs at least 7 successful samples"), std::string::npos) << c.error;
  EXPECT_NE(c.summary.find("not converged"), std::string::npos);
}

TEST(CheckpointCheck, RefusesUnknownOutputsAndMeasuresThatDoNotFitTheDesign) {
  const Eigen::MatrixXd x = testing::lhs_unit(50, 2, 1);
  const Eigen::MatrixXd y = x.rowwise().sum();
  const RunTable t = table_of(x, y, {"y"});
  StoppingRule rule;
  rule.outputs = {"z"};
  EXPECT_THROW(check_checkpoint(info_of(2, {"y"}, DesignKind::kLhs), t, 1, 50, 25, rule),
               AnalysisError);
  rule.outputs = {};
  rule.measure = StoppingMeasure::kSobol;
  EXPECT_THROW(check_checkpoint(info_of(2, {"y"}, DesignKind::kLhs), t, 1, 50, 25, rule),
               AnalysisError);
  rule.measure = StoppingMeasure::kPrcc;
  EXPECT_THROW(check_checkpoint(info_of(2, {"y"}, DesignKind::kSaltelli), t, 1, 50, 25, rule),
               AnalysisError);
}

TEST(CheckpointCheck, SobolRanksByTotalIndexAndJudgesBothIntervals) {
  // y = x1 + 2 x2 + 4 x3 on a Saltelli design of 512 base rows: ST ordered x3, x2, x1.
  const std::size_t k = 3;
  const Eigen::MatrixXd ab = testing::lhs_unit(512, 2 * k, 3);
  const Eigen::MatrixXd points = testing::saltelli_points(ab.leftCols(3), ab.rightCols(3));
  Eigen::MatrixXd y(points.rows(), 1);
  for (Eigen::Index i = 0; i < points.rows(); ++i) {
    y(i, 0) = points(i, 0) + 2 * points(i, 1) + 4 * points(i, 2);
  }
  RunTable t = table_of(points, y, {"y"});
  for (std::size_t i = 0; i < t.rows; ++i) t.block[i] = static_cast<std::int64_t>(i % (k + 2));
  StoppingRule rule;
  rule.measure = StoppingMeasure::kSobol;
  rule.seed = 4;
  rule.criteria = {.halfwidth = 0.2, .stable_top = 3};
  const auto c = check_checkpoint(info_of(k, {"y"}, DesignKind::kSaltelli), t, 2, 512, 256, rule);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_EQ(c.rows, 512u);
  EXPECT_EQ(c.outputs[0].top, (std::vector<std::string>{"ST(x3)", "ST(x2)", "ST(x1)"}));
  EXPECT_TRUE(c.outputs[0].top_stable);
  EXPECT_TRUE(c.outputs[0].halfwidths.met);
  EXPECT_GT(c.outputs[0].halfwidths.significant, 3);  // S and ST intervals both count
  EXPECT_TRUE(c.met) << c.summary;
  EXPECT_NE(c.summary.find("from 256 to 512 base rows"), std::string::npos) << c.summary;
  // The same check again gives the same numbers (bootstrap streams from the seed).
  const auto again =
      check_checkpoint(info_of(k, {"y"}, DesignKind::kSaltelli), t, 2, 512, 256, rule);
  EXPECT_EQ(again.outputs[0].halfwidths.largest, c.outputs[0].halfwidths.largest);
  rule.criteria.halfwidth = 0.001;
  EXPECT_FALSE(
      check_checkpoint(info_of(k, {"y"}, DesignKind::kSaltelli), t, 2, 512, 256, rule).met);
}

// A campaign with two arms, a and b, on the linear campaign's samples: under a the output is
// `base` plus the linear model's y, under b the same plus `shift(x, e_b)` where e_b is standard
// normal noise (a stochastic model's extra noise under b); both arms of a sample have its
// parameters.
struct ArmsCampaign {
  LinearCampaign linear;
  RunTable runs;

  template <class Shift>
  explicit ArmsCampaign(Shift shift, double base = 0.0) {
    const RunTable& one = linear.runs;
    runs.columns = one.columns;
    runs.rows = 2 * one.rows;
    std::mt19937_64 noise(11);
    std::normal_distribution<double> e;
    std::vector<double> a_output(one.rows), b_output(one.rows);
    for (std::size_t i = 0; i < one.rows; ++i) {
      a_output[i] = base + one.column(3)[i];
      b_output[i] =
          a_output[i] + shift(one.column(0)[i], one.column(1)[i], one.column(2)[i], e(noise));
    }
    runs.values.resize(runs.rows * runs.columns.size());
    for (std::size_t c = 0; c < runs.columns.size(); ++c) {
      for (std::size_t i = 0; i < one.rows; ++i) {
        runs.values[c * runs.rows + 2 * i] = c == 3 ? a_output[i] : one.column(c)[i];
        runs.values[c * runs.rows + 2 * i + 1] = c == 3 ? b_output[i] : one.column(c)[i];
      }
    }
    for (std::size_t i = 0; i < one.rows; ++i) {
      for (std::uint32_t arm = 0; arm < 2; ++arm) {
        runs.sample.push_back(i);
        runs.replicate.push_back(0);
        runs.arm.push_back(arm);
        runs.block.push_back(0);
        runs.ok.push_back(1);
      }
    }
  }
};

CampaignInfo arms_info() {
  CampaignInfo c = info_of(3, {"y"}, DesignKind::kLhs);
  c.arms = {"a", "b"};
  return c;
}

TEST(CheckpointCheck, AContrastOfArmsThatDifferByAConstantMeetsItsTargetAtTheFirstCheckpoint) {
  // Outputs in [1024, 2048), where doubles are evenly spaced: every difference is exactly 1.
  const ArmsCampaign arms([](double, double, double, double) { return 1.0; }, 1536.0);
  StoppingRule rule;
  rule.contrasts = {"b"};
  rule.difference = {0.01};
  rule.judge_halfwidth = rule.judge_stable_top = false;
  const CheckpointCheck c = check_checkpoint(arms_info(), arms.runs, 0, 250, 0, rule);
  ASSERT_TRUE(c.error.empty()) << c.error;
  ASSERT_EQ(c.outputs.size(), 1u);
  const OutputCheck& o = c.outputs[0];
  EXPECT_EQ(o.contrast, "b:a");
  EXPECT_EQ(o.difference.samples, 250u);
  EXPECT_NEAR(o.difference.mean, 1.0, 1e-12);
  EXPECT_NEAR(o.difference.halfwidth, 0.0, 1e-12);
  EXPECT_TRUE(o.difference.met);
  EXPECT_TRUE(c.met) << c.summary;
  EXPECT_EQ(c.rows, 250u);
  EXPECT_NE(c.summary.find("every mean difference's interval is within its target (y (b:a): 1"),
            std::string::npos)
      << c.summary;
  // Who benefits cannot be judged on a constant difference: its PRCC is not a number.
  rule.judge_stable_top = true;
  rule.criteria.stable_top = 1;
  const CheckpointCheck later = check_checkpoint(arms_info(), arms.runs, 1, 500, 250, rule);
  EXPECT_FALSE(later.outputs[0].defined);
  EXPECT_FALSE(later.met);
  EXPECT_NE(later.summary.find("is the difference constant?"), std::string::npos) << later.summary;
  // The order of the top parameters needs a checkpoint before: never met at the first.
  EXPECT_FALSE(check_checkpoint(arms_info(), arms.runs, 0, 250, 0, rule).met);
}

TEST(CheckpointCheck, AMeanDifferenceStopsWhereItsIntervalFallsBelowTheTarget) {
  // b adds standard normal noise: the difference of a sample is e_b, its mean's 95% interval
  // about +/- 1.96 / sqrt(n).
  const ArmsCampaign arms([](double, double, double, double e) { return e; });
  StoppingRule rule;
  rule.contrasts = {"b:a"};
  rule.judge_halfwidth = rule.judge_stable_top = false;
  rule.seed = 3;
  std::vector<double> halfwidths;
  for (unsigned c = 0; c <= 6; ++c) {
    const std::uint64_t n = std::uint64_t{250} << c;
    rule.difference = {1.0};  // any target: the half-width does not depend on it
    const CheckpointCheck check =
        check_checkpoint(arms_info(), arms.runs, c, n, c ? n / 2 : 0, rule);
    ASSERT_TRUE(check.error.empty()) << check.error;
    const double expected = 1.959963984540054 / std::sqrt(static_cast<double>(n));
    EXPECT_NEAR(check.outputs[0].difference.halfwidth, expected, 0.12 * expected) << n;
    halfwidths.push_back(check.outputs[0].difference.halfwidth);
  }
  // A target between two checkpoints' half-widths stops at the later one, the first met.
  for (unsigned c = 1; c <= 6; ++c) {
    rule.difference = {0.5 * (halfwidths[c - 1] + halfwidths[c])};
    unsigned stop = 99;
    for (unsigned d = 0; d <= 6 && stop == 99; ++d) {
      const std::uint64_t n = std::uint64_t{250} << d;
      if (check_checkpoint(arms_info(), arms.runs, d, n, d ? n / 2 : 0, rule).met) stop = d;
    }
    EXPECT_EQ(stop, c);
  }
}

TEST(CheckpointCheck, WhoBenefitsIsThePrccOfThePairedDifference) {
  // Under b the output gains x2 + e_b: the difference's PRCC on x2 is that of the linear model
  // x2 + e with unit noise, and 0 on x1 and x3.
  const ArmsCampaign arms([](double, double x2, double, double e) { return x2 + e; });
  StoppingRule rule;
  rule.contrasts = {"b"};
  rule.criteria = {.halfwidth = 0.05, .stable_top = 1};
  rule.difference = {0.1};
  const auto known = gaussian_linear_prcc({0.0, 1.0, 0.0}, 1.0);
  const CheckpointCheck c = check_checkpoint(arms_info(), arms.runs, 3, 2000, 1000, rule);
  ASSERT_TRUE(c.error.empty()) << c.error;
  const OutputCheck& o = c.outputs[0];
  EXPECT_TRUE(o.defined);
  EXPECT_EQ(o.top, (std::vector<std::string>{"x2"}));
  EXPECT_EQ(o.before, (std::vector<std::string>{"x2"}));
  EXPECT_TRUE(o.top_stable);
  // x2's interval is the narrowest significant one unless x1 or x3 is significant by chance.
  const double hw = fisher_halfwidth(known[1], 2000, 3);
  EXPECT_GE(o.halfwidths.largest, 0.9 * hw);
  EXPECT_TRUE(o.halfwidths.met) << c.summary;
  EXPECT_NEAR(o.difference.mean, 0.0, 3.0 * std::sqrt(2.0 / 2000.0));
  EXPECT_TRUE(c.met) << c.summary;
  // The check depends on the runs only, not on their order.
  RunTable reversed = arms.runs;
  const std::size_t n = reversed.rows;
  for (std::size_t col = 0; col < reversed.columns.size(); ++col) {
    std::reverse(reversed.values.begin() + static_cast<std::ptrdiff_t>(col * n),
                 reversed.values.begin() + static_cast<std::ptrdiff_t>((col + 1) * n));
  }
  std::reverse(reversed.sample.begin(), reversed.sample.end());
  std::reverse(reversed.arm.begin(), reversed.arm.end());
  const CheckpointCheck again = check_checkpoint(arms_info(), reversed, 3, 2000, 1000, rule);
  EXPECT_EQ(again.summary, c.summary);
  EXPECT_EQ(again.outputs[0].difference.halfwidth, o.difference.halfwidth);
  EXPECT_EQ(again.outputs[0].halfwidths.largest, o.halfwidths.largest);
}

TEST(CheckpointCheck, ContrastsNeedACampaignWithArmsAndOneNeedsThem) {
  const ArmsCampaign arms([](double, double, double, double) { return 1.0; });
  StoppingRule rule;
  rule.difference = {0.1};
  rule.contrasts = {"b"};
  EXPECT_THROW(
      check_checkpoint(info_of(3, {"y"}, DesignKind::kLhs), LinearCampaign().runs, 0, 250, 0, rule),
      AnalysisError);
  rule.contrasts.clear();
  EXPECT_THROW(check_checkpoint(arms_info(), arms.runs, 0, 250, 0, rule), AnalysisError);
  rule.contrasts = {"b"};
  rule.difference = {0.1, 0.2};  // one target per output
  EXPECT_THROW(check_checkpoint(arms_info(), arms.runs, 0, 250, 0, rule), AnalysisError);
}

}  // namespace
}  // namespace tmex::analysis
