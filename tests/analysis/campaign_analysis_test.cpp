// Tests of the campaign-analysis pipeline on in-memory run tables (no store, no file).
#include "analysis/campaign_analysis.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>

#include "analysis/analysis_error.hpp"
#include "analysis/pipeline_stages.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/distribution.hpp"

namespace tmex::analysis {
namespace {

// One evaluation: the outputs (NaN marks a failed run).
using Model = std::function<std::vector<double>(const std::vector<double>& x, std::uint32_t rep,
                                                std::uint64_t sample)>;

// A campaign made in memory from a design and a closed-form model.
struct Campaign {
  sampling::DesignSpec design;
  std::vector<std::pair<std::string, sampling::Distribution>> parameters;
  std::vector<std::string> outputs = {"y"};
  std::uint32_t replicates = 1;
  Model model;
  std::vector<double> trajectory_times;
  Model trajectory;  ///< values at trajectory_times of the variable "v"

  CampaignInfo info() const {
    const auto d = sampling::make_design(design, parameters.size());
    CampaignInfo c;
    c.source = "memory";
    c.name = "test";
    c.design = d->describe();
    c.layout = {parse_design_kind(design.method), d->group_size()};
    c.samples = d->size();
    c.replicates = replicates;
    c.seed = design.seed;
    for (const auto& [name, dist] : parameters) {
      c.parameters.push_back(
          {name, dist.support().first, dist.support().second, dist.log_scaled(), false});
    }
    c.outputs = outputs;
    if (trajectory) c.trajectory_variables = {"v"};
    return c;
  }

