// Tests of `tmex analyze` on stores built here from designs and closed-form models.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <random>
#include <sstream>

#include "analysis/partial_correlation.hpp"
#include "driver/analyze_command.hpp"
#include "driver/errors.hpp"
#include "driver/plots.hpp"
#include "driver/report_writer.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/distribution.hpp"
#include "storage/campaign_store.hpp"

namespace tmex::driver {
namespace {

namespace fs = std::filesystem;

// One evaluation: the outputs (NaN marks a failed run) and optional trajectories.
using Model = std::function<std::vector<double>(const std::vector<double>& x, std::uint32_t rep,
                                                std::uint64_t sample)>;

struct Campaign {
  sampling::DesignSpec design;
  std::vector<std::pair<std::string, sampling::Distribution>> parameters;
  std::vector<std::string> outputs = {"y"};
  std::uint32_t replicates = 1;
  std::vector<std::string> trajectory_variables;
  std::vector<double> trajectory_times;
  Model model;
  Model trajectories;  ///< variable-major values, when trajectory_variables is not empty
};

class AnalyzeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tmex-analyze-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes the campaign through the storage API and returns the store's path.
  std::string build(const Campaign& c, const std::string& name = "c.db") {
    const auto design = sampling::make_design(c.design, c.parameters.size());
    storage::CampaignMeta meta;
    meta.name = "test";
    meta.seed = c.design.seed;
    meta.samples = design->size();
    meta.replicates = c.replicates;
    meta.design = design->describe();
    meta.model = "closed-form";
    for (const auto& [n, d] : c.parameters) meta.parameters.push_back({n, d.describe()});
    meta.outputs = c.outputs;
    meta.trajectory_variables = c.trajectory_variables;
    meta.trajectory_times = c.trajectory_times;
    meta.config = "test\n";
    meta.config_hash = "0";
    meta.tmex_version = "test";
    const std::string path = (dir_ / name).string();
    auto store = storage::CampaignStore::create(path, meta);
    std::vector<storage::RunRecord> batch;
    std::vector<double> unit(c.parameters.size());
    for (std::uint64_t i = 0; i < design->size(); ++i) {
      design->unit_point(i, unit);
      std::vector<double> x(unit.size());
      for (std::size_t j = 0; j < x.size(); ++j) x[j] = c.parameters[j].second.quantile(unit[j]);
      for (std::uint32_t rep = 0; rep < c.replicates; ++rep) {
        storage::RunRecord r;
        r.sample = i;
        r.replicate = rep;
        r.block = design->block(i);
        r.parameters = x;
        r.outputs = c.model(x, rep, i);
        const bool ok = std::all_of(r.outputs.begin(), r.outputs.end(),
                                    [](double v) { return std::isfinite(v); });
        r.status = ok ? "ok" : "non_finite";
        if (!ok) r.error = "output is NaN";
        if (ok && c.trajectories) r.trajectories = c.trajectories(x, rep, i);
        batch.push_back(std::move(r));
      }
    }
    store.append(batch);
    return path;
  }

  AnalyzeOptions options(const std::string& path) {
    AnalyzeOptions o;
    o.db_path = path;
    o.bootstrap = 200;
    return o;
  }

  fs::path dir_;
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
  for (const char* n : {"x1", "x2", "x3"})
    c.parameters.emplace_back(n, sampling::Distribution::uniform(-kPi, kPi));
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
  for (const char* n : {"x1", "x2", "x3"})
    c.parameters.emplace_back(n, sampling::Distribution::uniform(0, 1));
  c.model = [](const std::vector<double>& x, std::uint32_t rep, std::uint64_t sample) {
    std::mt19937_64 g(sample * 1000 + rep);
    std::normal_distribution<double> e;
    return std::vector<double>{x[0] + 2 * x[1] + 3 * x[2] + 0.5 * e(g)};
  };
  return c;
}

// The inputs and output of the ok runs of a linear campaign, as the analysis sees them.
void ok_matrices(const Campaign& c, Eigen::MatrixXd& x, Eigen::MatrixXd& y) {
  const auto design = sampling::make_design(c.design, c.parameters.size());
  std::vector<double> unit(c.parameters.size());
  std::vector<std::vector<double>> rows;
  for (std::uint64_t i = 0; i < design->size(); ++i) {
    design->unit_point(i, unit);
    std::vector<double> p(unit.size());
    for (std::size_t j = 0; j < p.size(); ++j) p[j] = c.parameters[j].second.quantile(unit[j]);
    const auto out = c.model(p, 0, i);
    if (!std::isfinite(out[0])) continue;
    p.push_back(out[0]);
    rows.push_back(p);
  }
  x.resize(static_cast<Eigen::Index>(rows.size()), 3);
  y.resize(static_cast<Eigen::Index>(rows.size()), 1);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (Eigen::Index j = 0; j < 3; ++j)
      x(static_cast<Eigen::Index>(r), j) = rows[r][static_cast<std::size_t>(j)];
    y(static_cast<Eigen::Index>(r), 0) = rows[r][3];
  }
}

