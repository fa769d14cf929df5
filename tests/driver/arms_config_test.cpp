// Tests of treatment arms in a campaign config: parsing, located errors, identity, run numbering.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "driver/campaign_config.hpp"
#include "driver/errors.hpp"
#include "tests/driver/config_test_support.hpp"

namespace tmex::driver {
namespace {

const char* kArms = R"(campaign: {name: t, seed: 5, samples: 100, replicates: 2}
design: {method: lhs}
model:
  name: linear
  settings: {intercept: 1536, noise_sd: 0.5}
arms:
  base: {}
  plus1: {settings: {intercept: 1537}}
  steep: {settings: {coefficients: [4, 5, 6], noise_sd: 0}}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: uniform, min: 0, max: 1}
  x3: {distribution: uniform, min: 0, max: 1}
storage: {path: t.db}
)";

class ArmsConfigTest : public testing::ConfigParsing {
 protected:
  static std::string replaced(const std::string& from, const std::string& to) {
    std::string s = kArms;
    const auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return s.replace(pos, from.size(), to);
  }
};

TEST_F(ArmsConfigTest, ArmsOverrideSettingsOfTheirOwnModel) {
  const auto c = parse(kArms);
  ASSERT_EQ(c.arms.size(), 3u);
  EXPECT_EQ(c.arms[0].name, "base");
  EXPECT_EQ(c.arms[1].name, "plus1");
  EXPECT_EQ(c.arm_count(), 3u);
  EXPECT_EQ(c.total_runs(), 100u * 3 * 2);
  EXPECT_EQ(c.arms[0].overrides(), "{}");
  EXPECT_EQ(c.arms[1].overrides(), "{settings: {intercept: 1537}}");
  EXPECT_EQ(c.arms[2].overrides(), "{settings: {coefficients: [4, 5, 6], noise_sd: 0}}");
  // Each arm's spec is the model's with its own overrides; the others' are untouched.
  EXPECT_EQ(c.arm_spec(0).settings.at("intercept"), 1536.0);
  EXPECT_EQ(c.arm_spec(1).settings.at("intercept"), 1537.0);
  EXPECT_EQ(c.arm_spec(1).settings.at("noise_sd"), 0.5);
  EXPECT_EQ(c.arm_spec(2).vector_settings.at("coefficients"), (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(c.arm_spec(2).settings.at("noise_sd"), 0.0);

  const auto setup = build_setup(c, registry_);
  ASSERT_EQ(setup.arms.size(), 3u);
  // linear's parameters: x1, x2, x3, intercept, noise_sd.
  EXPECT_EQ(setup.arms[0].base_parameters[3], 1536.0);
  EXPECT_EQ(setup.arms[1].base_parameters[3], 1537.0);
  EXPECT_EQ(setup.arms[2].base_parameters[4], 0.0);
  for (const auto& arm : setup.arms) {
    EXPECT_EQ(arm.parameter_slots, (std::vector<std::size_t>{0, 1, 2}));
  }
}

TEST_F(ArmsConfigTest, RunIdsAreSampleMajorWithTheArmBeforeTheReplicate) {
  const auto n = parse(kArms).numbering();
  EXPECT_EQ(n.runs_per_sample(), 6u);
  std::uint64_t expected = 0;
  for (std::uint64_t sample = 0; sample < 4; ++sample) {
    for (std::uint32_t arm = 0; arm < 3; ++arm) {
      for (std::uint32_t replicate = 0; replicate < 2; ++replicate) {
        const auto id = n.id(sample, arm, replicate);
        EXPECT_EQ(id, expected++);
        EXPECT_EQ(n.sample(id), sample);
        EXPECT_EQ(n.arm(id), arm);
        EXPECT_EQ(n.replicate(id), replicate);
      }
    }
  }
  // Without arms the numbering is the one campaigns always had.
  const storage::RunNumbering plain{1, 4};
  EXPECT_EQ(plain.id(7, 0, 3), 7u * 4 + 3);
}

TEST_F(ArmsConfigTest, ArmsArePartOfTheCampaignsIdentity) {
  const auto with = parse(kArms);
  EXPECT_NE(with.canonical().find("arms.base: #0 {}\n"), std::string::npos) << with.canonical();
  EXPECT_NE(with.canonical().find("arms.plus1: #1 {settings: {intercept: 1537}}\n"),
            std::string::npos);
  // Without arms the text is what it always was: no arms lines.
  std::string plain = kArms;
  plain.erase(plain.find("arms:"), plain.find("parameters:") - plain.find("arms:"));
  EXPECT_EQ(parse(plain).canonical().find("arms"), std::string::npos);
  EXPECT_EQ(parse(plain).total_runs(), 200u);

  const auto changed = parse(replaced("intercept: 1537", "intercept: 1538"));
  EXPECT_EQ(canonical_diff(with.canonical(), changed.canonical()),
            (std::vector<std::string>{"arms.plus1: #1 {settings: {intercept: 1537}} -> #1 "
                                      "{settings: {intercept: 1538}}"}));
  const auto added =
      parse(replaced("  base: {}\n", "  base: {}\n  cold: {settings: {noise_sd: 0}}\n"));
  const auto diff = canonical_diff(with.canonical(), added.canonical());
  EXPECT_EQ(diff.size(), 3u);  // cold is new; plus1 and steep moved
  const auto removed =
      parse(replaced("  steep: {settings: {coefficients: [4, 5, 6], noise_sd: 0}}\n", ""));
  EXPECT_EQ(canonical_diff(with.canonical(), removed.canonical()),
            (std::vector<std::string>{
                "arms.steep: #2 {settings: {coefficients: [4, 5, 6], noise_sd: 0}} -> (absent)"}));
}

TEST_F(ArmsConfigTest, MistakesInArmsAreLocated) {
  // The line of arm plus1 replaced by each mistake, and the start of the message it gets.
  const std::vector<std::pair<std::string, std::string>> cases = {
      // A sampled parameter cannot be overridden.
      {"plus1: {settings: {x2: 0.5}}",
       "c.yaml:8:22: arms.plus1.settings.x2: 'x2' is sampled (parameters.x2)"},
      // Unknown settings and options, bad values: the model's own message, located.
      {"plus1: {settings: {slope: 1}}",
       "c.yaml:8:22: arms.plus1.settings.slope: model 'linear' has no parameter 'slope'"},
      {"plus1: {options: {schedule: daily}}",
       "c.yaml:8:21: arms.plus1.options.schedule: model 'linear' has no option 'schedule'"},
      {"plus1: {settings: {intercept: many}}",
       "c.yaml:8:33: arms.plus1.settings.intercept: expected a number, got 'many'"},
      {"plus1: {setting: {intercept: 1}}", "c.yaml:8:11: arms.plus1: unknown key 'setting'"},
      {"plus1: [1, 2]", "c.yaml:8:10: arms.plus1: expected a mapping, got a list"},
      // Names are identifiers, and unique.
      {"plus-1: {}", "c.yaml:8:3: arms: arm name 'plus-1' must be a letter or _"},
      {"base: {}", "c.yaml:8:3: arms: key 'base' appears twice"},
  };
  for (const auto& [line, expected] : cases) {
    const std::string msg = error_of(replaced("plus1: {settings: {intercept: 1537}}", line));
    EXPECT_EQ(msg.rfind(expected, 0), 0u) << "expected: " << expected << "\ngot: " << msg;
  }
  const auto one =
      error_of(replaced("  plus1: {settings: {intercept: 1537}}\n  steep: "
                        "{settings: {coefficients: [4, 5, 6], noise_sd: 0}}\n",
                        ""));
  EXPECT_EQ(one.rfind("c.yaml:7:3: arms: a campaign with arms needs at least two", 0), 0u) << one;
  const auto empty =
      error_of(replaced("  base: {}\n  plus1: {settings: {intercept: 1537}}\n  "
                        "steep: {settings: {coefficients: [4, 5, 6], noise_sd: "
                        "0}}\n",
                        "  {}\n"));
  EXPECT_EQ(empty.rfind("c.yaml:", 0), 0u) << empty;
}

TEST_F(ArmsConfigTest, EmdrArmsChooseTheirAgentsSchedules) {
  const std::string emdr = R"(campaign: {name: e, seed: 1, samples: 10}
model: {name: emdr}
arms:
  chemo: {}
  cxcr4: {settings: {cxcr4_block: 0.97}, options: {cxcr4_block_schedule: sometimes}}
parameters:
  dose: {distribution: uniform, min: 7, max: 15}
storage: {path: e.db}
)";
  const auto msg = error_of(emdr);
  EXPECT_EQ(msg.rfind("c.yaml:5:52: arms.cxcr4.options.cxcr4_block_schedule: option "
                      "'cxcr4_block_schedule' of model 'emdr' must be one of",
                      0),
            0u)
      << msg;
  std::string fixed = emdr;
  fixed.replace(fixed.find("sometimes"), 9, "pulsed");
  const auto c = parse(fixed);
  EXPECT_EQ(c.arms[1].overrides(),
            "{settings: {cxcr4_block: 0.97}, options: {cxcr4_block_schedule: pulsed}}");
  EXPECT_EQ(c.arm_spec(1).options.at("cxcr4_block_schedule"), "pulsed");
  EXPECT_EQ(c.arm_spec(0).options.count("cxcr4_block_schedule"), 0u);
}

// examples/emdr_arms.yaml runs the single-arm examples' treatments as arms of one campaign (the
// same settings and options, so the same recommended schedules of emdr.md), plus the pulsed
// CXCR4 antagonist, on the same samples.
TEST_F(ArmsConfigTest, TheEmdrArmsExampleHoldsTheSingleArmExamplesTreatments) {
  const std::string dir = TMEX_EXAMPLES_DIR;
  const auto arms = load_campaign_config(dir + "/emdr_arms.yaml", registry_);
  const auto single = load_campaign_config(dir + "/emdr.yaml", registry_);
  EXPECT_EQ(arms.seed, single.seed);
  ASSERT_EQ(arms.parameters.size(), single.parameters.size());
  for (std::size_t i = 0; i < arms.parameters.size(); ++i) {
    EXPECT_EQ(arms.parameters[i].name, single.parameters[i].name);
    EXPECT_EQ(arms.parameters[i].distribution.describe(),
              single.parameters[i].distribution.describe());
  }
  std::vector<std::string> names;
  for (const auto& a : arms.arms) names.push_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{"chemo", "integrin", "il6", "cox2", "vegf", "nfkb",
                                             "cxcr4", "cxcr4_pulsed", "all"}));
  for (std::size_t a = 0; a < arms.arms.size(); ++a) {
    const std::string& name = arms.arms[a].name;
    if (name == "cxcr4_pulsed") {
      EXPECT_EQ(arms.arm_spec(a).options.at("cxcr4_block_schedule"), "pulsed");
      EXPECT_EQ(arms.arm_spec(a).settings.at("cxcr4_block"), 0.97);
      continue;
    }
    SCOPED_TRACE(name);
    const auto one = load_campaign_config(dir + "/emdr_arm_" + name + ".yaml", registry_);
    EXPECT_EQ(arms.arm_spec(a).settings, one.model_spec.settings);
    EXPECT_EQ(arms.arm_spec(a).options, one.model_spec.options);
  }
}