  RunTable table() const {
    const auto d = sampling::make_design(design, parameters.size());
    RunTable t;
    for (const auto& p : parameters) t.columns.push_back(p.first);
    t.columns.insert(t.columns.end(), outputs.begin(), outputs.end());
    std::vector<std::vector<double>> columns(t.columns.size());
    std::vector<double> traj;
    std::vector<double> unit(parameters.size());
    for (std::uint64_t i = 0; i < d->size(); ++i) {
      d->unit_point(i, unit);
      std::vector<double> x(unit.size());
      for (std::size_t j = 0; j < x.size(); ++j) x[j] = parameters[j].second.quantile(unit[j]);
      for (std::uint32_t rep = 0; rep < replicates; ++rep) {
        const auto y = model(x, rep, i);
        const bool ok = std::all_of(y.begin(), y.end(), [](double v) { return std::isfinite(v); });
        for (std::size_t j = 0; j < x.size(); ++j) columns[j].push_back(x[j]);
        for (std::size_t o = 0; o < y.size(); ++o) columns[x.size() + o].push_back(y[o]);
        t.sample.push_back(i);
        t.replicate.push_back(rep);
        t.block.push_back(d->block(i));
        t.ok.push_back(ok ? 1 : 0);
        if (trajectory) {
          const auto v = ok ? trajectory(x, rep, i)
                            : std::vector<double>(trajectory_times.size(), std::nan(""));
          traj.insert(traj.end(), v.begin(), v.end());
        }
      }
    }
    t.rows = t.sample.size();
    for (const auto& c : columns) t.values.insert(t.values.end(), c.begin(), c.end());
    if (trajectory) {
      TrajectoryColumns tc{"v", trajectory_times, std::vector<double>(traj.size())};
      const std::size_t nt = trajectory_times.size();
      for (std::size_t r = 0; r < t.rows; ++r) {
        for (std::size_t ti = 0; ti < nt; ++ti) tc.values[ti * t.rows + r] = traj[r * nt + ti];
      }
      t.trajectories.push_back(std::move(tc));
    }
    return t;
  }
};

sampling::DesignSpec spec(const std::string& method, std::uint64_t samples) {
  sampling::DesignSpec s;
  s.method = method;
  s.samples = samples;
  s.seed = 7;
  return s;
}

constexpr double kPi = std::numbers::pi;

Campaign ishigami(const std::string& method, std::uint64_t samples) {
  Campaign c;
  c.design = spec(method, samples);
  for (const char* n : {"x1", "x2", "x3"}) {
    c.parameters.emplace_back(n, sampling::Distribution::uniform(-kPi, kPi));
  }
  c.model = [](const std::vector<double>& x, std::uint32_t, std::uint64_t) {
    return std::vector<double>{std::sin(x[0]) + 7.0 * std::pow(std::sin(x[1]), 2) +
                               0.1 * std::pow(x[2], 4) * std::sin(x[0])};
  };
  return c;
}

// y = x1 + 2 x2 + 3 x3 + 0.5 e on [0, 1]^3, e standard normal per (sample, replicate).
Campaign linear(std::uint64_t samples, std::uint32_t replicates = 1) {
  Campaign c;
  c.design = spec("lhs", samples);
  c.replicates = replicates;
  for (const char* n : {"x1", "x2", "x3"}) {
    c.parameters.emplace_back(n, sampling::Distribution::uniform(0, 1));
  }
  c.model = [](const std::vector<double>& x, std::uint32_t rep, std::uint64_t sample) {
    std::mt19937_64 g(sample * 1000 + rep);
    std::normal_distribution<double> e;
    return std::vector<double>{x[0] + 2 * x[1] + 3 * x[2] + 0.5 * e(g)};
  };
  return c;
}

// y = sum b_i x_i + 0.5 e on [0, 1]^k, an LHS of `samples`.
Campaign weighted(std::uint64_t samples, const std::vector<double>& b) {
  Campaign c;
  c.design = spec("lhs", samples);
  for (std::size_t i = 0; i < b.size(); ++i) {
    c.parameters.emplace_back("x" + std::to_string(i + 1), sampling::Distribution::uniform(0, 1));
  }
  c.model = [b](const std::vector<double>& x, std::uint32_t rep, std::uint64_t sample) {
    std::mt19937_64 g(sample * 1000 + rep);
    std::normal_distribution<double> e;
    double y = 0.5 * e(g);
    for (std::size_t i = 0; i < b.size(); ++i) y += b[i] * x[i];
    return std::vector<double>{y};
  };
  return c;
}

CampaignAnalysis analyse(const Campaign& c, AnalysisRequest request = {}) {
  if (!request.bootstrap) request.bootstrap = 200;
  const CampaignInfo info = c.info();
  return analyse_campaign(info, c.table(), plan_analysis(info, request));
}

// The inputs and output of the successful runs of a one-output campaign.
void ok_matrices(const Campaign& c, Eigen::MatrixXd& x, Eigen::MatrixXd& y) {
  const RunTable t = c.table();
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < t.rows; ++r) {
    if (t.ok[r]) rows.push_back(r);
  }
  x.resize(static_cast<Eigen::Index>(rows.size()), 3);
  y.resize(static_cast<Eigen::Index>(rows.size()), 1);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (Eigen::Index j = 0; j < 3; ++j) {
      x(static_cast<Eigen::Index>(i), j) = t.column(static_cast<std::size_t>(j))[rows[i]];
    }
    y(static_cast<Eigen::Index>(i), 0) = t.column(3)[rows[i]];
  }
}

TEST(CampaignAnalysis, PrccOfLinearModelMatchesTheLibraryAndTheClosedForm) {
  const Campaign c = linear(2000);
  const auto a = analyse(c);
  ASSERT_EQ(a.plan.methods, (std::vector<Method>{Method::kPrcc, Method::kUncertainty}));
  ASSERT_EQ(a.correlations.size(), 1u);
  EXPECT_EQ(a.correlations[0].coefficient, Coefficient::kPrcc);
  const auto& t = a.correlations.front().table;
  Eigen::MatrixXd x, y;
  ok_matrices(c, x, y);
  const auto expected = prcc(x, y);
  EXPECT_EQ(t.samples, 2000);
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_NEAR(t.coefficient(i, 0), expected.coefficient(i, 0), 1e-12);
    EXPECT_NEAR(t.p_bh(i, 0), expected.p_bh(i, 0), 1e-12);
  }
  EXPECT_LT(t.coefficient(0, 0), t.coefficient(1, 0));
  EXPECT_LT(t.coefficient(1, 0), t.coefficient(2, 0));
  // PCC of a linear model: b_i sd_i / sqrt(b_i^2 var_i + noise variance), sd_i = 1 / sqrt(12).
  const auto pcc_table = analyse(c, {.method = Method::kPcc}).correlations.front().table;
  for (Eigen::Index i = 0; i < 3; ++i) {
    const double b = static_cast<double>(i + 1);
    EXPECT_NEAR(pcc_table.coefficient(i, 0), b / std::sqrt(12.0) / std::sqrt(b * b / 12.0 + 0.25),
                0.03)
        << i;
  }
  ASSERT_TRUE(a.convergence.has_value());
  EXPECT_EQ(a.convergence->sample_sizes, (std::vector<Eigen::Index>{250, 500, 1000, 2000}));
  // The convergence check's full-size values are the PRCC table's.
  EXPECT_EQ(a.convergence->values.back(), t.coefficient);
  ASSERT_TRUE(a.uncertainty.has_value());
  EXPECT_NEAR(a.uncertainty->summaries[0].mean, y.mean(), 1e-12);
  EXPECT_NEAR(a.uncertainty->summaries[0].mean, 3.0, 0.05);  // E[y] = (1 + 2 + 3) / 2
}

