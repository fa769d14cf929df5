// The biology emdr must show: each test compares runs that differ only in the named factor.
// models/emdr.md ("Behaviour tests") lists how each of version 1's tests became this form.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "tests/models/emdr_test_support.hpp"

namespace tmex::models {
namespace {

using emdr_testing::EmdrRunner;
using emdr_testing::with_options;

// Cycles without drug: the agents' therapy window without chemotherapy.
const std::map<std::string, double> kNoDrug = {{"dose", 0}};
// The same for a tumour the size of residual disease (1e7 cells, below the niche's 1e8 sites),
// most of which sits in the niche: where adhesion arrest and mobilisation show.
const std::map<std::string, double> kResidualNoDrug = {{"dose", 0}, {"initial_burden", 1e7}};

std::map<std::string, double> merge(std::map<std::string, double> a,
                                    const std::map<std::string, double>& b) {
  for (const auto& [k, v] : b) a[k] = v;
  return a;
}

TEST(EmdrBehaviour, AdhesionProtectsFromChemotherapyAndArrestsGrowth) {
  const EmdrRunner emdr;
  const std::map<std::string, double> weak = {{"adhesion_strength", 0.3}};
  const std::map<std::string, double> strong = {{"adhesion_strength", 3}};
  // Protection: more residual disease, less kill.
  EXPECT_GT(emdr.output(strong, "log10_residual_burden"),
            emdr.output(weak, "log10_residual_burden") + 0.3);
  EXPECT_LT(emdr.output(strong, "log_kill"), emdr.output(weak, "log_kill"));
  // Arrest: without drug, a residual-sized tumour held in the niche grows more slowly. (A bulky
  // tumour does not notice: its niche holds about 1% of it.)
  EXPECT_LT(emdr.output(merge(kResidualNoDrug, strong), "log10_residual_burden"),
            emdr.output(merge(kResidualNoDrug, weak), "log10_residual_burden") - 1);
}

TEST(EmdrBehaviour, ResidualDiseaseConcentratesInTheNiche) {
  // The niche holds about 1% of the tumour at diagnosis but a large share of what is left at
  // the end of therapy: the sanctuary of residual disease.
  const EmdrRunner emdr;
  const double at_diagnosis = emdr.output({}, "adhered_fraction_0");
  EXPECT_LT(at_diagnosis, 0.02);
  EXPECT_GT(emdr.output({}, "adhered_fraction_residual"), 20 * at_diagnosis);
  // And a larger niche leaves more residual disease.
  EXPECT_GT(emdr.output({{"niche_capacity", 5e8}}, "log10_residual_burden"),
            emdr.output({{"niche_capacity", 2e7}}, "log10_residual_burden") + 0.3);
}

TEST(EmdrBehaviour, PeriDoseIntegrinBlockadeImprovesKillAndBurden) {
  const EmdrRunner chemo;
  const EmdrRunner peri(with_options({{"integrin_block_schedule", "peri"}}));
  const std::map<std::string, double> blocked = {{"integrin_block", 0.9}};
  EXPECT_GT(peri.output(blocked, "log_kill"), chemo.output({}, "log_kill"));
  EXPECT_LT(peri.output(blocked, "residual_burden"), chemo.output({}, "residual_burden"));
  EXPECT_LT(peri.output(blocked, "final_burden"), chemo.output({}, "final_burden"));
}

TEST(EmdrBehaviour, ContinuousIntegrinBlockadeWithoutDrugReleasesArrestedCellsIntoCycle) {
  // The double edge: blockade alone frees niche cells from adhesion arrest, so residual disease
  // grows faster than without it.
  const EmdrRunner emdr;
  EXPECT_GT(emdr.output(merge(kResidualNoDrug, {{"integrin_block", 0.9}}), "log10_residual_burden"),
            emdr.output(kResidualNoDrug, "log10_residual_burden") + 0.1);
}

TEST(EmdrBehaviour, MoreSdf1RaisesTheAdheredFraction) {
  const EmdrRunner emdr;
  EXPECT_GT(emdr.output({{"sdf1_level", 1.2}}, "adhered_fraction_0"),
            emdr.output({{"sdf1_level", 0.15}}, "adhered_fraction_0"));
}

TEST(EmdrBehaviour, Cxcr4AntagonistBeforeEachBolusLowersResidualAndFinalBurden) {
  const EmdrRunner emdr;
  const std::map<std::string, double> plerixafor = {{"cxcr4_block", 0.97}, {"cxcr4_lead", 0.2}};
  EXPECT_LT(emdr.output(plerixafor, "residual_burden"), emdr.output({}, "residual_burden"));
  EXPECT_LT(emdr.output(plerixafor, "final_burden"), emdr.output({}, "final_burden"));
}

TEST(EmdrBehaviour, Cxcr4AntagonistMobilisesNicheCellsWithinHours) {
  // One dose at t = -0.2 day, no drug, residual disease: 10 hours later (t = 0.25) most niche
  // cells have left, as plerixafor mobilises within hours (Azab 2009), faster than a drug of a
  // few hours' half-life is cleared; a day and a half later most are back.
  ModelSpec spec;
  spec.trajectory_times = {0.25, 1.5};
  const EmdrRunner emdr(spec);
  const EvalResult without = emdr.run(kResidualNoDrug);
  const EvalResult with =
      emdr.run(merge(kResidualNoDrug, {{"cxcr4_block", 0.97}, {"cxcr4_lead", 0.2}}));
  ASSERT_EQ(with.status, EvalStatus::kOk) << with.reason;
  const auto adhered = [](const EvalResult& r, std::size_t j) { return r.trajectories[2 * 2 + j]; };
  EXPECT_LT(adhered(with, 0), 0.5 * adhered(without, 0));
  EXPECT_GT(adhered(with, 1), 0.75 * adhered(without, 1));
}

TEST(EmdrBehaviour, NoAgentAloneShrinksTheTumourWithoutChemotherapy) {
  const EmdrRunner emdr;
  const EmdrRunner held(with_options({{"cxcr4_block_schedule", "continuous"}}));
  const double n0 = emdr.defaults()[*emdr.model().info().parameter_index("initial_burden")];
  for (const char* agent :
       {"integrin_block", "il6_block", "cox2_block", "vegf_block", "nfkb_block", "cxcr4_block"}) {
    for (const EmdrRunner* runner : {&emdr, &held}) {
      const auto alone = merge(kNoDrug, {{agent, 0.9}});
      EXPECT_EQ(runner->output(alone, "log_kill"), 0.0) << agent;
      EXPECT_EQ(runner->output(alone, "nadir_time"), 0.0) << agent;
      EXPECT_GT(runner->output(alone, "residual_burden"), n0) << agent;
    }
  }
}

TEST(EmdrBehaviour, AntiIl6HelpsChemotherapyAndSolubleReceptorHurts) {
  const EmdrRunner emdr;
  EXPECT_GT(emdr.output({{"il6_block", 0.8}}, "log_kill"), emdr.output({}, "log_kill"));
  EXPECT_LT(emdr.output({{"sil6r_potentiation", 2}}, "log_kill"),
            emdr.output({{"sil6r_potentiation", 0.2}}, "log_kill"));
}

// L / D at t = 0 after the burn-in: equilibrium IL-6 over the stromal drive
// D = I_0 + a_A A/A_max + a_G N/(N + N_ref) (emdr.md), from the trajectories N, A, L at t = 0.
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
  const double drive = il6_basal + param("il6_contact_induction") * a / param("niche_capacity") +
                       param("tumour_il6_induction") * n / (n + param("reference_burden"));
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
  const EmdrRunner emdr(with_options({{"integrin_block_schedule", "peri"}}));
  const std::map<std::string, double> all = {{"integrin_block", 0.9}, {"il6_block", 0.8},
                                             {"cox2_block", 0.8},     {"vegf_block", 0.8},
                                             {"nfkb_block", 0.8},     {"cxcr4_block", 0.97}};
  const double together = emdr.output(all, "log10_residual_burden");
  for (const auto& [agent, effect] : all) {
    EXPECT_LT(together, emdr.output({{agent, effect}}, "log10_residual_burden")) << agent;
  }
}

TEST(EmdrBehaviour, MoreBasalIl6LowersKill) {
  const EmdrRunner emdr;
  EXPECT_LT(emdr.output({{"il6_basal", 3}}, "log_kill"),
            emdr.output({{"il6_basal", 0.3}}, "log_kill"));
}

}  // namespace
}  // namespace tmex::models