TEST(ParseEvent, AcceptsEveryOperatorWithOrWithoutSpaces) {
  const auto e = parse_event("cured == 1");
  EXPECT_EQ(e.output, "cured");
  EXPECT_EQ(e.op, "==");
  EXPECT_EQ(e.threshold, 1.0);
  EXPECT_TRUE(e.holds(1.0));
  EXPECT_FALSE(e.holds(0.0));
  const auto f = parse_event("volume<=1e-3");
  EXPECT_EQ(f.output, "volume");
  EXPECT_EQ(f.op, "<=");
  EXPECT_EQ(f.threshold, 1e-3);
  EXPECT_EQ(parse_event("y >2.5").op, ">");
  EXPECT_EQ(parse_event("y>= -1").threshold, -1.0);
  EXPECT_EQ(parse_event("y != 0").op, "!=");
  EXPECT_EQ(parse_event(" y < 3 ").text(), "y < 3");
  EXPECT_FALSE(parse_event("y > 1").holds(std::nan("")));
}

TEST(ParseEvent, RefusesMalformedExpressions) {
  for (const char* bad : {"y", "y = 1", "> 1", "y > ", "y > one", "y > 1 2", "a b > 1", "y ! 1",
                          "y > nan", "y > inf"}) {
    EXPECT_THROW(parse_event(bad), UsageError) << bad;
  }
}

TEST_F(AnalyzeTest, PrccOfLinearModelMatchesTheLibraryAndTheClosedForm) {
  const Campaign c = linear(2000);
  const auto path = build(c);
  const auto report = analyze(options(path));
  ASSERT_EQ(report.methods, (std::vector<std::string>{"prcc", "uncertainty"}));
  ASSERT_EQ(report.correlations.size(), 1u);
  const auto& t = report.correlations.front().table;
  Eigen::MatrixXd x, y;
  ok_matrices(c, x, y);
  const auto expected = analysis::prcc(x, y);
  EXPECT_EQ(t.samples, 2000);
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_NEAR(t.coefficient(i, 0), expected.coefficient(i, 0), 1e-12);
    EXPECT_NEAR(t.p_bh(i, 0), expected.p_bh(i, 0), 1e-12);
  }
  EXPECT_LT(t.coefficient(0, 0), t.coefficient(1, 0));
  EXPECT_LT(t.coefficient(1, 0), t.coefficient(2, 0));

  // PCC of a linear model: b_i sd_i / sqrt(b_i^2 var_i + noise variance), sd_i = 1 / sqrt(12).
  auto o = options(path);
  o.method = "pcc";
  const auto pcc = analyze(o).correlations.front().table;
  for (Eigen::Index i = 0; i < 3; ++i) {
    const double b = static_cast<double>(i + 1);
    const double closed = b / std::sqrt(12.0) / std::sqrt(b * b / 12.0 + 0.25);
    EXPECT_NEAR(pcc.coefficient(i, 0), closed, 0.03) << i;
  }
  ASSERT_TRUE(report.convergence.has_value());
  EXPECT_EQ(report.convergence->sample_sizes.back(), 2000);
  ASSERT_EQ(report.uncertainty.size(), 1u);
  EXPECT_NEAR(report.uncertainty[0].mean, y.mean(), 1e-12);
  EXPECT_NEAR(report.uncertainty[0].mean, 3.0, 0.05);  // E[y] = (1 + 2 + 3) / 2
}