// Convergence of whole campaigns whose ranking is known: well-separated coefficients rank
// stably, equal ones never do; too wide intervals come with the runs to add and how.
TEST(CampaignAnalysis, ConvergenceOfKnownStableAndUnstableRankings) {
  const auto stable = analyse(weighted(4000, {4, 2, 1, 0.5}));
  ASSERT_TRUE(stable.convergence);
  EXPECT_TRUE(stable.convergence->converged) << stable.convergence->verdict;
  EXPECT_EQ(stable.convergence->per_output[0].top,
            (std::vector<std::string>{"x1", "x2", "x3", "x4"}));
  const auto equal = analyse(weighted(4000, {1, 1, 1, 1, 1, 1}));
  ASSERT_TRUE(equal.convergence);
  EXPECT_FALSE(equal.convergence->converged);
  EXPECT_FALSE(equal.convergence->per_output[0].top_stable);
  EXPECT_TRUE(equal.convergence->per_output[0].overlapping) << equal.convergence->verdict;
  // A tolerance 4000 rows cannot give: the advice names the runs and the LHS extension.
  AnalysisRequest tight;
  tight.convergence.halfwidth = 0.01;
  const auto wide = analyse(weighted(4000, {4, 2, 1, 0.5}), tight);
  EXPECT_FALSE(wide.convergence->converged);
  const std::string& advice = wide.convergence->advice;
  EXPECT_NE(advice.find("extend_from: 4000"), std::string::npos) << advice;
  EXPECT_NE(advice.find("more runs"), std::string::npos) << advice;
  // rows_needed from the 1/sqrt(N) trend, and samples a multiple of 4000.
  const auto needed = wide.convergence->rows_needed;
  EXPECT_GT(needed, 4000u * 4);
  const std::string total = std::to_string(4000 * ((needed + 3999) / 4000));
  EXPECT_NE(advice.find("samples: " + total), std::string::npos) << advice;
  AnalysisRequest bad;
  bad.convergence.stable_top = 0;
  EXPECT_THROW(plan_analysis(weighted(100, {1}).info(), bad), RequestError);
}

TEST(CampaignAnalysis, FailedRunsAreExcludedCountedAndTestedAgainstTheInputs) {
  Campaign c = linear(1000);
  c.design.seed = 1;  // x2 and x3 are independent of failure: p is uniform, fixed by the seed
  const auto inner = c.model;
  c.model = [inner](const std::vector<double>& x, std::uint32_t rep, std::uint64_t s) {
    return x[0] > 0.8 ? std::vector<double>{std::nan("")} : inner(x, rep, s);
  };
  const auto a = analyse(c);
  EXPECT_EQ(a.stored_runs, 1000u);
  EXPECT_EQ(a.failed_runs, 200u);  // a Latin hypercube puts exactly 20% of x1 above 0.8
  EXPECT_EQ(a.ok_runs, 800u);
  EXPECT_EQ(a.correlations.front().table.samples, 800);
  ASSERT_TRUE(a.failures.has_value());
  EXPECT_LT(a.failures->test.p_bonferroni[0], 1e-10);
  EXPECT_GT(a.failures->test.p_bonferroni[1], 0.05);
  EXPECT_GT(a.failures->test.p_bonferroni[2], 0.05);
  EXPECT_NE(a.failures->summary.find("x1 is higher in failed runs"), std::string::npos)
      << a.failures->summary;
  EXPECT_NE(a.failures->summary.find("200 of 1000"), std::string::npos);
}

