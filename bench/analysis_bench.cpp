// Benchmarks of the analysis module at campaign scale: PRCC with inference on 10^6 runs and
// Sobol' indices with bootstrap intervals; each reports the process's peak resident memory.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "analysis/partial_correlation.hpp"
#include "analysis/ranks.hpp"
#include "analysis/sobol_indices.hpp"
#include "bench/bench_support.hpp"

namespace {

using tmex::bench::peak_rss_mib;

// N runs of k uniform inputs and m outputs mixing linear, monotone and non-monotone effects
// with noise, as a campaign store would hand them over.
struct Campaign {
  Eigen::MatrixXd inputs;
  Eigen::MatrixXd outputs;
};

Campaign synthetic_campaign(Eigen::Index n, Eigen::Index k, Eigen::Index m) {
  Campaign c;
  c.inputs = (Eigen::MatrixXd::Random(n, k).array() + 1.0) * 0.5;
  c.outputs.resize(n, m);
  for (Eigen::Index o = 0; o < m; ++o) {
    const auto x = c.inputs.array();
    c.outputs.col(o) =
        (x.col(o % k) * (static_cast<double>(o) + 1.0) + (3.0 * x.col((o + 1) % k)).exp() -
         (6.0 * x.col((o + 2) % k)).sin() + 0.5 * Eigen::ArrayXd::Random(n))
            .matrix();
  }
  return c;
}

// Ranking one column of N continuous values (the step PRCC repeats for every column) and
// sorting one column of values (the step each uncertainty summary starts with).
void BM_RankColumn(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const Eigen::VectorXd x = (Eigen::VectorXd::Random(n).array() + 1.0) * 0.5;
  std::vector<std::int32_t> ranks(static_cast<std::size_t>(n));
  for (auto _ : state) {
    tmex::analysis::doubled_centred_ranks({x.data(), static_cast<std::size_t>(n)}, ranks);
    benchmark::DoNotOptimize(ranks.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_RankColumn)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_SortValues(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const Eigen::VectorXd x = (Eigen::VectorXd::Random(n).array() + 1.0) * 0.5;
  for (auto _ : state) {
    std::vector<double> v(x.data(), x.data() + n);
    tmex::analysis::sort_values(v);
    benchmark::DoNotOptimize(v.data());
  }
}
BENCHMARK(BM_SortValues)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_PrccWithInference(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const Eigen::Index k = state.range(1);
  const Eigen::Index m = state.range(2);
  const Campaign c = synthetic_campaign(n, k, m);
  for (auto _ : state) {
    auto table = tmex::analysis::prcc(c.inputs, c.outputs);
    benchmark::DoNotOptimize(table.p_bh.data());
  }
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}
BENCHMARK(BM_PrccWithInference)
    ->Args({1000000, 20, 10})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_SobolWithBootstrap(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const Eigen::Index k = state.range(1);
  // Outputs of a product function on a random Saltelli design, laid out as the project does.
  const Eigen::MatrixXd a = (Eigen::MatrixXd::Random(n, k).array() + 1.0) * 0.5;
  const Eigen::MatrixXd b = (Eigen::MatrixXd::Random(n, k).array() + 1.0) * 0.5;
  Eigen::MatrixXd y(n * (k + 2), 1);
  Eigen::RowVectorXd point(k);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index blk = 0; blk < k + 2; ++blk) {
      point = blk == k + 1 ? b.row(j) : a.row(j);
      if (blk >= 1 && blk <= k) point[blk - 1] = b(j, blk - 1);
      double f = 1.0;
      for (Eigen::Index i = 0; i < k; ++i) {
        f *= (std::abs(4.0 * point[i] - 2.0) + static_cast<double>(i)) /
             (1.0 + static_cast<double>(i));
      }
      y(j * (k + 2) + blk, 0) = f;
    }
  }
  tmex::analysis::SobolOptions options;
  options.resamples = static_cast<int>(state.range(2));
  for (auto _ : state) {
    auto indices = tmex::analysis::sobol_indices(y, k, {}, options);
    benchmark::DoNotOptimize(indices.total_high.data());
  }
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}
BENCHMARK(BM_SobolWithBootstrap)->Args({1 << 16, 8, 1000})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
