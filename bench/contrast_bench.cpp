// Benchmarks of the paired contrasts of a campaign with arms at the scale of issue 13: 20,000
// samples x 8 arms x 14 outputs (19 parameters), the in-memory part of `tmex compare` and of
// `tmex analyze` on such a campaign (bench/compare_stores.sh times the commands on stores).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "analysis/centre_summary.hpp"
#include "analysis/contrast.hpp"
#include "bench/bench_support.hpp"

namespace {

using tmex::bench::peak_rss_mib;
using tmex::bench::uniform;

// The campaign and its runs, in store order (sample, arm): the outputs of bench/arms_store_bench
// (a benefit of arm a growing with one parameter per output; every fifth output 0/1).
struct ArmsCampaign {
  tmex::analysis::CampaignInfo info;
  tmex::analysis::RunTable runs;
};

ArmsCampaign arms_campaign(std::uint64_t samples, std::uint32_t arms, std::size_t k,
                           std::size_t m) {
  ArmsCampaign c;
  c.info.source = "bench";
  c.info.name = "bench";
  c.info.design = "lhs";
  c.info.samples = samples;
  c.info.seed = 1;
  for (std::size_t i = 0; i < k; ++i)
    c.info.parameters.push_back({"p" + std::to_string(i + 1), 0.0, 1.0});
  for (std::size_t j = 0; j < m; ++j) {
    c.info.outputs.push_back("y" + std::to_string(j + 1));
    c.info.better.push_back(tmex::analysis::Direction::kLower);
  }
  for (std::uint32_t a = 0; a < arms; ++a) c.info.arms.push_back("arm" + std::to_string(a + 1));
  auto& t = c.runs;
  t.columns = c.info.parameter_names();
  t.columns.insert(t.columns.end(), c.info.outputs.begin(), c.info.outputs.end());
  t.rows = samples * arms;
  t.values.resize(t.rows * (k + m));
  std::size_t r = 0;
  for (std::uint64_t s = 0; s < samples; ++s) {
    std::vector<double> x(k);
    for (std::size_t i = 0; i < k; ++i) x[i] = uniform(s, i);
    for (std::uint32_t a = 0; a < arms; ++a, ++r) {
      for (std::size_t i = 0; i < k; ++i) t.values[i * t.rows + r] = x[i];
      for (std::size_t j = 0; j < m; ++j) {
        double y = 0.2 * (uniform(s, 1000 + j) - 0.5);
        for (std::size_t i = 0; i < k; ++i) {
          y += (1.0 + static_cast<double>((i + j) % 3)) / static_cast<double>(k) * x[i];
        }
        y -= 0.3 * a * x[j % k];
        t.values[(k + j) * t.rows + r] = j % 5 == 4 ? (y > 2.0 ? 1.0 : 0.0) : y;
      }
      t.sample.push_back(s);
      t.arm.push_back(a);
      t.replicate.push_back(0);
      t.block.push_back(0);
      t.ok.push_back(1);
    }
  }
  return c;
}

// Every arm against the first on every output: 7 contrasts x 14 outputs at 20,000 samples, 1000
// bootstrap resamples. Arguments: threads (0 = all cores).
void BM_ContrastArms(benchmark::State& state) {
  static const ArmsCampaign c = arms_campaign(20000, 8, 19, 14);
  tmex::analysis::ContrastRequest request;
  request.threads = static_cast<unsigned>(state.range(0));
  const auto plan = tmex::analysis::plan_contrasts(c.info, request);
  for (auto _ : state) {
    auto contrasts = tmex::analysis::contrast_arms(c.info, c.runs, plan);
    benchmark::DoNotOptimize(contrasts);
  }
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}
BENCHMARK(BM_ContrastArms)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// The bootstrap of the means and medians of one contrast's 14 differences (20,000 samples).
void BM_SummarizeCentres(benchmark::State& state) {
  Eigen::MatrixXd d(20000, 14);
  for (Eigen::Index i = 0; i < d.rows(); ++i) {
    for (Eigen::Index j = 0; j < d.cols(); ++j) {
      d(i, j) = uniform(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j)) -
                0.5 * static_cast<double>(j % 3);
    }
  }
  tmex::analysis::CentreOptions o;
  o.threads = 1;
  for (auto _ : state) {
    auto s = tmex::analysis::summarize_centres(d, o);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SummarizeCentres)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