TEST(CampaignAnalysis, ReplicatesAreAveragedForSensitivityButNotForUncertainty) {
  const auto a = analyse(linear(500, 4));
  EXPECT_EQ(a.stored_runs, 2000u);
  EXPECT_EQ(a.sensitivity_rows, 500u);
  EXPECT_EQ(a.correlations.front().table.samples, 500);
  EXPECT_EQ(a.uncertainty->runs, 2000u);
  EXPECT_EQ(a.uncertainty->summaries.front().samples, 2000);
  // Averaging 4 replicates quarters the noise variance: PRCC of x3 rises above its
  // single-replicate value.
  const auto single = analyse(linear(500, 1));
  EXPECT_GT(a.correlations.front().table.coefficient(2, 0),
            single.correlations.front().table.coefficient(2, 0));
}

TEST(CampaignAnalysis, SaltelliIshigamiGivesTheExactSobolIndices) {
  Campaign c = ishigami("saltelli", 4096);
  // A few failures spoil whole base rows, which must be dropped.
  const auto inner = c.model;
  c.model = [inner](const std::vector<double>& x, std::uint32_t rep, std::uint64_t s) {
    return s % 997 == 3 ? std::vector<double>{std::nan("")} : inner(x, rep, s);
  };
  const auto a = analyse(c);
  ASSERT_TRUE(a.sobol.has_value());
  const auto& s = *a.sobol;
  // a = 7, b = 0.1: V = 13.8446; S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
  const double s1[] = {0.3139, 0.4424, 0.0}, st[] = {0.5576, 0.4424, 0.2437};
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first(i, 0), s1[i], 0.04) << i;
    EXPECT_NEAR(s.total(i, 0), st[i], 0.04) << i;
    EXPECT_LE(s.first_low(i, 0), s.first(i, 0));
    EXPECT_GE(s.total_high(i, 0), s.total(i, 0));
  }
  const std::uint64_t failed_rows = a.failed_runs;  // each failure in its own base row
  EXPECT_GT(failed_rows, 0u);
  EXPECT_EQ(s.base_rows, static_cast<Eigen::Index>(4096 - failed_rows));
  EXPECT_TRUE(std::any_of(a.notes.begin(), a.notes.end(), [](const std::string& n) {
    return n.find("base rows are dropped") != std::string::npos;
  }));
  // The uncertainty summary uses only the A and B rows.
  std::uint64_t failed_ab = 0;
  for (std::uint64_t i = 3; i < 4096 * 5; i += 997) failed_ab += (i % 5 == 0 || i % 5 == 4);
  EXPECT_EQ(a.uncertainty->runs, 2 * 4096 - failed_ab);
  EXPECT_NEAR(a.uncertainty->summaries.front().mean, 3.5, 0.15);  // E[y] = a / 2
}

TEST(CampaignAnalysis, MorrisOnLinearModelGivesCoefficientTimesRange) {
  Campaign c;
  c.design = spec("morris", 20);
  c.parameters = {{"x1", sampling::Distribution::uniform(0, 2)},
                  {"x2", sampling::Distribution::uniform(-1, 1)},
                  {"x3", sampling::Distribution::uniform(10, 15)},
                  {"x4", sampling::Distribution::normal(0, 1)}};
  c.model = [](const std::vector<double>& x, std::uint32_t, std::uint64_t) {
    return std::vector<double>{1.0 * x[0] - 2.0 * x[1] + 3.0 * x[2] + 0.5 * x[3]};
  };
  const auto a = analyse(c);
  ASSERT_EQ(a.plan.methods, std::vector<Method>{Method::kMorris});
  ASSERT_TRUE(a.morris.has_value());
  const auto& m = *a.morris;
  const double expected[] = {1.0 * 2, 2.0 * 2, 3.0 * 5};
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_NEAR(m.mu_star(i, 0), expected[i], 1e-9 * expected[i]) << i;
    EXPECT_NEAR(m.sigma(i, 0), 0.0, 1e-9) << i;
  }
  EXPECT_NEAR(m.mu(1, 0), -4.0, 1e-9);
  // x4 is unbounded: its effects are per fraction of the range the trajectories cover.
  EXPECT_TRUE(std::any_of(a.notes.begin(), a.notes.end(), [](const std::string& n) {
    return n.find("x4 has an unbounded distribution") != std::string::npos;
  }));
  EXPECT_GT(m.mu_star(3, 0), 0.0);
}

