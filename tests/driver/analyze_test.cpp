// Tests of `tmex analyze` from a store: typed metadata to the pipeline, options to a request,
// refusals as usage errors, figures without gnuplot. The statistics are tested on in-memory
// tables in tests/analysis/campaign_analysis_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>

#include "driver/analysis_input.hpp"
#include "driver/analyze_command.hpp"
#include "driver/errors.hpp"
#include "driver/gnuplot.hpp"
#include "report/analysis_report.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/distribution.hpp"
#include "storage/campaign_store.hpp"
#include "storage/run_reader.hpp"

namespace tmex::driver {
namespace {

namespace fs = std::filesystem;

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

  // A store of y = x1 + 2 x2 + 3 x3 (+ noise per replicate) on the design `method`, written
  // through the storage API with typed metadata as `tmex run` writes it. Runs with x1 > 0.9
  // fail.
  std::string build(const std::string& method, std::uint64_t samples, std::uint32_t replicates = 1,
                    const std::string& name = "c.db") {
    sampling::DesignSpec spec;
    spec.method = method;
    spec.samples = samples;
    spec.seed = 7;
    const std::vector<std::pair<std::string, sampling::Distribution>> parameters = {
        {"x1", sampling::Distribution::uniform(0, 1)},
        {"x2", sampling::Distribution::log_uniform(0.1, 1)},
        {"x3", sampling::Distribution::discrete({0, 0.25, 0.5, 0.75, 1})}};
    const auto design = sampling::make_design(spec, parameters.size());
    storage::CampaignMeta meta;
    meta.name = "test";
    meta.seed = 7;
    meta.samples = design->size();
    meta.replicates = replicates;
    meta.design = design->describe();
    meta.layout = {method, design->group_size()};
    meta.model = "closed-form";
    for (const auto& [n, d] : parameters) {
      storage::ParameterColumn p{n, d.describe(), d.kind_name()};
      for (std::size_t i = 0; i < d.params().size(); ++i) {
        p.arguments.push_back({d.parameter_names()[i], d.params()[i]});
      }
      meta.parameters.push_back(std::move(p));
    }
    meta.outputs = {"y"};
    meta.config = "test\n";
    meta.config_hash = "0";
    meta.tmex_version = "test";
    const std::string path = (dir_ / name).string();
    auto store = storage::CampaignStore::create(path, meta);
    std::vector<storage::RunRecord> batch;
    std::vector<double> unit(parameters.size());
    for (std::uint64_t i = 0; i < design->size(); ++i) {
      design->unit_point(i, unit);
      for (std::uint32_t rep = 0; rep < replicates; ++rep) {
        storage::RunRecord r;
        r.sample = i;
        r.replicate = rep;
        r.block = design->block(i);
        for (std::size_t j = 0; j < unit.size(); ++j) {
          r.parameters.push_back(parameters[j].second.quantile(unit[j]));
        }
        const double y = r.parameters[0] + 2 * r.parameters[1] + 3 * r.parameters[2] +
                         0.1 * std::sin(static_cast<double>(i * 7 + rep));
        const bool ok = r.parameters[0] <= 0.9;
        r.outputs = {ok ? y : std::nan("")};
        r.status = ok ? "ok" : "non_finite";
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

TEST_F(AnalyzeTest, TheStoreIsAnalysedAsTheSameTableInMemory) {
  const auto path = build("lhs", 500, 2);
  const auto from_store = analyze_store(options(path));
  // The same campaign through the pipeline directly.
  auto store = storage::CampaignStore::open_read_only(path);
  const auto campaign = campaign_info(store.meta(), path);
  const auto plan = analysis::plan_analysis(campaign, {.bootstrap = 200});
  const auto direct = analysis::analyse_campaign(campaign, read_run_table(store, plan), plan);
  EXPECT_EQ(from_store.correlations.front().table.coefficient,
            direct.correlations.front().table.coefficient);
  EXPECT_EQ(from_store.stored_runs, 1000u);
  EXPECT_GT(from_store.failed_runs, 0u);
  EXPECT_EQ(from_store.uncertainty->summaries.front().mean_low,
            direct.uncertainty->summaries.front().mean_low);
}

TEST_F(AnalyzeTest, TypedMetadataGivesTheLayoutAndEachParametersRange) {
  const auto path = build("morris", 10);
  auto store = storage::CampaignStore::open_read_only(path);
  const auto c = campaign_info(store.meta(), path);
  EXPECT_EQ(c.layout.kind, analysis::DesignKind::kMorris);
  EXPECT_EQ(c.layout.group_size, 4u);
  ASSERT_EQ(c.parameters.size(), 3u);
  EXPECT_EQ(c.parameters[0].range(), 1.0);
  EXPECT_FALSE(c.parameters[0].log_scaled);
  EXPECT_TRUE(c.parameters[1].log_scaled);
  EXPECT_NEAR(*c.parameters[1].range(), 0.9, 1e-15);
  EXPECT_EQ(c.parameters[2].range(), 1.0);  // the span of the discrete levels
  // Morris effects per unit fraction of those ranges: x3's effect is 3 x its span.
  const auto a = analyze_store(options(path));
  ASSERT_TRUE(a.morris.has_value());
  EXPECT_NEAR(a.morris->mu(0, 0), 1.0, 0.2);
}

TEST_F(AnalyzeTest, RefusesBadUsageWithOneClearMessage) {
  const auto path = build("lhs", 100);
  const auto message = [&](const AnalyzeOptions& o) {
    try {
      analyze_command(o);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no usage error");
  };
  auto o = options(path);
  o.outputs = {"y,z"};
  EXPECT_EQ(message(o), "unknown output 'z'; the campaign has: y");
  o = options(path);
  o.events = {"z > 1"};
  EXPECT_EQ(message(o), "event 'z > 1': unknown output 'z'; the campaign has: y");
  o = options(path);
  o.events = {"y = 1"};
  EXPECT_NE(message(o).find("--event 'y = 1': unknown operator '='"), std::string::npos);
  o = options(path);
  o.method = "anova";
  EXPECT_NE(message(o).find("--method: unknown method 'anova'"), std::string::npos);
  o = options(path);
  o.method = "sobol";
  EXPECT_NE(message(o).find("Saltelli design"), std::string::npos);
  o = options(path);
  o.confidence = 1.5;
  EXPECT_EQ(message(o), "confidence must be in (0, 1), got 1.5");
  o = options(path);
  o.format = "xml";
  EXPECT_NE(message(o).find("--format: unknown format 'xml'"), std::string::npos);
  EXPECT_NE(message(options((dir_ / "missing.db").string())).find("does not exist"),
            std::string::npos);
  const auto text = (dir_ / "not-a-store.db").string();
  std::ofstream(text) << "hello\n";
  EXPECT_NE(message(options(text)).find("not a tmex store"), std::string::npos);
}

TEST_F(AnalyzeTest, FiguresAreWrittenAsDataAndScriptsEvenWithoutGnuplot) {
  auto o = options(build("lhs", 300));
  o.plots_dir = (dir_ / "plots").string();
  const auto report = report::build_report(analyze_store(o));
  ::setenv("TMEX_GNUPLOT", "/nonexistent/gnuplot", 1);
  const auto result = draw_figures(report, o.plots_dir);
  ::unsetenv("TMEX_GNUPLOT");
  EXPECT_FALSE(result.gnuplot_found);
  EXPECT_NE(result.message.find("gnuplot not found"), std::string::npos);
  for (const char* name : {"tornado_prcc_y", "scatter_y", "histogram_y"}) {
    EXPECT_TRUE(fs::exists(dir_ / "plots" / (std::string(name) + ".gp"))) << name;
    EXPECT_TRUE(fs::exists(dir_ / "plots" / (std::string(name) + ".dat"))) << name;
  }
  EXPECT_TRUE(result.images.empty());
}

TEST_F(AnalyzeTest, GnuplotRunsThroughTheProcessLauncherWithItsErrorsLogged) {
  auto o = options(build("lhs", 300));
  const auto report = report::build_report(analyze_store(o));
  // A stand-in for gnuplot that draws some figures and fails on the histogram.
  const auto fake = dir_ / "gnuplot";
  // Called as `gnuplot -e "set terminal pngcairo"` (the probe) and as
  // `gnuplot -e "fmt='png'" NAME.gp` / `gnuplot -e "fmt='svg'" NAME.gp`.
  std::ofstream(fake) << "#!/bin/sh\n"
                         "[ $# -eq 2 ] && exit 0\n"
                         "format=png; case \"$2\" in *svg*) format=svg ;; esac\n"
                         "case \"$3\" in\n"
                         "  histogram*) echo \"bad histogram\" >&2; exit 1 ;;\n"
                         "  *) touch \"${3%.gp}.$format\" ;;\n"
                         "esac\n";
  fs::permissions(fake, fs::perms::owner_all);
  ::setenv("TMEX_GNUPLOT", fake.c_str(), 1);
  const auto result = draw_figures(report, (dir_ / "plots").string());
  ::unsetenv("TMEX_GNUPLOT");
  EXPECT_TRUE(result.gnuplot_found);
  for (const char* image : {"tornado_prcc_y.png", "tornado_prcc_y.svg"}) {
    EXPECT_NE(std::find(result.images.begin(), result.images.end(), image), result.images.end())
        << image;
  }
  EXPECT_NE(result.message.find("gnuplot failed on histogram_y"), std::string::npos)
      << result.message;
  std::ifstream log(dir_ / "plots" / "gnuplot.log");
  std::string line;
  std::getline(log, line);
  EXPECT_EQ(line, "bad histogram");
}

}  // namespace
}  // namespace tmex::driver
