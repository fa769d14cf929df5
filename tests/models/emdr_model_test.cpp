// Tests of the emdr model's contract: declarations, emdr.md's reference numbers, statuses,
// trajectories, extinction and schedule edge cases.
#include "models/emdr_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
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

TEST(EmdrModel, DeclaresEmdrMdOutputsInOrderAndVersionTwo) {
  const EmdrRunner emdr;
  const char* expected[] = {"final_burden",
                            "log10_final_burden",
                            "residual_burden",
                            "log10_residual_burden",
                            "log_kill",
                            "nadir_time",
                            "time_to_relapse",
                            "relapse_censored",
                            "relapsed",
                            "cured",
                            "resistant_fraction",
                            "resistant_fraction_residual",
                            "adhered_fraction_0",
                            "adhered_fraction_residual",
                            "adhered_fraction_T",
                            "expected_mutations",
                            "log10_expected_mutations",
                            "p_resistance",
                            "log10_auc_burden"};
  const auto& outputs = emdr.model().info().outputs;
  ASSERT_EQ(outputs.size(), std::size(expected));
  for (std::size_t i = 0; i < outputs.size(); ++i) EXPECT_EQ(outputs[i].name, expected[i]);
  EXPECT_EQ(emdr.model().info().trajectory_variables,
            (std::vector<std::string>{"N", "F", "A", "R", "L", "Z"}));
  EXPECT_EQ(emdr.model().info().version, 2);
  EXPECT_EQ(kEmdrVersion, 2);
}

TEST(EmdrModel, SampledRangesAreTheFirstParametersAndContainTheirDefaults) {
  const EmdrRunner emdr;
  const auto& params = emdr.model().info().parameters;
  const auto ranges = emdr_sampled_ranges();
  ASSERT_EQ(ranges.size(), 19u);
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_EQ(params[i].name, ranges[i].name);
    EXPECT_GE(params[i].default_value, ranges[i].min) << ranges[i].name;
    EXPECT_LE(params[i].default_value, ranges[i].max) << ranges[i].name;
    EXPECT_LT(ranges[i].min, ranges[i].max) << ranges[i].name;
    EXPECT_FALSE(params[i].unit.empty());
  }
  for (const char* name :
       {"attach_rate", "detach_rate", "sdf1_gain", "carrying_capacity", "initial_burden",
        "detection_limit", "cxcr4_block", "peri_after", "n_cycles", "horizon", "burn_in"}) {
    EXPECT_TRUE(emdr.model().info().parameter_index(name).has_value()) << name;
  }
}

TEST(EmdrModel, IsRegisteredAndRejectsUnknownOptionValues) {
  ModelRegistry registry;
  register_builtin_models(registry);
  ASSERT_TRUE(registry.contains("emdr"));
  EXPECT_NO_THROW(registry.create("emdr", with_options({{"il6_block_schedule", "peri"}})));
  EXPECT_NO_THROW(registry.create("emdr", with_options({{"cxcr4_block_schedule", "continuous"}})));
  EXPECT_THROW(registry.create("emdr", with_options({{"il6_block_schedule", "sometimes"}})),
               ModelError);
  EXPECT_THROW(registry.create("emdr", with_options({{"cxcr4_block_schedule", "peri"}})),
               ModelError);
  ModelSpec unknown;
  unknown.settings["no_such_parameter"] = 1;
  EXPECT_THROW(registry.create("emdr", unknown), ModelError);
}

// emdr.md gives these to 2 decimals: agreement means |ours - theirs| <= 0.005 (and 0.5 day).
TEST(EmdrModel, MatchesEmdrMdReferenceNumbersAtBaseline) {
  const EmdrRunner emdr;
  EXPECT_NEAR(emdr.output({}, "adhered_fraction_0"), 0.01, 0.005);
  EXPECT_NEAR(emdr.output({}, "log10_residual_burden"), 5.88, 0.005);
  EXPECT_NEAR(emdr.output({}, "adhered_fraction_residual"), 0.44, 0.005);
  EXPECT_NEAR(emdr.output({}, "resistant_fraction_residual"), 0.27, 0.005);
  EXPECT_NEAR(emdr.output({}, "log_kill"), 4.33, 0.005);
  EXPECT_NEAR(emdr.output({}, "log10_final_burden"), 9.51, 0.005);
  EXPECT_NEAR(emdr.output({}, "time_to_relapse"), 209.4, 0.5);
  EXPECT_NEAR(emdr.output({}, "resistant_fraction"), 0.90, 0.005);
}

