// Population-level properties of emdr (models/emdr.md "What the model must show"): over a
// seeded Latin hypercube of the default ranges, the microenvironment factors make residual
// disease larger and the log kill smaller, every agent of the review's Table I lowers residual
// burden in its recommended schedule, each benefit follows its target, and every run is finite.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/partial_correlation.hpp"
#include "models/emdr_model.hpp"
#include "models/emdr_parameters.hpp"
#include "tests/models/emdr_test_support.hpp"

namespace tmex::models {
namespace {

constexpr std::uint64_t kSamples = 1000;
constexpr std::uint64_t kSeed = 20261129;

// An arm: chemotherapy plus settings and options (emdr.md "Recommended schedules").
struct Arm {
  const char* name;
  std::map<std::string, double> settings;
  std::map<std::string, std::string> options;
};

// Outputs of every LHS point under one arm; rows are samples.
struct ArmOutputs {
  std::vector<EvalResult> runs;
  double output(std::size_t sample, std::size_t index) const { return runs[sample].outputs[index]; }
};

class EmdrPopulation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    chemo_ = std::make_unique<ArmOutputs>(run({"chemotherapy", {}, {}}));
  }
  static void TearDownTestSuite() { chemo_.reset(); }

  static const ModelInfo& info() {
    static const auto model = make_emdr({});
    return model->info();
  }
  static std::size_t out(const char* name) { return *info().output_index(name); }
  static std::size_t sampled() { return emdr_sampled_ranges().size(); }

  static const std::vector<std::vector<double>>& points() {
    static const auto model = make_emdr({});
    static const auto p = emdr_testing::emdr_lhs(*model, kSamples, kSeed);
    return p;
  }

  static ArmOutputs run(const Arm& arm) {
    ModelSpec spec;
    spec.settings = arm.settings;
    spec.options = arm.options;
    const auto model = make_emdr(spec);
    std::vector<double> values;
    for (const auto& p : model->info().parameters) values.push_back(p.default_value);
    ArmOutputs out;
    out.runs.resize(points().size());
    for (std::size_t i = 0; i < points().size(); ++i) {
      std::copy(points()[i].begin(), points()[i].begin() + static_cast<long>(sampled()),
                values.begin());
      model->evaluate(values, EvalContext{}, out.runs[i]);
    }
    return out;
  }

  // The sampled parameters of every point (N x k).
  static Eigen::MatrixXd inputs() {
    Eigen::MatrixXd x(static_cast<Eigen::Index>(points().size()),
                      static_cast<Eigen::Index>(sampled()));
    for (std::size_t i = 0; i < points().size(); ++i) {
      for (std::size_t j = 0; j < sampled(); ++j) {
        x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = points()[i][j];
      }
    }
    return x;
  }

  static std::vector<std::string> parameter_names() {
    std::vector<std::string> names;
    for (const auto& r : emdr_sampled_ranges()) names.emplace_back(r.name);
    return names;
  }

  static std::size_t parameter(const char* name) {
    const auto names = parameter_names();
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  }

  // log10 residual burden without the arm's agents minus with them, sample by sample.
  static std::vector<double> paired_benefit(const ArmOutputs& with) {
    std::vector<double> b;
    const std::size_t res = out("log10_residual_burden");
    for (std::size_t i = 0; i < points().size(); ++i) {
      b.push_back(chemo_->output(i, res) - with.output(i, res));
    }
    return b;
  }

  static std::unique_ptr<ArmOutputs> chemo_;
};

std::unique_ptr<ArmOutputs> EmdrPopulation::chemo_;

// Mean and 95% percentile-bootstrap interval of the mean (2,000 resamples, seeded).
struct MeanInterval {
  double mean, low, high;
};
MeanInterval mean_interval(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  std::vector<double> means;
  for (std::uint64_t r = 0; r < 2000; ++r) {
    analysis::BootstrapStream stream(kSeed, r);
    double s = 0;
    for (std::size_t i = 0; i < v.size(); ++i) s += v[stream.below(v.size())];
    means.push_back(s / static_cast<double>(v.size()));
  }
  const auto [lo, hi] = analysis::percentile_interval(means, 0.95);
  return {sum / static_cast<double>(v.size()), lo, hi};
}