TEST_F(ArmsConfigTest, ConvergenceJudgesTheContrastsOnTheCriteriaWritten) {
  std::string text = replaced("samples: 100", "samples: 400");
  const auto c = parse(text + "convergence: {start: 100, difference: 0.05}\n");
  ASSERT_TRUE(c.convergence);
  // Every other arm against the first, on every output; only the difference is judged.
  EXPECT_EQ(c.convergence->contrasts, (std::vector<std::string>{"plus1:base", "steep:base"}));
  EXPECT_EQ(c.convergence->difference, std::vector<double>{0.05});
  EXPECT_FALSE(c.convergence->judge_halfwidth);
  EXPECT_FALSE(c.convergence->judge_stable_top);
  const std::string canonical = c.canonical();
  EXPECT_NE(canonical.find("convergence.outputs: [y]\nconvergence.contrasts: [plus1:base, "
                           "steep:base]\nconvergence.difference: [0.05]\n"),
            std::string::npos)
      << canonical;
  EXPECT_EQ(canonical.find("convergence.halfwidth"), std::string::npos) << canonical;
  // Contrasts as written, ARM:REFERENCE; who benefits judged where written.
  const auto d = parse(text +
                       "convergence: {start: 100, contrasts: ['steep:plus1', plus1], "
                       "stable_top: 2}\n");
  EXPECT_EQ(d.convergence->contrasts, (std::vector<std::string>{"steep:plus1", "plus1:base"}));
  EXPECT_TRUE(d.convergence->difference.empty());
  EXPECT_FALSE(d.convergence->judge_halfwidth);
  EXPECT_TRUE(d.convergence->judge_stable_top);
  EXPECT_EQ(d.convergence->criteria.stable_top, 2);
  EXPECT_EQ(
      canonical_diff(canonical, d.canonical()),
      (std::vector<std::string>{
          "convergence.contrasts: [plus1:base, steep:base] -> [steep:plus1, plus1:base]",
          "convergence.difference: [0.05] -> (absent)", "convergence.stable_top: (absent) -> 2"}));
}