TEST(EmdrModel, InvalidParametersAreStatusesNamingParameterAndValue) {
  const EmdrRunner emdr;
  const std::pair<const char*, double> cases[] = {
      {"growth_rate", -0.1},    {"death_ratio", 1.0},   {"camdr_protection", 1.5},
      {"n_cycles", 2.5},        {"n_cycles", -1},       {"niche_capacity", 0.0},
      {"initial_burden", 0.5},  {"il6_block", -0.2},    {"horizon", 0.0},
      {"dose", std::nan("")},   {"mutation_rate", 2.0}, {"carrying_capacity", -1},
      {"resistance_cost", 1.0}, {"cycle_length", 0.0},  {"stat3_half_saturation", 0},
      {"cxcr4_block", 1.0},     {"detection_limit", 0}, {"camdr_nfkb_share", 1.5}};
  for (const auto& [name, value] : cases) {
    const EvalResult r = emdr.run({{name, value}});
    EXPECT_EQ(r.status, EvalStatus::kInvalidParameters) << name << " = " << value;
    EXPECT_NE(r.reason.find(name), std::string::npos) << r.reason;
    EXPECT_EQ(r.outputs.size(), emdr.model().info().outputs.size());
  }
}

// The declared domains (what `tmex check` warns with) are the ones evaluation enforces: for every
// parameter, a value just outside each finite bound (or a fraction for whole numbers) is invalid
// and the declared domain says so.
TEST(EmdrModel, DeclaredDomainsAreTheEnforcedOnes) {
  const EmdrRunner emdr;
  int checked = 0;
  for (const auto& p : emdr.model().info().parameters) {
    const auto& d = p.domain;
    EXPECT_TRUE(d.contains(p.default_value)) << p.name;
    std::vector<double> outside;
    if (std::isfinite(d.lower)) outside.push_back(d.lower_open ? d.lower : d.lower - 1e-9);
    if (std::isfinite(d.upper)) outside.push_back(d.upper_open ? d.upper : d.upper + 1e-9);
    if (d.integer) outside.push_back(std::floor(p.default_value) + 0.5);
    EXPECT_FALSE(outside.empty()) << p.name << ": every emdr parameter has a bounded domain";
    for (const double v : outside) {
      EXPECT_FALSE(d.contains(v)) << p.name << " = " << v;
      const EvalResult r = emdr.run({{p.name, v}});
      EXPECT_EQ(r.status, EvalStatus::kInvalidParameters) << p.name << " = " << v;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
  EXPECT_EQ(emdr.model().info().parameters[0].domain.describe(), ">= 0");
  ParameterDomain open{0.0, 1.0, false, true};
  EXPECT_EQ(open.describe(), "in [0, 1)");
  EXPECT_EQ(ParameterDomain{}.describe(), "any number");
  EXPECT_FALSE(ParameterDomain{}.contains(std::nan("")));
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
  spec.trajectory_times = {0.0, 0.5, 21.0, 126.0, 200.0, 365.0};  // 126: end of therapy
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
  EXPECT_NEAR(at(0, 3), out("residual_burden"), 1e-9 * out("residual_burden"));
  EXPECT_NEAR(at(2, 3) / at(0, 3), out("adhered_fraction_residual"), 1e-9);
  EXPECT_NEAR(at(3, 3) / at(0, 3), out("resistant_fraction_residual"), 1e-9);
  EXPECT_NEAR(at(0, nt - 1), out("final_burden"), 1e-9 * out("final_burden"));
  EXPECT_NEAR(at(3, nt - 1) / at(0, nt - 1), out("resistant_fraction"), 1e-9);
  EXPECT_LT(at(0, 1), at(0, 0));  // the first bolus kills within half a day
}

TEST(EmdrModel, RejectsBadTrajectoryTimes) {
  for (const std::vector<double>& times :
       std::vector<std::vector<double>>{{-1.0}, {1.0, 1.0}, {2.0, 1.0}, {366.0}, {std::nan("")}}) {
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

TEST(EmdrModel, WithoutTherapyTheResidualIsTheStartAndRelapseIsImmediate) {
  const EmdrRunner emdr;
  const std::map<std::string, double> none = {{"n_cycles", 0}};
  EXPECT_EQ(emdr.output(none, "log_kill"), 0.0);
  EXPECT_EQ(emdr.output(none, "nadir_time"), 0.0);
  EXPECT_NEAR(emdr.output(none, "residual_burden"), 1e10, 1e-3);  // frozen in the burn-in
  // Still detectable at the end of (no) therapy: relapse at once, not censored.
  EXPECT_EQ(emdr.output(none, "time_to_relapse"), 0.0);
  EXPECT_EQ(emdr.output(none, "relapsed"), 1.0);
  EXPECT_EQ(emdr.output(none, "relapse_censored"), 0.0);
}

TEST(EmdrModel, RelapseTimeIsWhereTheBurdenReturnsToTheDetectionLimit) {
  const EmdrRunner emdr;
  const double relapse = emdr.output({}, "time_to_relapse");
  ASSERT_EQ(emdr.output({}, "relapsed"), 1.0);
  ASSERT_LT(emdr.output({}, "residual_burden"), 1e9);  // in remission at the end of therapy
  const double t = 126.0 + relapse;                    // t_E = 6 x 21 days
  ModelSpec spec;
  spec.trajectory_times = {t - 1e-3, t + 1e-3};
  const EmdrRunner probe(spec);
  const EvalResult r = probe.run();
  ASSERT_EQ(r.status, EvalStatus::kOk);
  EXPECT_LT(r.trajectories[0], 1e9);
  EXPECT_GT(r.trajectories[1], 1e9);
  // A tumour that never returns is censored at the horizon.
  const std::map<std::string, double> slow = {{"growth_rate", 0.02}};
  EXPECT_EQ(emdr.output(slow, "relapse_censored"), 1.0);
  EXPECT_EQ(emdr.output(slow, "time_to_relapse"), 365.0 - 126.0);
}

// Chemotherapy strong enough to kill every cell: the extinction event fires once fewer than
// one cell is left, and every cell compartment is exactly zero from then on.
const std::map<std::string, double> kCurable = {
    {"max_kill_rate", 20},       {"dose", 30},
    {"drug_clearance", 1},       {"camdr_protection", 0},
    {"stat3_protection", 0},     {"mutation_rate", 1e-12},
    {"resistant_sensitivity", 1}};

TEST(EmdrModel, ExtinctionZeroesTheTumourAndGivesDocumentedFiniteOutputs) {
  ModelSpec spec;
  for (double t = 0; t <= 365; t += 0.25) spec.trajectory_times.push_back(t);
  const EmdrRunner emdr(spec);
  const EvalResult r = emdr.run(kCurable);
  ASSERT_EQ(r.status, EvalStatus::kOk) << r.reason;
  const auto out = [&](const char* name) {
    return r.outputs[*emdr.model().info().output_index(name)];
  };
  EXPECT_EQ(out("cured"), 1.0);
  EXPECT_EQ(out("final_burden"), 0.0);
  EXPECT_EQ(out("residual_burden"), 0.0);
  EXPECT_EQ(out("log10_final_burden"), 0.0);  // log10 max(N, 1 cell)
  EXPECT_EQ(out("log10_residual_burden"), 0.0);
  EXPECT_DOUBLE_EQ(out("log_kill"), 10.0);  // log10 N(0) - log10(1 cell)
  EXPECT_EQ(out("resistant_fraction"), 0.0);
  EXPECT_EQ(out("adhered_fraction_T"), 0.0);
  EXPECT_EQ(out("relapse_censored"), 1.0);
  EXPECT_EQ(out("time_to_relapse"), 365.0 - 126.0);
  EXPECT_TRUE(std::isfinite(out("log10_auc_burden")));
  // The nadir is the extinction: the burden crosses one cell there and is zero after it.
  const double extinct_at = out("nadir_time");
  ASSERT_GT(extinct_at, 0.0);
  const std::size_t nt = spec.trajectory_times.size();
  for (std::size_t j = 0; j < nt; ++j) {
    const double t = spec.trajectory_times[j];
    const double n = r.trajectories[j];
    EXPECT_GE(n, 0.0) << "t = " << t;
    if (t > extinct_at) {
      for (std::size_t v = 0; v < 4; ++v) EXPECT_EQ(r.trajectories[v * nt + j], 0.0) << t;
    } else if (t < extinct_at - 1e-6) {
      EXPECT_GE(n, 1.0) << "t = " << t;
    }
  }
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

TEST(EmdrSchedule, FirstCxcr4DoseEntersDecayedByItsLead) {
  EmdrParameters p;
  const EmdrRunner emdr;
  ASSERT_FALSE(read_emdr_parameters(emdr.defaults(), p));
  p.cxcr4_block = 0.8;  // one dose: X0 = 0.8 / 0.2 = 4 antagonist units
  p.cxcr4_lead = 0.3;
  const EmdrOptions pulsed;
  EXPECT_DOUBLE_EQ(emdr_antagonist_at(p, pulsed, 0.0), 4.0 * std::exp(-p.cxcr4_decay * 0.3));
  // The same run as a dose of that reduced size given at t = 0.
  const double x0 = 4.0 * std::exp(-4.0 * 0.3);
  const std::map<std::string, double> led = {
      {"n_cycles", 1}, {"cxcr4_block", 0.8}, {"cxcr4_lead", 0.3}};
  const std::map<std::string, double> at_zero = {
      {"n_cycles", 1}, {"cxcr4_block", x0 / (1 + x0)}, {"cxcr4_lead", 0}};
  for (const char* name : {"log_kill", "log10_final_burden", "adhered_fraction_T"}) {
    EXPECT_NEAR(emdr.output(led, name), emdr.output(at_zero, name), 1e-9) << name;
  }
}

TEST(EmdrSchedule, ContinuousAntagonistIsHeldThroughTherapyThenEliminated) {
  EmdrParameters p;
  const EmdrRunner emdr;
  ASSERT_FALSE(read_emdr_parameters(emdr.defaults(), p));
  p.cxcr4_block = 0.9;
  EmdrOptions held;
  held.antagonist = AntagonistSchedule::kContinuous;
  const double t_e = emdr_therapy_end(p);
  EXPECT_DOUBLE_EQ(t_e, 126.0);
  EXPECT_DOUBLE_EQ(emdr_antagonist_at(p, held, 0.0), 9.0);
  EXPECT_DOUBLE_EQ(emdr_antagonist_at(p, held, 100.0), 9.0);
  EXPECT_DOUBLE_EQ(emdr_antagonist_at(p, held, t_e + 1), 9.0 * std::exp(-p.cxcr4_decay));
  EmdrOptions off;
  off.antagonist = AntagonistSchedule::kOff;
  EXPECT_EQ(emdr_antagonist_at(p, off, 1.0), 0.0);
  // The end of therapy is a breakpoint, so agents stop exactly there.
  const auto points = emdr_breakpoints(p, held);
  EXPECT_NE(std::find(points.begin(), points.end(), t_e), points.end());
  // The decaying antagonist is smooth across doses: pulsed X sums the doses' exponentials.
  const EmdrOptions pulsed;
  EXPECT_NEAR(emdr_antagonist_at(p, pulsed, 21.0),
              9.0 * std::exp(-p.cxcr4_decay * (21.0 + p.cxcr4_lead)) +
                  9.0 * std::exp(-p.cxcr4_decay * p.cxcr4_lead),
              1e-12);
  EXPECT_DOUBLE_EQ(
      emdr_drug_at(
          EmdrParameters{
              .dose = 10, .drug_clearance = 3, .cycle_length = 21, .n_cycles = 2, .horizon = 180},
          21.0),
      10 * std::exp(-3.0 * 21) + 10);
}

}  // namespace
}  // namespace tmex::models
