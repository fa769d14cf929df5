// Google Benchmark of the emdr model: one baseline evaluation, and 1,000 Latin-hypercube points
// of models/emdr.md's default ranges (per-evaluation median/p99/max, and accuracy against a
// tight reference solve).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "models/emdr_model.hpp"
#include "models/emdr_parameters.hpp"
#include "models/emdr_rodas4.hpp"
#include "models/emdr_simulation.hpp"
#include "sampling/distribution.hpp"
#include "sampling/latin_hypercube.hpp"

namespace {

using namespace tmex;

constexpr std::uint64_t kPoints = 1000;
constexpr std::uint64_t kSeed = 20261129;

std::vector<double> defaults(const models::Model& model) {
  std::vector<double> out;
  for (const auto& p : model.info().parameters) out.push_back(p.default_value);
  return out;
}

// Parameter vectors of the LHS over the sampleable parameters, other parameters at baseline.
std::vector<std::vector<double>> lhs_points(const models::Model& model) {
  const auto ranges = models::emdr_sampled_ranges();
  std::vector<sampling::Distribution> marginals;
  for (const auto& r : ranges) {
    marginals.push_back(r.log_uniform ? sampling::Distribution::log_uniform(r.min, r.max)
                                      : sampling::Distribution::uniform(r.min, r.max));
  }
  const sampling::LatinHypercube lhs(kPoints, ranges.size(), kSeed);
  std::vector<std::vector<double>> points;
  std::vector<double> unit(ranges.size());
  for (std::uint64_t i = 0; i < kPoints; ++i) {
    lhs.unit_point(i, unit);
    std::vector<double> values = defaults(model);
    for (std::size_t j = 0; j < ranges.size(); ++j) values[j] = marginals[j].quantile(unit[j]);
    points.push_back(std::move(values));
  }
  return points;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// Counts the solver's attempted steps through the integrator interface.
class CountingIntegrator final : public models::EmdrIntegrator {
 public:
  models::IntegrationStatus integrate(const models::EmdrSystem& system,
                                      const models::EmdrTolerances& tolerances,
                                      models::EmdrState& y, double t0, double t1,
                                      models::EmdrStepObserver* observer,
                                      models::IntegrationBudget& budget) const override {
    const long before = budget.steps;
    const auto status = inner_.integrate(system, tolerances, y, t0, t1, observer, budget);
    steps_ += budget.steps - before;
    return status;
  }
  long steps() const { return steps_; }

 private:
  models::Rodas4Integrator inner_;
  mutable long steps_ = 0;
};

void BM_EmdrBaseline(benchmark::State& state) {
  const auto model = models::make_emdr({});
  const std::vector<double> values = defaults(*model);
  models::EvalResult result;
  for (auto _ : state) {
    model->evaluate(values, models::EvalContext{}, result);
    benchmark::DoNotOptimize(result.outputs.data());
  }
  models::EmdrParameters p;
  models::read_emdr_parameters(values, p);
  const CountingIntegrator counting;
  models::simulate_emdr(p, models::EmdrOptions{}, {}, counting, models::EvalContext{}, result);
  state.counters["steps"] = static_cast<double>(counting.steps());
  state.counters["ok"] = result.status == models::EvalStatus::kOk ? 1 : 0;
}
BENCHMARK(BM_EmdrBaseline)->Unit(benchmark::kMicrosecond);

// Times every point separately. `first_*`: one evaluation each; `*_us`: the fastest of three,
// which filters out interference from other processes on a shared machine.
void BM_EmdrLhs1000(benchmark::State& state) {
  const auto model = models::make_emdr({});
  const auto points = lhs_points(*model);
  std::vector<double> first(kPoints), best(kPoints);
  int failures = 0;
  long steps = 0;
  for (auto _ : state) {
    failures = 0;
    models::EvalResult result;
    for (std::uint64_t i = 0; i < kPoints; ++i) {
      best[i] = INFINITY;
      for (int rep = 0; rep < 3; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        model->evaluate(points[i], models::EvalContext{}, result);
        const auto t1 = std::chrono::steady_clock::now();
        const double us = std::chrono::duration<double, std::micro>(t1 - t0).count();
        if (rep == 0) first[i] = us;
        best[i] = std::min(best[i], us);
      }
      failures += result.status != models::EvalStatus::kOk;
    }
  }
  for (const auto& values : points) {
    models::EmdrParameters p;
    models::read_emdr_parameters(values, p);
    const CountingIntegrator counting;
    models::EvalResult result;
    models::simulate_emdr(p, models::EmdrOptions{}, {}, counting, models::EvalContext{}, result);
    steps = std::max(steps, counting.steps());
  }
  state.counters["median_us"] = quantile(best, 0.5);
  state.counters["p99_us"] = quantile(best, 0.99);
  state.counters["max_us"] = quantile(best, 1.0);
  state.counters["first_median_us"] = quantile(first, 0.5);
  state.counters["first_p99_us"] = quantile(first, 0.99);
  state.counters["first_max_us"] = quantile(first, 1.0);
  state.counters["max_steps"] = static_cast<double>(steps);
  state.counters["failures"] = failures;
}
BENCHMARK(BM_EmdrLhs1000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Largest |production - reference| over the LHS points, per output; the reference is odeint's
// rosenbrock4 at relative tolerance 1e-10. Outputs of the end of therapy are compared where the
// reference's residual burden is at least 1e3 cells, those of the horizon where its final burden
// is (below that, log outputs measure a handful of cells). Slow (about a minute).
void BM_EmdrLhsAccuracy(benchmark::State& state) {
  const auto model = models::make_emdr({});
  const auto reference = models::make_emdr({}, models::EmdrSolver::kReference);
  const auto points = lhs_points(*model);
  struct Compared {
    const char* name;
    bool at_residual;  // an end-of-therapy output
  };
  const Compared names[] = {
      {"log10_residual_burden", true},       {"adhered_fraction_residual", true},
      {"resistant_fraction_residual", true}, {"log_kill", true},
      {"log10_final_burden", false},         {"resistant_fraction", false},
      {"adhered_fraction_0", false},         {"adhered_fraction_T", false},
      {"log10_auc_burden", false},           {"log10_expected_mutations", false}};
  std::vector<double> worst(std::size(names), 0.0);
  int compared = 0, failures = 0, cured_differently = 0;
  for (auto _ : state) {
    for (const auto& values : points) {
      models::EvalResult a, b;
      model->evaluate(values, models::EvalContext{}, a);
      reference->evaluate(values, models::EvalContext{}, b);
      if (a.status != models::EvalStatus::kOk || b.status != models::EvalStatus::kOk) {
        ++failures;
        continue;
      }
      cured_differently += a.outputs[models::kCured] != b.outputs[models::kCured];
      ++compared;
      for (std::size_t k = 0; k < std::size(names); ++k) {
        const double size =
            b.outputs[names[k].at_residual ? models::kResidualBurden : models::kFinalBurden];
        if (size < 1e3) continue;
        const std::size_t idx = *model->info().output_index(names[k].name);
        worst[k] = std::max(worst[k], std::abs(a.outputs[idx] - b.outputs[idx]));
      }
    }
  }
  for (std::size_t k = 0; k < std::size(names); ++k) {
    state.counters[std::string("err_") + names[k].name] = worst[k];
  }
  state.counters["compared"] = compared;
  state.counters["failures"] = failures;
  state.counters["cured_differently"] = cured_differently;
}
BENCHMARK(BM_EmdrLhsAccuracy)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