TEST_F(AnalyzeTest, FailedRunsAreExcludedCountedAndTestedAgainstTheInputs) {
  Campaign c = linear(1000);
  c.design.seed = 1;  // x2 and x3 are independent of failure: p is uniform, fixed by the seed
  const auto inner = c.model;
  c.model = [inner](const std::vector<double>& x, std::uint32_t rep, std::uint64_t s) {
    return x[0] > 0.8 ? std::vector<double>{std::nan("")} : inner(x, rep, s);
  };
  const auto report = analyze(options(build(c)));
  EXPECT_EQ(report.stored_runs, 1000u);
  EXPECT_EQ(report.failed_runs, 200u);  // a Latin hypercube puts exactly 20% of x1 above 0.8
  EXPECT_EQ(report.ok_runs, 800u);
  EXPECT_EQ(report.correlations.front().table.samples, 800);
  ASSERT_TRUE(report.failures.has_value());
  EXPECT_LT(report.failures->p_bonferroni[0], 1e-10);
  EXPECT_GT(report.failures->p_bonferroni[1], 0.05);
  EXPECT_GT(report.failures->p_bonferroni[2], 0.05);
  EXPECT_NE(report.failures->summary.find("x1 is higher in failed runs"), std::string::npos)
      << report.failures->summary;
  EXPECT_NE(report.failures->summary.find("200 of 1000"), std::string::npos);
}

TEST_F(AnalyzeTest, ReplicatesAreAveragedForSensitivityButNotForUncertainty) {
  const Campaign c = linear(500, 4);
  const auto report = analyze(options(build(c)));
  EXPECT_EQ(report.stored_runs, 2000u);
  EXPECT_EQ(report.sensitivity_rows, 500u);
  EXPECT_EQ(report.correlations.front().table.samples, 500);
  EXPECT_EQ(report.uncertainty_runs, 2000u);
  EXPECT_EQ(report.uncertainty.front().samples, 2000);
  // Averaging 4 replicates quarters the noise variance: PRCC of x3 rises above its
  // single-replicate value.
  const auto single = analyze(options(build(linear(500, 1), "single.db")));
  EXPECT_GT(report.correlations.front().table.coefficient(2, 0),
            single.correlations.front().table.coefficient(2, 0));
}

TEST_F(AnalyzeTest, SaltelliIshigamiGivesTheExactSobolIndices) {
  Campaign c = ishigami("saltelli", 4096);
  // A few failures spoil whole base rows, which must be dropped.
  const auto inner = c.model;
  c.model = [inner](const std::vector<double>& x, std::uint32_t rep, std::uint64_t s) {
    return s % 997 == 3 ? std::vector<double>{std::nan("")} : inner(x, rep, s);
  };
  const auto report = analyze(options(build(c)));
  ASSERT_TRUE(report.sobol.has_value());
  const auto& s = *report.sobol;
  // a = 7, b = 0.1: V = 13.8446; S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
  const double s1[] = {0.3139, 0.4424, 0.0}, st[] = {0.5576, 0.4424, 0.2437};
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first(i, 0), s1[i], 0.04) << i;
    EXPECT_NEAR(s.total(i, 0), st[i], 0.04) << i;
    EXPECT_LE(s.first_low(i, 0), s.first(i, 0));
    EXPECT_GE(s.total_high(i, 0), s.total(i, 0));
  }
  const std::uint64_t failed_rows = report.failed_runs;  // each failure in its own base row
  EXPECT_GT(failed_rows, 0u);
  EXPECT_EQ(s.base_rows, static_cast<Eigen::Index>(4096 - failed_rows));
  bool said = false;
  for (const auto& n : report.notes)
    said = said || n.find("base rows are dropped") != std::string::npos;
  EXPECT_TRUE(said);
  // The uncertainty summary uses only the A and B rows.
  EXPECT_EQ(
      report.uncertainty_runs, 2 * 4096 - [&] {
        std::uint64_t n = 0;
        for (std::uint64_t i = 3; i < 4096 * 5; i += 997) n += (i % 5 == 0 || i % 5 == 4);
        return n;
      }());
  EXPECT_NEAR(report.uncertainty.front().mean, 3.5, 0.15);  // E[y] = a / 2
}

