// The biology emdr must show: each test compares runs that differ only in the named factor.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "tests/models/emdr_test_support.hpp"

namespace tmex::models {
namespace {

using emdr_testing::EmdrRunner;
using emdr_testing::with_options;

const std::map<std::string, double> kOneCycle = {{"n_cycles", 1}, {"horizon", 21}};
const std::map<std::string, double> kUntreated = {{"n_cycles", 0}, {"horizon", 21}};

std::map<std::string, double> merge(std::map<std::string, double> a,
                                    const std::map<std::string, double>& b) {
  for (const auto& [k, v] : b) a[k] = v;
  return a;
}

TEST(EmdrBehaviour, AdhesionProtectsFromChemotherapyAndArrestsGrowth) {
  const EmdrRunner emdr;
  // Fraction surviving one cycle: min N / N(0) = 10^-log_kill.
  const double weak = emdr.output(merge(kOneCycle, {{"adhesion_strength", 0.5}}), "log_kill");
  const double strong = emdr.output(merge(kOneCycle, {{"adhesion_strength", 5}}), "log_kill");
  EXPECT_GT(std::pow(10.0, -strong), std::pow(10.0, -weak));
  // Untreated net growth rate over 21 days.
  const double grow_weak =
      emdr.output(merge(kUntreated, {{"adhesion_strength", 0.5}}), "log10_final_burden");
  const double grow_strong =
      emdr.output(merge(kUntreated, {{"adhesion_strength", 5}}), "log10_final_burden");
  EXPECT_LT(grow_strong, grow_weak);
}

TEST(EmdrBehaviour, PeriDoseIntegrinBlockadeImprovesKillAndFinalBurden) {
  const EmdrRunner chemo;
  const EmdrRunner peri(with_options({{"integrin_block_schedule", "peri"}}));
  const std::map<std::string, double> blocked = {{"integrin_block", 0.8}};
  EXPECT_GT(peri.output(blocked, "log_kill"), chemo.output({}, "log_kill"));
  EXPECT_LT(peri.output(blocked, "final_burden"), chemo.output({}, "final_burden"));
}

TEST(EmdrBehaviour, MoreSdf1RaisesTheAdheredFraction) {
  const EmdrRunner emdr;
  EXPECT_GT(emdr.output({{"sdf1_level", 3}}, "adhered_fraction_0"),
            emdr.output({{"sdf1_level", 0.3}}, "adhered_fraction_0"));
}

TEST(EmdrBehaviour, Cxcr4AntagonistBeforeEachDoseLowersFinalBurden) {
  const EmdrRunner emdr;
  EXPECT_LT(emdr.output({{"cxcr4_block", 0.8}, {"cxcr4_lead", 0.2}}, "final_burden"),
            emdr.output({}, "final_burden"));
}

TEST(EmdrBehaviour, NoAgentAloneShrinksTheTumourWithoutChemotherapy) {
  const EmdrRunner emdr;
  const double n0 = emdr.defaults()[*emdr.model().info().parameter_index("initial_burden")];
  for (const char* agent :
       {"integrin_block", "il6_block", "cox2_block", "vegf_block", "nfkb_block"}) {
    const std::map<std::string, double> alone = {{"n_cycles", 0}, {agent, 0.9}};
    EXPECT_EQ(emdr.output(alone, "log_kill"), 0.0) << agent;
    EXPECT_EQ(emdr.output(alone, "nadir_time"), 0.0) << agent;
    EXPECT_EQ(emdr.output(alone, "relapsed"), 1.0) << agent;
    EXPECT_GT(emdr.output(alone, "final_burden"), n0) << agent;
  }
}

TEST(EmdrBehaviour, AntiIl6HelpsChemotherapyAndSolubleReceptorHurts) {
  const EmdrRunner emdr;
  EXPECT_GT(emdr.output({{"il6_block", 0.8}}, "log_kill"), emdr.output({}, "log_kill"));
  EXPECT_LT(emdr.output({{"sil6r_potentiation", 2}}, "log_kill"),
            emdr.output({{"sil6r_potentiation", 0.2}}, "log_kill"));
}

// L / D at t = 0 after the burn-in: equilibrium IL-6 over the stromal drive
// D = I_0 + a_A A/A_max + a_G n (MODEL.md), read from the trajectories N, A, L at t = 0.
double il6_per_drive(double pge2_amplification, double il6_basal) {
  ModelSpec spec;
  spec.trajectory_times = {0.0};
  const EmdrRunner emdr(spec);
  const std::map<std::string, double> values = {{"pge2_amplification", pge2_amplification},
                                                {"il6_basal", il6_basal}};
  const EvalResult r = emdr.run(values);
  EXPECT_EQ(r.status, EvalStatus::kOk) << r.reason;
  const auto param = [&](const char* name) {
    return emdr.defaults()[*emdr.model().info().parameter_index(name)];
  };
  const double n = r.trajectories[0], a = r.trajectories[2], il6 = r.trajectories[4];
  const double a_max = param("niche_capacity") * param("carrying_capacity");
  const double drive = il6_basal + param("il6_contact_induction") * a / a_max +
                       param("tumour_il6_induction") * n / param("reference_burden");
  return il6 / drive;
}

TEST(EmdrBehaviour, Pge2LoopMakesIl6SuperlinearInStromalDrive) {
  // Linear: L / D constant (= 1 without NF-kB block). Faster than linear: L / D grows with D,
  // here raised through il6_basal (adhesion, and so the contact term, does not depend on IL-6).
  EXPECT_NEAR(il6_per_drive(0.0, 0.5), 1.0, 1e-6);
  EXPECT_NEAR(il6_per_drive(0.0, 4.0), 1.0, 1e-6);
  EXPECT_GT(il6_per_drive(3.0, 4.0), il6_per_drive(3.0, 0.5) + 1e-2);
}

TEST(EmdrBehaviour, Cox2InhibitionHelpsChemotherapy) {
  const EmdrRunner emdr;
  EXPECT_GT(emdr.output({{"cox2_block", 0.8}}, "log_kill"), emdr.output({}, "log_kill"));
}

TEST(EmdrBehaviour, ResistanceProbabilityGrowsWithBurdenAndMutationRate) {
  const EmdrRunner emdr;
  const std::map<std::string, double> base = {{"mutation_rate", 1e-11}};
  const double p = emdr.output(base, "p_resistance");
  ASSERT_LT(p, 0.9);  // not saturated, or the comparisons below say nothing
  EXPECT_GT(emdr.output(merge(base, {{"initial_burden", 3e10}}), "p_resistance"), p);
  EXPECT_GT(emdr.output({{"mutation_rate", 3e-11}}, "p_resistance"), p);
}

TEST(EmdrBehaviour, AllAgentsTogetherBeatAnySingleAgent) {
  const EmdrRunner emdr;
  const std::map<std::string, double> all = {{"integrin_block", 0.8}, {"il6_block", 0.8},
                                             {"cox2_block", 0.8},     {"vegf_block", 0.8},
                                             {"nfkb_block", 0.8},     {"cxcr4_block", 0.8}};
  const double together = emdr.output(all, "log_kill");
  for (const auto& [agent, effect] : all) {
    EXPECT_GT(together, emdr.output({{agent, effect}}, "log_kill")) << agent;
  }
}

TEST(EmdrBehaviour, MoreBasalIl6LowersKill) {
  const EmdrRunner emdr;
  EXPECT_LT(emdr.output({{"il6_basal", 3}}, "log_kill"),
            emdr.output({{"il6_basal", 0.3}}, "log_kill"));
}

}  // namespace
}  // namespace tmex::models
