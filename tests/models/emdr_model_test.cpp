// Tests of the emdr model's contract: declarations, MODEL.md's reference numbers, statuses,
// trajectories and schedule edge cases.
#include "models/emdr_model.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include "models/emdr_parameters.hpp"
#include "models/emdr_simulation.hpp"
#include "models/model_registry.hpp"
#include "tests/models/emdr_test_support.hpp"

namespace tmex::models {
namespace {

using emdr_testing::EmdrRunner;
using emdr_testing::with_options;

TEST(EmdrModel, DeclaresModelMdOutputsInOrder) {
  const EmdrRunner emdr;
  const char* expected[] = {"final_burden",
                            "log10_final_burden",
                            "log_kill",
                            "nadir_time",
                            "time_to_relapse",
                            "relapsed",
                            "resistant_fraction",
                            "adhered_fraction_0",
                            "adhered_fraction_T",
                            "expected_mutations",
                            "log10_expected_mutations",
                            "p_resistance",
                            "log10_auc_burden",
                            "cured"};
  const auto& outputs = emdr.model().info().outputs;
  ASSERT_EQ(outputs.size(), std::size(expected));
  for (std::size_t i = 0; i < outputs.size(); ++i) EXPECT_EQ(outputs[i].name, expected[i]);
  EXPECT_EQ(emdr.model().info().trajectory_variables,
            (std::vector<std::string>{"N", "F", "A", "R", "L", "Z"}));
}

TEST(EmdrModel, SampledRangesAreTheFirstParametersAndContainTheirDefaults) {
  const EmdrRunner emdr;
  const auto& params = emdr.model().info().parameters;
  const auto ranges = emdr_sampled_ranges();
  ASSERT_EQ(ranges.size(), 21u);
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_EQ(params[i].name, ranges[i].name);
    EXPECT_GE(params[i].default_value, ranges[i].min) << ranges[i].name;
    EXPECT_LE(params[i].default_value, ranges[i].max) << ranges[i].name;
    EXPECT_FALSE(params[i].unit.empty());
  }
  for (const char* name : {"attach_rate", "carrying_capacity", "initial_burden", "cxcr4_block",
                           "peri_after", "n_cycles", "horizon", "burn_in"}) {
    EXPECT_TRUE(emdr.model().info().parameter_index(name).has_value()) << name;
  }
}

TEST(EmdrModel, IsRegisteredAndRejectsUnknownOptionValues) {
  ModelRegistry registry;
  register_builtin_models(registry);
  ASSERT_TRUE(registry.contains("emdr"));
  EXPECT_NO_THROW(registry.create("emdr", with_options({{"il6_block_schedule", "peri"}})));
  EXPECT_THROW(registry.create("emdr", with_options({{"il6_block_schedule", "sometimes"}})),
               ModelError);
  ModelSpec unknown;
  unknown.settings["no_such_parameter"] = 1;
  EXPECT_THROW(registry.create("emdr", unknown), ModelError);
}

// MODEL.md gives these to 2 decimals: agreement means |ours - theirs| <= 0.005.
TEST(EmdrModel, MatchesModelMdReferenceNumbersAtBaseline) {
  const EmdrRunner emdr;
  EXPECT_NEAR(emdr.output({}, "adhered_fraction_0"), 0.78, 0.005);
  EXPECT_NEAR(emdr.output({}, "log_kill"), 1.03, 0.005);
  EXPECT_NEAR(emdr.output({}, "log10_final_burden"), 9.73, 0.005);
  EXPECT_NEAR(emdr.output({}, "resistant_fraction"), 0.23, 0.005);
}

TEST(EmdrModel, InvalidParametersAreStatusesNamingParameterAndValue) {
  const EmdrRunner emdr;
  const std::pair<const char*, double> cases[] = {
      {"growth_rate", -0.1},    {"death_ratio", 1.0},   {"camdr_protection", 1.5},
      {"n_cycles", 2.5},        {"n_cycles", -1},       {"niche_capacity", 0.0},
      {"initial_burden", 0.5},  {"il6_block", -0.2},    {"horizon", 0.0},
      {"dose", std::nan("")},   {"mutation_rate", 2.0}, {"carrying_capacity", -1},
      {"resistance_cost", 1.0}, {"cycle_length", 0.0},  {"stat3_half_saturation", 0}};
  for (const auto& [name, value] : cases) {
    const EvalResult r = emdr.run({{name, value}});
    EXPECT_EQ(r.status, EvalStatus::kInvalidParameters) << name << " = " << value;
    EXPECT_NE(r.reason.find(name), std::string::npos) << r.reason;
    EXPECT_EQ(r.outputs.size(), emdr.model().info().outputs.size());
  }
}

TEST(EmdrModel, PastDeadlineIsATimeout) {
  const EmdrRunner emdr;
  std::vector<double> values = emdr.defaults();
  EvalContext context;
  context.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  EvalResult r;
  emdr.model().evaluate(values, context, r);
  EXPECT_EQ(r.status, EvalStatus::kTimeout) << r.reason;
}

TEST(EmdrModel, AbsurdRatesFailAsStatusesNotCrashes) {
  const EmdrRunner emdr;
  for (const char* name : {"growth_rate", "max_kill_rate", "attach_rate"}) {
    const EvalResult r = emdr.run({{name, 1e300}});
    EXPECT_TRUE(r.status == EvalStatus::kNonFinite || r.status == EvalStatus::kSolverFailure)
        << name << ": " << to_string(r.status) << " " << r.reason;
    EXPECT_FALSE(r.reason.empty()) << name;
  }
}

TEST(EmdrModel, ConcurrentEvaluationsMatchSerialOnes) {
  const EmdrRunner emdr;
  std::vector<std::vector<double>> inputs;
  for (int i = 0; i < 8; ++i) {
    std::vector<double> v = emdr.defaults();
    v[0] = 0.05 + 0.02 * i;  // growth_rate
    v[3] = 0.5 + 0.5 * i;    // adhesion_strength
    inputs.push_back(v);
  }
  std::vector<EvalResult> serial(inputs.size()), parallel(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    emdr.model().evaluate(inputs[i], EvalContext{}, serial[i]);
  }
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (std::size_t i = w; i < inputs.size(); i += 4) {
        emdr.model().evaluate(inputs[i], EvalContext{}, parallel[i]);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_EQ(serial[i].status, EvalStatus::kOk);
    EXPECT_EQ(serial[i].outputs, parallel[i].outputs) << i;
  }
}

TEST(EmdrModel, TrajectoriesAgreeWithScalarOutputs) {
  ModelSpec spec;
  spec.trajectory_times = {0.0, 0.5, 21.0, 100.0, 180.0};
  const EmdrRunner emdr(spec);
  const EvalResult r = emdr.run();
  ASSERT_EQ(r.status, EvalStatus::kOk) << r.reason;
  const std::size_t nt = spec.trajectory_times.size();
  ASSERT_EQ(r.trajectories.size(), 6 * nt);
  const auto at = [&](std::size_t variable, std::size_t j) {
    return r.trajectories[variable * nt + j];
  };
  const auto out = [&](const char* name) {
    return r.outputs[*emdr.model().info().output_index(name)];
  };
  for (std::size_t j = 0; j < nt; ++j) {
    EXPECT_NEAR(at(0, j), at(1, j) + at(2, j) + at(3, j), 1e-9 * at(0, j));  // N = F + A + R
  }
  EXPECT_NEAR(at(0, 0), 1e10, 1e-3);  // cell numbers are frozen during the burn-in
  EXPECT_NEAR(at(2, 0) / at(0, 0), out("adhered_fraction_0"), 1e-12);
  EXPECT_NEAR(at(0, nt - 1), out("final_burden"), 1e-9 * out("final_burden"));
  EXPECT_NEAR(at(3, nt - 1) / at(0, nt - 1), out("resistant_fraction"), 1e-9);
  EXPECT_LT(at(0, 1), at(0, 0));  // the first bolus kills within half a day
}

TEST(EmdrModel, RejectsBadTrajectoryTimes) {
  for (const std::vector<double>& times :
       std::vector<std::vector<double>>{{-1.0}, {1.0, 1.0}, {2.0, 1.0}, {181.0}, {std::nan("")}}) {
    ModelSpec spec;
    spec.trajectory_times = times;
    EXPECT_THROW(make_emdr(spec), ModelError);
  }
  // A sampled horizon shorter than a trajectory time is a per-evaluation status.
  ModelSpec spec;
  spec.trajectory_times = {150.0};
  const EmdrRunner emdr(spec);
  EXPECT_EQ(emdr.run({{"horizon", 100}}).status, EvalStatus::kInvalidParameters);
}

TEST(EmdrModel, WithoutChemotherapyTheNadirIsTheStart) {
  const EmdrRunner emdr;
  const std::map<std::string, double> none = {{"n_cycles", 0}};
  EXPECT_EQ(emdr.output(none, "log_kill"), 0.0);
  EXPECT_EQ(emdr.output(none, "nadir_time"), 0.0);
  EXPECT_EQ(emdr.output(none, "time_to_relapse"), 0.0);
  EXPECT_EQ(emdr.output(none, "relapsed"), 1.0);
}

TEST(EmdrModel, RelapseTimeIsWhereTheBurdenReturnsToItsStart) {
  // One bolus, long horizon: the tumour regrows past N(0) after the nadir.
  ModelSpec spec;
  spec.trajectory_times = {0.0};
  const std::map<std::string, double> once = {{"n_cycles", 1}, {"horizon", 120}};
  const EmdrRunner emdr;
  const double relapse = emdr.output(once, "time_to_relapse");
  ASSERT_EQ(emdr.output(once, "relapsed"), 1.0);
  ASSERT_GT(relapse, emdr.output(once, "nadir_time"));
  spec.trajectory_times = {relapse - 1e-3, relapse + 1e-3};
  const EmdrRunner probe(spec);
  const EvalResult r = probe.run(once);
  ASSERT_EQ(r.status, EvalStatus::kOk);
  EXPECT_LT(r.trajectories[0], 1e10);
  EXPECT_GT(r.trajectories[1], 1e10);
}

TEST(EmdrSchedule, PeriWindowOfTheFirstDoseStartsAtZero) {
  // With one bolus, a peri window is [0, peri_after] whatever peri_before is, and equals a
  // continuous schedule on a horizon of peri_after.
  const EmdrRunner peri(with_options({{"integrin_block_schedule", "peri"}}));
  const EmdrRunner continuous;
  const std::map<std::string, double> base = {
      {"n_cycles", 1}, {"horizon", 2}, {"peri_after", 2}, {"integrin_block", 0.8}};
  auto before = base;
  before["peri_before"] = 0.0;
  for (const char* name : {"log_kill", "log10_final_burden", "resistant_fraction"}) {
    const double a = peri.output(base, name);
    EXPECT_DOUBLE_EQ(a, peri.output(before, name)) << name;
    EXPECT_DOUBLE_EQ(a, continuous.output(base, name)) << name;
  }
  // The peri window edge is a breakpoint; the clipped opening edge is not.
  EmdrParameters p;
  ASSERT_FALSE(read_emdr_parameters(continuous.defaults(), p));
  p.integrin_block = 0.8;
  EmdrOptions options;
  options.schedules[0] = AgentSchedule::kPeri;
  const auto points = emdr_breakpoints(p, options);
  EXPECT_EQ(points.front(), p.peri_after);
  for (double t : points) EXPECT_GT(t, 0.0);
}

TEST(EmdrSchedule, FirstCxcr4PulseEntersDecayedByItsLead) {
  EmdrParameters p;
  const EmdrRunner emdr;
  ASSERT_FALSE(read_emdr_parameters(emdr.defaults(), p));
  p.cxcr4_block = 0.8;
  p.cxcr4_lead = 0.3;
  EXPECT_DOUBLE_EQ(emdr_antagonist_at(p, 0.0), 0.8 * std::exp(-p.cxcr4_decay * 0.3));
  // The same run as a pulse of that reduced height that starts at t = 0.
  const std::map<std::string, double> led = {
      {"n_cycles", 1}, {"cxcr4_block", 0.8}, {"cxcr4_lead", 0.3}};
  const std::map<std::string, double> at_zero = {
      {"n_cycles", 1}, {"cxcr4_block", 0.8 * std::exp(-4.0 * 0.3)}, {"cxcr4_lead", 0}};
  for (const char* name : {"log_kill", "log10_final_burden", "adhered_fraction_T"}) {
    EXPECT_NEAR(emdr.output(led, name), emdr.output(at_zero, name), 1e-12) << name;
  }
}

TEST(EmdrSchedule, AntagonistAboveTheCapIsHeldAtTheCap) {
  // Slowly decaying pulses of 1.0 pile up above 0.99 from the second bolus on; the capped run
  // must stay finite and still beat weaker antagonism.
  const EmdrRunner emdr;
  const double capped = emdr.output({{"cxcr4_block", 1.0}, {"cxcr4_decay", 0.1}}, "log_kill");
  const double weaker = emdr.output({{"cxcr4_block", 0.5}, {"cxcr4_decay", 0.1}}, "log_kill");
  EXPECT_GT(capped, weaker);
  EXPECT_DOUBLE_EQ(
      emdr_drug_at(
          EmdrParameters{
              .dose = 10, .drug_clearance = 3, .cycle_length = 21, .n_cycles = 2, .horizon = 180},
          21.0),
      10 * std::exp(-3.0 * 21) + 10);
}

}  // namespace
}  // namespace tmex::models