TEST_F(AnalyzeTest, MorrisOnLinearModelGivesCoefficientTimesRange) {
  Campaign c;
  c.design = spec("morris", 20);
  c.parameters = {{"x1", sampling::Distribution::uniform(0, 2)},
                  {"x2", sampling::Distribution::uniform(-1, 1)},
                  {"x3", sampling::Distribution::uniform(10, 15)}};
  c.model = [](const std::vector<double>& x, std::uint32_t, std::uint64_t) {
    return std::vector<double>{1.0 * x[0] - 2.0 * x[1] + 3.0 * x[2]};
  };
  const auto report = analyze(options(build(c)));
  ASSERT_EQ(report.methods, std::vector<std::string>{"morris"});
  ASSERT_TRUE(report.morris.has_value());
  const auto& m = *report.morris;
  const double expected[] = {1.0 * 2, 2.0 * 2, 3.0 * 5};
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_NEAR(m.mu_star(i, 0), expected[i], 1e-9 * expected[i]) << i;
    EXPECT_NEAR(m.sigma(i, 0), 0.0, 1e-9) << i;
  }
  EXPECT_NEAR(m.mu(1, 0), -4.0, 1e-9);
}

TEST_F(AnalyzeTest, RefusesMethodsThatDoNotFitTheDesign) {
  const auto lhs = build(linear(100));
  auto o = options(lhs);
  o.method = "sobol";
  try {
    analyze(o);
    FAIL() << "sobol on an lhs campaign was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("Saltelli design"), std::string::npos) << e.what();
  }
  o.method = "morris";
  EXPECT_THROW(analyze(o), UsageError);

  Campaign c = ishigami("morris", 10);
  auto m = options(build(c, "morris.db"));
  for (const char* method : {"prcc", "pcc", "src", "srrc", "correlation", "sobol", "uncertainty"}) {
    m.method = method;
    EXPECT_THROW(analyze(m), UsageError) << method;
  }
  m.method = "auto";
  m.events = {"y > 1"};
  EXPECT_THROW(analyze(m), UsageError);

  auto s = options(build(ishigami("saltelli", 64), "saltelli.db"));
  s.method = "prcc";
  EXPECT_THROW(analyze(s), UsageError);
}

TEST_F(AnalyzeTest, RefusesBadUsageWithOneClearMessage) {
  const auto path = build(linear(100));
  auto o = options(path);
  o.outputs = {"y,z"};
  try {
    analyze(o);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown output 'z'; the store has: y");
  }
  o = options(path);
  o.events = {"z > 1"};
  EXPECT_THROW(analyze(o), UsageError);
  o = options(path);
  o.method = "anova";
  EXPECT_THROW(analyze(o), UsageError);
  o = options(path);
  o.confidence = 1.5;
  EXPECT_THROW(analyze(o), UsageError);
  EXPECT_THROW(analyze(options((dir_ / "missing.db").string())), UsageError);
  const auto text = (dir_ / "not-a-store.db").string();
  std::ofstream(text) << "hello\n";
  EXPECT_THROW(analyze(options(text)), UsageError);
  o = options(path);
  o.format = "xml";
  EXPECT_THROW(analyze_command(o), UsageError);
}

TEST_F(AnalyzeTest, EventProbabilitiesCountTheRunsWithWilsonIntervals) {
  const Campaign c = linear(1000);
  auto o = options(build(c));
  o.events = {"y > 3", "y<=1"};
  const auto report = analyze(o);
  Eigen::MatrixXd x, y;
  ok_matrices(c, x, y);
  ASSERT_EQ(report.events.size(), 2u);
  EXPECT_EQ(report.events[0].expression, "y > 3");
  EXPECT_EQ(report.events[0].probability.events, (y.array() > 3.0).count());
  EXPECT_EQ(report.events[1].probability.events, (y.array() <= 1.0).count());
  EXPECT_EQ(report.events[0].probability.samples, 1000);
  const auto& p = report.events[0].probability;
  EXPECT_LT(p.ci_low, p.probability);
  EXPECT_GT(p.ci_high, p.probability);
  EXPECT_NEAR(p.probability, 0.5, 0.05);  // y is symmetric about 3
}