TEST(CampaignAnalysis, EventProbabilitiesCountTheRunsWithWilsonIntervals) {
  const Campaign c = linear(1000);
  const auto a = analyse(c, {.events = {parse_event("y > 3"), parse_event("y<=1")}});
  Eigen::MatrixXd x, y;
  ok_matrices(c, x, y);
  ASSERT_EQ(a.events.size(), 2u);
  EXPECT_EQ(a.events[0].event.text(), "y > 3");
  EXPECT_EQ(a.events[0].probability.events, (y.array() > 3.0).count());
  EXPECT_EQ(a.events[1].probability.events, (y.array() <= 1.0).count());
  EXPECT_EQ(a.events[0].probability.samples, 1000);
  const auto& p = a.events[0].probability;
  EXPECT_LT(p.ci_low, p.probability);
  EXPECT_GT(p.ci_high, p.probability);
  EXPECT_NEAR(p.probability, 0.5, 0.05);  // y is symmetric about 3
}

TEST(CampaignAnalysis, PrccOverTimeFollowsTheTrajectories) {
  Campaign c = linear(400);
  c.trajectory_times = {0.0, 1.0, 2.0};
  // v(t) = t x1 + (2 - t) x2: x2 alone at t = 0, x1 alone at t = 2, both in between.
  c.trajectory = [](const std::vector<double>& x, std::uint32_t, std::uint64_t) {
    return std::vector<double>{2.0 * x[1], x[0] + x[1], 2.0 * x[0]};
  };
  const auto info = c.info();
  AnalysisRequest request;
  const auto plan = plan_analysis(info, request);
  ASSERT_TRUE(plan.trajectories);
  const auto a = analyse_campaign(info, c.table(), plan);
  ASSERT_EQ(a.time_courses.size(), 1u);
  const auto& t = a.time_courses.front().table;
  EXPECT_NEAR(t.coefficient(1, 0), 1.0, 1e-9);
  EXPECT_NEAR(t.coefficient(0, 2), 1.0, 1e-9);
  EXPECT_GT(t.coefficient(0, 1), 0.9);
  EXPECT_GT(t.coefficient(1, 1), 0.9);
  EXPECT_LT(std::abs(t.coefficient(2, 1)), 0.2);
}

TEST(CampaignAnalysis, RowsAtCopiesTheChosenRowsOfEveryColumnKeyAndTrajectory) {
  RunTable t;
  t.columns = {"x", "y"};
  t.rows = 3;
  t.values = {1.0, 2.0, 3.0, 10.0, 20.0, 30.0};
  t.sample = {0, 1, 2};
  t.replicate = {0, 1, 0};
  t.arm = {0, 1, 1};
  t.block = {4, 5, 6};
  t.ok = {1, 0, 1};
  t.trajectories.push_back({"v", {0.0, 1.0}, {0.1, 0.2, 0.3, 1.1, 1.2, 1.3}});
  const RunTable s = t.rows_at({2, 0});
  ASSERT_NO_THROW(s.check_shape());
  EXPECT_EQ(s.columns, t.columns);
  EXPECT_EQ(s.rows, 2u);
  EXPECT_EQ(s.values, (std::vector<double>{3.0, 1.0, 30.0, 10.0}));
  EXPECT_EQ(s.sample, (std::vector<std::uint64_t>{2, 0}));
  EXPECT_EQ(s.replicate, (std::vector<std::uint32_t>{0, 0}));
  EXPECT_EQ(s.arm, (std::vector<std::uint32_t>{1, 0}));
  EXPECT_EQ(s.block, (std::vector<std::int64_t>{6, 4}));
  EXPECT_EQ(s.ok, (std::vector<std::uint8_t>{1, 1}));
  ASSERT_EQ(s.trajectories.size(), 1u);
  EXPECT_EQ(s.trajectories[0].values, (std::vector<double>{0.3, 0.1, 1.3, 1.1}));
  EXPECT_TRUE(t.rows_at({}).values.empty());
}