TEST_F(EmdrPopulation, EveryRunSucceedsWithFractionsInTheUnitIntervalAndFiniteLogs) {
  const char* fractions[] = {"resistant_fraction",
                             "resistant_fraction_residual",
                             "adhered_fraction_0",
                             "adhered_fraction_residual",
                             "adhered_fraction_T",
                             "p_resistance",
                             "cured",
                             "relapsed",
                             "relapse_censored"};
  int cured = 0;
  for (std::size_t i = 0; i < points().size(); ++i) {
    const EvalResult& r = chemo_->runs[i];
    ASSERT_EQ(r.status, EvalStatus::kOk) << "sample " << i << ": " << r.reason;
    for (const char* f : fractions) {
      EXPECT_GE(r.outputs[out(f)], 0.0) << f << " at sample " << i;
      EXPECT_LE(r.outputs[out(f)], 1.0) << f << " at sample " << i;
    }
    EXPECT_GE(r.outputs[out("final_burden")], 0.0);
    EXPECT_GE(r.outputs[out("log10_final_burden")], 0.0);
    EXPECT_GE(r.outputs[out("log10_residual_burden")], 0.0);
    if (r.outputs[out("cured")] == 1.0) {
      ++cured;
      EXPECT_EQ(r.outputs[out("final_burden")], 0.0);
      EXPECT_EQ(r.outputs[out("log10_final_burden")], 0.0);
      EXPECT_EQ(r.outputs[out("relapse_censored")], 1.0);
    } else {
      EXPECT_GE(r.outputs[out("final_burden")], 1.0) << "a living tumour has at least one cell";
    }
  }
  // The space holds cured tumours, so the extinction path is exercised here too.
  EXPECT_GT(cured, 0);
}

// What must hold 1: resistance. The seven microenvironment factors raise residual disease and
// lower the log kill; the review's three headline factors significantly so.
TEST_F(EmdrPopulation, MicroenvironmentFactorsRaiseResidualDiseaseAndLowerKill) {
  Eigen::MatrixXd y(static_cast<Eigen::Index>(points().size()), 2);
  for (std::size_t i = 0; i < points().size(); ++i) {
    y(static_cast<Eigen::Index>(i), 0) = chemo_->output(i, out("log10_residual_burden"));
    y(static_cast<Eigen::Index>(i), 1) = chemo_->output(i, out("log_kill"));
  }
  const auto table = analysis::prcc(inputs(), y, {parameter_names(), {"residual", "log_kill"}});
  for (const char* name : {"adhesion_strength", "camdr_protection", "niche_capacity",
                           "cxcr4_expression", "sdf1_level", "il6_basal", "stat3_protection"}) {
    const auto j = static_cast<Eigen::Index>(parameter(name));
    EXPECT_GT(table.coefficient(j, 0), 0.0) << name << " on log10_residual_burden";
    EXPECT_LT(table.coefficient(j, 1), 0.0) << name << " on log_kill";
  }
  for (const char* name : {"adhesion_strength", "il6_basal", "cxcr4_expression"}) {
    const auto j = static_cast<Eigen::Index>(parameter(name));
    EXPECT_LT(table.p_bh(j, 0), 0.05) << name << " on log10_residual_burden (BH)";
    EXPECT_LT(table.p_bh(j, 1), 0.05) << name << " on log_kill (BH)";
  }
}