TEST_F(AnalyzeTest, PrccOverTimeFollowsTheTrajectories) {
  Campaign c = linear(400);
  c.trajectory_variables = {"v"};
  c.trajectory_times = {0.0, 1.0, 2.0};
  // v(t) = t x1 + (2 - t) x2: x2 alone at t = 0, x1 alone at t = 2, both in between.
  c.trajectories = [](const std::vector<double>& x, std::uint32_t, std::uint64_t) {
    return std::vector<double>{2.0 * x[1], x[0] + x[1], 2.0 * x[0]};
  };
  const auto report = analyze(options(build(c)));
  ASSERT_EQ(report.time_courses.size(), 1u);
  const auto& t = report.time_courses.front().table;
  EXPECT_NEAR(t.coefficient(1, 0), 1.0, 1e-9);
  EXPECT_NEAR(t.coefficient(0, 2), 1.0, 1e-9);
  EXPECT_GT(t.coefficient(0, 1), 0.9);
  EXPECT_GT(t.coefficient(1, 1), 0.9);
  EXPECT_LT(std::abs(t.coefficient(2, 1)), 0.2);
}

TEST_F(AnalyzeTest, LargeSampleIntervalsAgreeWithTheBootstrap) {
  const auto path = build(linear(60000));
  AnalyzeOptions large = options(path);
  large.bootstrap.reset();  // above 50000 runs: large-sample intervals
  large.method = "uncertainty";
  AnalyzeOptions boot = large;
  boot.bootstrap = 300;
  const auto a = analyze(large).uncertainty.front();
  const auto b = analyze(boot).uncertainty.front();
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

TEST_F(AnalyzeTest, EveryFormatCarriesTheNumbers) {
  auto o = options(build(linear(300)));
  o.events = {"y > 3"};
  const auto report = analyze(o);
  const double x3 = report.correlations.front().table.coefficient(2, 0);
  const std::string x3_text = std::to_string(x3).substr(0, 5);
  for (const char* format : {"table", "markdown", "csv", "json"}) {
    std::ostringstream out;
    write_report(report, format, out);
    EXPECT_NE(out.str().find(x3_text), std::string::npos) << format << "\n" << out.str();
    EXPECT_NE(out.str().find("y > 3"), std::string::npos) << format;
  }
  std::ostringstream table;
  write_report(report, "table", table);
  // Sorted by |PRCC|: x3, then x2, then x1.
  const auto& s = table.str();
  EXPECT_LT(s.find("  x3 "), s.find("  x2 "));
  EXPECT_LT(s.find("  x2 "), s.find("  x1 "));
  EXPECT_NE(s.find("***"), std::string::npos);
  EXPECT_EQ(significance_marker(0.0005), "***");
  EXPECT_EQ(significance_marker(0.005), "**");
  EXPECT_EQ(significance_marker(0.02), "*");
  EXPECT_EQ(significance_marker(0.2), "");
}

TEST_F(AnalyzeTest, PlotsWriteDataAndScriptsEvenWithoutGnuplot) {
  auto o = options(build(linear(300)));
  o.plots_dir = (dir_ / "plots").string();
  const auto report = analyze(o);
  ::setenv("TMEX_GNUPLOT", "/nonexistent/gnuplot", 1);
  const auto result = write_plots(report, o.plots_dir);
  ::unsetenv("TMEX_GNUPLOT");
  EXPECT_FALSE(result.gnuplot_found);
  EXPECT_NE(result.message.find("gnuplot not found"), std::string::npos);
  for (const char* name : {"tornado_prcc_y", "scatter_y", "histogram_y"}) {
    EXPECT_TRUE(fs::exists(dir_ / "plots" / (std::string(name) + ".gp"))) << name;
    EXPECT_TRUE(fs::exists(dir_ / "plots" / (std::string(name) + ".dat"))) << name;
  }
  EXPECT_TRUE(result.images.empty());
}

}  // namespace
}  // namespace tmex::driver