TEST(CampaignAnalysis, LargeSampleIntervalsAgreeWithTheBootstrap) {
  const Campaign c = linear(60000);
  AnalysisRequest large{.method = Method::kUncertainty};  // above 50000 runs: large-sample
  const CampaignInfo info = c.info();
  const RunTable table = c.table();
  const auto a =
      analyse_campaign(info, table, plan_analysis(info, large)).uncertainty->summaries.front();
  large.bootstrap = 300;
  const auto b =
      analyse_campaign(info, table, plan_analysis(info, large)).uncertainty->summaries.front();
  EXPECT_EQ(a.resamples, 0);
  EXPECT_EQ(b.resamples, 300);
  const auto close = [](double lo1, double hi1, double lo2, double hi2) {
    return std::abs((hi1 - lo1) / (hi2 - lo2) - 1.0) < 0.3;
  };
  EXPECT_TRUE(close(a.mean_low, a.mean_high, b.mean_low, b.mean_high));
  EXPECT_TRUE(close(a.sd_low, a.sd_high, b.sd_low, b.sd_high));
  for (std::size_t q = 0; q < a.levels.size(); ++q) {
    EXPECT_TRUE(close(a.quantile_low[q], a.quantile_high[q], b.quantile_low[q], b.quantile_high[q]))
        << a.levels[q];
    EXPECT_LE(a.quantile_low[q], a.quantiles[q]);
    EXPECT_GE(a.quantile_high[q], a.quantiles[q]);
  }
}

// Everything a report shows, as one comparable list of numbers.
std::vector<double> numbers(const CampaignAnalysis& a) {
  std::vector<double> v;
  const auto add = [&](const Eigen::MatrixXd& m) {
    v.insert(v.end(), m.data(), m.data() + m.size());
  };
  for (const auto& c : a.correlations) {
    add(c.table.coefficient);
    add(c.table.ci_low);
    add(c.table.p_bh);
  }
  if (a.sobol) {
    add(a.sobol->first);
    add(a.sobol->first_low);
    add(a.sobol->total_high);
  }
  if (a.convergence) {
    for (const auto& m : a.convergence->values) add(m);
  }
  if (a.uncertainty) {
    for (const auto& s : a.uncertainty->summaries) {
      v.insert(v.end(), {s.mean, s.mean_low, s.sd_high});
      v.insert(v.end(), s.quantile_low.begin(), s.quantile_low.end());
    }
  }
  return v;
}

TEST(CampaignAnalysis, ResultsDoNotDependOnThreadsOrRowOrder) {
  for (const Campaign& c : {linear(3000, 2), ishigami("saltelli", 512)}) {
    const CampaignInfo info = c.info();
    const RunTable table = c.table();
    RunTable shuffled = table;
    std::vector<std::size_t> order(table.rows);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::shuffle(order.begin(), order.end(), std::mt19937_64(3));
    for (std::size_t r = 0; r < table.rows; ++r) {
      shuffled.sample[r] = table.sample[order[r]];
      shuffled.replicate[r] = table.replicate[order[r]];
      shuffled.block[r] = table.block[order[r]];
      shuffled.ok[r] = table.ok[order[r]];
      for (std::size_t col = 0; col < table.columns.size(); ++col) {
        shuffled.values[col * table.rows + r] = table.column(col)[order[r]];
      }
    }
    std::vector<std::vector<double>> results;
    for (unsigned threads : {1u, 2u, 5u}) {
      const auto plan = plan_analysis(info, {.bootstrap = 100, .threads = threads});
      results.push_back(numbers(analyse_campaign(info, table, plan)));
      results.push_back(numbers(analyse_campaign(info, shuffled, plan)));
    }
    ASSERT_FALSE(results[0].empty());
    for (const auto& r : results) {
      ASSERT_EQ(r.size(), results[0].size());
      for (std::size_t i = 0; i < r.size(); ++i) {
        // Bit for bit (NaN where the first is NaN).
        EXPECT_TRUE(r[i] == results[0][i] || (std::isnan(r[i]) && std::isnan(results[0][i])))
            << info.design << " value " << i;
      }
    }
  }
}