TEST_F(ArmsConfigTest, ConvergenceTargetsPerOutputCoverEveryOutput) {
  const std::string faulty = R"(campaign: {name: t, seed: 5, samples: 400}
design: {method: lhs}
model: {name: faulty}
arms:
  a: {}
  b: {settings: {nan_below: 0.2}}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
  x2: {distribution: uniform, min: 0, max: 1}
  x3: {distribution: uniform, min: 0, max: 1}
storage: {path: t.db}
)";
  const auto c =
      parse(faulty + "convergence: {start: 100, difference: {y2: 0.01}, halfwidth: 0.1}\n");
  ASSERT_EQ(c.convergence->difference.size(), 2u);
  EXPECT_TRUE(std::isnan(c.convergence->difference[0]));  // y: who benefits only
  EXPECT_EQ(c.convergence->difference[1], 0.01);
  EXPECT_NE(c.canonical().find("convergence.difference: [none, 0.01]\n"), std::string::npos);
  EXPECT_EQ(error_of(faulty + "convergence: {start: 100, difference: {y2: 0.01}}\n"),
            "c.yaml:12:39: convergence.difference: output 'y' must converge but has no "
            "criterion: give it a half-width here, or write halfwidth or stable_top");
  EXPECT_EQ(c.convergence->outputs, (std::vector<std::string>{"y", "y2"}));
  const auto one =
      parse(faulty + "convergence: {start: 100, outputs: [y2], difference: {y2: 0.01}}\n");
  EXPECT_EQ(one.convergence->difference, std::vector<double>{0.01});
}

}  // namespace
}  // namespace tmex::driver