// What must hold 2 and 3: each agent in its recommended schedule (emdr.md) lowers residual
// burden on the same samples, and its benefit rises with the factor it targets.
TEST_F(EmdrPopulation, EveryAgentInItsRecommendedScheduleLowersResidualBurden) {
  struct Case {
    Arm arm;
    const char* target;  // nullptr: no sampled target parameter
  };
  const Case cases[] = {
      {{"integrin inhibitor, peri",
        {{"integrin_block", 0.9}},
        {{"integrin_block_schedule", "peri"}}},
       "adhesion_strength"},
      {{"anti-IL-6, continuous", {{"il6_block", 0.8}}, {}}, "il6_basal"},
      {{"COX-2 inhibitor, continuous", {{"cox2_block", 0.8}}, {}}, "pge2_amplification"},
      {{"anti-VEGF, continuous", {{"vegf_block", 0.8}}, {}}, nullptr},
      {{"NF-kB inhibitor, continuous", {{"nfkb_block", 0.8}}, {}}, "camdr_protection"},
      {{"CXCR4 antagonist, continuous",
        {{"cxcr4_block", 0.97}},
        {{"cxcr4_block_schedule", "continuous"}}},
       "cxcr4_expression"},
      {{"CXCR4 antagonist, pulsed (plerixafor)", {{"cxcr4_block", 0.97}}, {}}, "cxcr4_expression"},
  };
  for (const auto& c : cases) {
    const ArmOutputs with = run(c.arm);
    for (std::size_t i = 0; i < points().size(); ++i) {
      ASSERT_EQ(with.runs[i].status, EvalStatus::kOk) << c.arm.name << ", sample " << i;
    }
    const auto benefit = paired_benefit(with);
    const auto m = mean_interval(benefit);
    EXPECT_GT(m.low, 0.0) << c.arm.name << ": mean benefit " << m.mean << " [" << m.low << ", "
                          << m.high << "] log10 cells";
    if (c.target == nullptr) continue;
    Eigen::MatrixXd b(static_cast<Eigen::Index>(benefit.size()), 1);
    for (std::size_t i = 0; i < benefit.size(); ++i)
      b(static_cast<Eigen::Index>(i), 0) = benefit[i];
    const auto table = analysis::prcc(inputs(), b, {parameter_names(), {"benefit"}});
    const auto j = static_cast<Eigen::Index>(parameter(c.target));
    EXPECT_GT(table.coefficient(j, 0), 0.0) << c.arm.name << ": benefit on " << c.target;
    EXPECT_LT(table.p_value(j, 0), 0.05) << c.arm.name << ": benefit on " << c.target;
  }
}

// The double edge (emdr.md "Double edges"): integrin blockade kept on through the whole
// therapy also releases arrested niche cells into cycle between boluses. It harms a minority
// of tumours that blockade around each bolus does not harm, and on the same samples it does
// worse than blockade around the boluses.
TEST_F(EmdrPopulation, ContinuousIntegrinBlockadeHasADoubleEdgeThatPeriDosingAvoids) {
  const std::map<std::string, double> block = {{"integrin_block", 0.9}};
  const auto peri = paired_benefit(run({"peri", block, {{"integrin_block_schedule", "peri"}}}));
  const auto continuous = paired_benefit(run({"continuous", block, {}}));
  int harmed_continuous = 0, harmed_peri = 0;
  std::vector<double> peri_minus_continuous;
  for (std::size_t i = 0; i < peri.size(); ++i) {
    harmed_continuous += continuous[i] < -1e-3;
    harmed_peri += peri[i] < -1e-3;
    peri_minus_continuous.push_back(peri[i] - continuous[i]);
  }
  EXPECT_GT(harmed_continuous, static_cast<int>(kSamples / 100));
  EXPECT_LT(harmed_peri, harmed_continuous);
  EXPECT_GT(mean_interval(peri_minus_continuous).low, 0.0);
}

}  // namespace
}  // namespace tmex::models

namespace tmex::models {
namespace {

// The other double edge (emdr.md "Double edges"): CXCR4 blockade held through therapy keeps the
// niche empty, so its cells also divide between boluses; it harms some tumours that plerixafor's
// pulses before each bolus spare.
TEST_F(EmdrPopulation, ContinuousCxcr4BlockadeHarmsSomeTumoursThatPulsesSpare) {
  const std::map<std::string, double> block = {{"cxcr4_block", 0.97}};
  const auto pulsed = paired_benefit(run({"pulsed", block, {}}));
  const auto held =
      paired_benefit(run({"continuous", block, {{"cxcr4_block_schedule", "continuous"}}}));
  int harmed_held = 0, harmed_pulsed = 0;
  for (std::size_t i = 0; i < pulsed.size(); ++i) {
    harmed_held += held[i] < -1e-3;
    harmed_pulsed += pulsed[i] < -1e-3;
  }
  EXPECT_GT(harmed_held, static_cast<int>(kSamples / 200));
  EXPECT_EQ(harmed_pulsed, 0);
}

}  // namespace
}  // namespace tmex::models