TEST(CampaignAnalysis, AGrowingTableIsAnalysedAgainWithoutState) {
  // What a self-stopping campaign does at each checkpoint: analyse the rows so far.
  const Campaign c = linear(2000);
  const CampaignInfo info = c.info();
  RunTable all = c.table();
  RunTable half = all;
  half.rows = 1000;
  half.values.clear();
  for (std::size_t col = 0; col < all.columns.size(); ++col) {
    half.values.insert(half.values.end(), all.column(col), all.column(col) + 1000);
  }
  half.sample.resize(1000);
  half.replicate.resize(1000);
  half.block.resize(1000);
  half.ok.resize(1000);
  const auto plan = plan_analysis(info, {});
  const auto first = analyse_campaign(info, half, plan);
  const auto second = analyse_campaign(info, all, plan);
  EXPECT_EQ(first.correlations.front().table.samples, 1000);
  EXPECT_EQ(second.correlations.front().table.samples, 2000);
  EXPECT_NE(first.notes.end(),
            std::find_if(first.notes.begin(), first.notes.end(), [](const std::string& n) {
              return n.find("1000 of 2000 runs are stored") != std::string::npos;
            }));
  EXPECT_EQ(numbers(second), numbers(analyse_campaign(info, all, plan)));
}

TEST(CampaignAnalysis, MissingValuesOfSuccessfulRunsAreExcludedWithANote) {
  const Campaign c = linear(200);
  const CampaignInfo info = c.info();
  RunTable t = c.table();
  t.values[3 * t.rows + 17] = std::nan("");  // y of run 17, which succeeded
  const auto a = analyse_campaign(info, t, plan_analysis(info, {}));
  EXPECT_EQ(a.ok_runs, 200u);
  EXPECT_EQ(a.correlations.front().table.samples, 199);
  EXPECT_NE(a.notes.end(), std::find_if(a.notes.begin(), a.notes.end(), [](const auto& n) {
              return n.find("1 successful runs have no value") != std::string::npos;
            }));
}

TEST(CampaignAnalysis, DataThatCannotBeAnalysedIsAnError) {
  Campaign c = linear(100);
  c.model = [](const std::vector<double>&, std::uint32_t, std::uint64_t) {
    return std::vector<double>{std::nan("")};
  };
  try {
    analyse(c);
    FAIL() << "no successful run was analysed";
  } catch (const AnalysisError& e) {
    EXPECT_NE(std::string(e.what()).find("no successful runs to analyse (100 stored, 100 failed)"),
              std::string::npos)
        << e.what();
  }
  const Campaign ok = linear(100);
  RunTable t = ok.table();
  t.ok.pop_back();
  EXPECT_THROW(analyse_campaign(ok.info(), t, plan_analysis(ok.info(), {})), AnalysisError);
  RunTable arms = ok.table();
  arms.arm.assign(arms.rows, 0);
  EXPECT_NO_THROW(analyse_campaign(ok.info(), arms, plan_analysis(ok.info(), {})));
  arms.arm[5] = 1;
  EXPECT_THROW(analyse_campaign(ok.info(), arms, plan_analysis(ok.info(), {})), AnalysisError);
  RunTable missing = ok.table();
  missing.columns[3] = "z";
  EXPECT_THROW(analyse_campaign(ok.info(), missing, plan_analysis(ok.info(), {})), AnalysisError);
}

TEST(AnalysisPlan, RefusesMethodsThatDoNotFitTheDesign) {
  const CampaignInfo lhs = linear(100).info();
  try {
    plan_analysis(lhs, {.method = Method::kSobol});
    FAIL() << "sobol on an lhs campaign was accepted";
  } catch (const RequestError& e) {
    EXPECT_NE(std::string(e.what()).find("Saltelli design"), std::string::npos) << e.what();
  }
  EXPECT_THROW(plan_analysis(lhs, {.method = Method::kMorris}), RequestError);
  const CampaignInfo morris = ishigami("morris", 10).info();
  for (const Method m : {Method::kPrcc, Method::kPcc, Method::kSrc, Method::kSrrc,
                         Method::kCorrelation, Method::kSobol, Method::kUncertainty}) {
    EXPECT_THROW(plan_analysis(morris, {.method = m}), RequestError) << method_name(m);
  }
  EXPECT_THROW(plan_analysis(morris, {.events = {parse_event("y > 1")}}), RequestError);
  EXPECT_THROW(plan_analysis(ishigami("saltelli", 64).info(), {.method = Method::kPrcc}),
               RequestError);
}

