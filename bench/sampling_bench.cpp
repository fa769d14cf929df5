// Google Benchmark programs for sampling designs: LHS generation, maximin optimisation, Sobol',
// decorrelation and quality measures.
#include <benchmark/benchmark.h>

#include <vector>

#include "sampling/design_quality.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/latin_hypercube.hpp"
#include "sampling/maximin_lhs.hpp"
#include "sampling/sobol_sequence.hpp"

namespace tmex::sampling {
namespace {

// Every point of a design, one unit_point call per row, as a worker does.
template <typename D>
void generate_all(benchmark::State& state, const D& design) {
  std::vector<double> u(design.dimension());
  for (auto _ : state) {
    double sink = 0.0;
    for (std::uint64_t i = 0; i < design.size(); ++i) {
      design.unit_point(i, u);
      sink += u[0];
    }
    benchmark::DoNotOptimize(sink);
  }
  state.counters["values/s"] =
      benchmark::Counter(static_cast<double>(design.size() * design.dimension()),
                         benchmark::Counter::kIsIterationInvariantRate);
}

// Target: 1e6 x 20 in under 0.15 s single-threaded (scipy.stats.qmc.LatinHypercube: ~0.7 s).
void BM_LhsGenerate(benchmark::State& state) {
  const LatinHypercube lhs(static_cast<std::uint64_t>(state.range(0)),
                           static_cast<std::size_t>(state.range(1)), 42);
  generate_all(state, lhs);
}
BENCHMARK(BM_LhsGenerate)->Args({1000000, 20})->Unit(benchmark::kMillisecond);

void BM_LhsGenerateMidpoint(benchmark::State& state) {
  const LatinHypercube lhs(1000000, 20, 42, LhsJitter::kMidpoint);
  generate_all(state, lhs);
}
BENCHMARK(BM_LhsGenerateMidpoint)->Unit(benchmark::kMillisecond);

// Maximin at the reference sizes; counters report the quality reached (R lhs::maximinLHS:
// median min distance 0.226 at 100 x 5; scipy random-cd: 0.310 at 1000 x 10 in 1.4 s).
void BM_MaximinLhs(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  const auto k = static_cast<std::size_t>(state.range(1));
  std::uint64_t seed = 0;
  double distance = 0.0, random_distance = 0.0, discrepancy = 0.0;
  for (auto _ : state) {
    const auto points = maximin_latin_hypercube(n, k, ++seed, LhsJitter::kRandom);
    state.PauseTiming();
    const auto q = measure_quality(points, k);
    distance += q.min_distance;
    discrepancy += q.centred_l2_discrepancy;
    random_distance +=
        measure_quality(LatinHypercube(n, k, seed), {.pairwise_points = 100000}).min_distance;
    state.ResumeTiming();
  }
  const double runs = static_cast<double>(state.iterations());
  state.counters["min_dist"] = distance / runs;
  state.counters["min_dist_random_lhs"] = random_distance / runs;
  state.counters["cd2"] = discrepancy / runs;
  state.counters["iterations"] = static_cast<double>(default_maximin_iterations(n));
}
BENCHMARK(BM_MaximinLhs)->Args({100, 5})->Args({1000, 10})->Unit(benchmark::kMillisecond);

void BM_SobolGenerate(benchmark::State& state) {
  const SobolSequence sobol(1 << 20, 20, static_cast<SobolScramble>(state.range(0)), 42);
  generate_all(state, sobol);
  state.SetLabel(state.range(0) == 0 ? "unscrambled" : state.range(0) == 1 ? "shift" : "owen");
}
BENCHMARK(BM_SobolGenerate)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Design quality as measured for a campaign's metadata (the default budget) and as `tmex sample`
// measures it (every pairwise figure on 10^4 points), for a 10^5 x 21 plain Latin hypercube.
void BM_QualityMeasures(benchmark::State& state) {
  const LatinHypercube lhs(100000, 21, 1);
  QualityBudget budget;
  if (state.range(0) == 1) budget = {.pairwise_points = 10000, .correlation_points = 100000};
  for (auto _ : state) benchmark::DoNotOptimize(measure_quality(lhs, budget));
  state.SetLabel(state.range(0) == 0 ? "start-up budget" : "tmex sample budget");
}
BENCHMARK(BM_QualityMeasures)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Iman-Conover decorrelation as a campaign builds it (make_design with correlation:
// decorrelate), n x 21; the design is built afresh each iteration.
void BM_Decorrelate(benchmark::State& state) {
  DesignSpec spec;
  spec.samples = static_cast<std::uint64_t>(state.range(0));
  spec.seed = 20261129;
  spec.correlation = CorrelationControl::kDecorrelate;
  for (auto _ : state) {
    const auto design = make_design(spec, 21);
    design->prepare();
  }
}
BENCHMARK(BM_Decorrelate)->Arg(20000)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tmex::sampling

BENCHMARK_MAIN();