TEST(AnalysisPlan, ResolvesOutputsEventsAndDefaults) {
  Campaign c = linear(100);
  c.outputs = {"y", "z"};
  const CampaignInfo info = c.info();
  const auto plan = plan_analysis(info, {.outputs = {"z"}, .events = {parse_event("y > 1")}});
  EXPECT_EQ(plan.outputs, std::vector<std::string>{"z"});
  EXPECT_EQ(plan.columns, (std::vector<std::string>{"x1", "x2", "x3", "z", "y"}));
  EXPECT_EQ(plan.resamples, 1000);
  EXPECT_EQ(plan.seed, 7u);
  EXPECT_FALSE(plan.trajectories);
  try {
    plan_analysis(info, {.outputs = {"y", "w"}});
    FAIL();
  } catch (const RequestError& e) {
    EXPECT_STREQ(e.what(), "unknown output 'w'; the campaign has: y, z");
  }
  EXPECT_THROW(plan_analysis(info, {.outputs = {"y", "y"}}), RequestError);
  EXPECT_THROW(plan_analysis(info, {.events = {parse_event("w > 1")}}), RequestError);
  EXPECT_THROW(plan_analysis(info, {.confidence = 1.5}), RequestError);
  EXPECT_THROW(plan_analysis(info, {.bootstrap = -1}), RequestError);
  EXPECT_EQ(parse_method("srrc"), Method::kSrrc);
  EXPECT_THROW(parse_method("anova"), RequestError);
}

TEST(ParseEvent, AcceptsEveryOperatorWithOrWithoutSpaces) {
  const auto e = parse_event("cured == 1");
  EXPECT_EQ(e.output, "cured");
  EXPECT_EQ(e.comparison, Comparison::kEqual);
  EXPECT_EQ(e.threshold, 1.0);
  EXPECT_TRUE(e.holds(1.0));
  EXPECT_FALSE(e.holds(0.0));
  const auto f = parse_event("volume<=1e-3");
  EXPECT_EQ(f.output, "volume");
  EXPECT_EQ(f.comparison, Comparison::kLessEqual);
  EXPECT_EQ(f.threshold, 1e-3);
  EXPECT_EQ(parse_event("y >2.5").comparison, Comparison::kGreater);
  EXPECT_EQ(parse_event("y>= -1").threshold, -1.0);
  EXPECT_EQ(parse_event("y != 0").comparison, Comparison::kNotEqual);
  EXPECT_EQ(parse_event(" y < 3 ").text(), "y < 3");
  EXPECT_EQ(parse_event("y<0.1").text(), "y < 0.1");
  EXPECT_FALSE(parse_event("y > 1").holds(std::nan("")));
}

TEST(ParseEvent, RefusesMalformedExpressions) {
  for (const char* bad : {"y", "y = 1", "> 1", "y > ", "y > one", "y > 1 2", "a b > 1", "y ! 1",
                          "y > nan", "y > inf", "y =< 1"}) {
    EXPECT_THROW(parse_event(bad), RequestError) << bad;
  }
}

TEST(PipelineStages, RowsAreOrderedByArmSampleReplicateAndReplicatesAveragedPerArm) {
  RunTable t;
  t.columns = {"x"};
  // Two arms, samples 0 and 1, two replicates, given out of order; one failed run.
  t.sample = {1, 0, 0, 1, 0, 0, 1, 1};
  t.replicate = {0, 1, 0, 1, 0, 1, 1, 0};
  t.arm = {0, 0, 0, 0, 1, 1, 1, 1};
  t.block = std::vector<std::int64_t>(8, 0);
  t.ok = {1, 1, 1, 1, 1, 1, 1, 0};
  t.values = {10, 2, 1, 20, 100, 200, 400, std::nan("")};
  t.rows = 8;
  const RowSelection s = select_rows(t, {0});
  EXPECT_EQ(s.ok, (std::vector<std::size_t>{2, 1, 0, 3, 4, 5, 6}));
  EXPECT_EQ(s.failed, std::vector<std::size_t>{7});
  EXPECT_EQ(s.analysed, s.ok);
  const RunTable m = average_replicates(t, s.analysed, {0});
  ASSERT_EQ(m.rows, 4u);
  EXPECT_EQ(m.values, (std::vector<double>{1.5, 15, 150, 400}));
  EXPECT_EQ(m.sample, (std::vector<std::uint64_t>{0, 1, 0, 1}));
  EXPECT_EQ(m.arm, (std::vector<std::uint32_t>{0, 0, 1, 1}));
}

}  // namespace
}  // namespace tmex::analysis
