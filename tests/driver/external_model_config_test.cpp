// Tests of the external model's campaign keys: parsing into the ModelSpec, located errors,
// the canonical text.
#include "driver/external_model_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "driver/campaign_config.hpp"
#include "driver/errors.hpp"

namespace tmex::driver {
namespace {

namespace fs = std::filesystem;

const char* kExternal = R"(campaign: {name: t, seed: 5, samples: 10}
model:
  name: external
  command: [bin/model.sh, --fast]
  input: args
  args: ["--rate={rate}", "--k={k}", "--c={c}"]
  outputs: [y, z]
  settings: {c: 2}
parameters:
  rate: {distribution: uniform, min: 0, max: 1}
  k: {distribution: uniform, min: 1, max: 2}
storage: {path: t.db}
execution: {scratch: scratch-here, keep_failed_scratch: true}
)";

class ExternalConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    models::register_builtin_models(registry_);
    char name[] = "/tmp/tmex-external-config-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    dir_ = name;
    fs::create_directories(dir_ / "bin");
    std::ofstream(dir_ / "bin/model.sh") << "#!/bin/sh\necho '{\"y\": 1, \"z\": 2}'\n";
    fs::permissions(dir_ / "bin/model.sh", fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CampaignConfig parse(const std::string& text) {
    return parse_campaign_config(text, (dir_ / "c.yaml").string(), registry_);
  }
  std::string error_of(const std::string& text) {
    try {
      parse(text);
    } catch (const ConfigError& e) {
      const std::string prefix = (dir_ / "c.yaml").string();
      std::string msg = e.what();
      return msg.rfind(prefix, 0) == 0 ? "c.yaml" + msg.substr(prefix.size()) : msg;
    }
    ADD_FAILURE() << "config was accepted:\n" << text;
    return "";
  }
  static std::string replaced(const std::string& from, const std::string& to) {
    std::string s = kExternal;
    const auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return s.replace(pos, from.size(), to);
  }

  models::ModelRegistry registry_;
  fs::path dir_;
};

TEST_F(ExternalConfigTest, ReadsTheKeysIntoTheModelSpec) {
  const auto c = parse(kExternal);
  const auto& spec = c.model_spec;
  EXPECT_EQ(spec.text_lists.at("command"), (std::vector<std::string>{"bin/model.sh", "--fast"}));
  EXPECT_EQ(spec.text_lists.at("args").size(), 3u);
  EXPECT_EQ(spec.text_lists.at("outputs"), (std::vector<std::string>{"y", "z"}));
  EXPECT_EQ(spec.options.at("input"), "args");
  EXPECT_EQ(spec.declared_parameters, (std::vector<std::string>{"rate", "k"}));
  EXPECT_EQ(fs::path(spec.workspace.base_directory), dir_);
  EXPECT_EQ(spec.workspace.scratch_directory, "scratch-here");
  EXPECT_TRUE(spec.workspace.keep_failed_scratch);
  EXPECT_FALSE(fs::exists("scratch-here")) << "nothing is created while parsing";

  const auto setup = build_setup(c, registry_);
  const auto& info = setup.model().info();
  ASSERT_EQ(info.parameters.size(), 3u);
  EXPECT_EQ(info.parameters[2].name, "c");
  EXPECT_EQ(setup.arms.front().base_parameters[2], 2.0);
  EXPECT_EQ(c.outputs, (std::vector<std::string>{"y", "z"}));
}

TEST_F(ExternalConfigTest, DummiesAreNotDeclaredToTheModel) {
  const YAML::Node root = YAML::Load(kExternal);
  const YAML::Node parameters = YAML::Load(
      "{a: {distribution: uniform}, d: {distribution: uniform, dummy: true}, b: {dummy: no}}");
  models::ModelSpec spec;
  parse_external_model(root["model"], parameters, "dir/c.yaml", spec);
  EXPECT_EQ(spec.declared_parameters, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(fs::path(spec.workspace.base_directory), fs::current_path() / "dir");
}

TEST_F(ExternalConfigTest, CanonicalTextHoldsTheCommandAsWritten) {
  const auto canonical = parse(kExternal).canonical();
  EXPECT_NE(canonical.find("model.command: [bin/model.sh, --fast]\n"), std::string::npos)
      << canonical;
  EXPECT_NE(canonical.find("model.outputs: [y, z]\n"), std::string::npos);
  EXPECT_EQ(canonical.find(dir_.string()), std::string::npos)
      << "where the campaign lives is not part of its identity";
  EXPECT_EQ(canonical.find("scratch"), std::string::npos);
  const auto other = parse(replaced("--fast", "--slow")).canonical();
  EXPECT_EQ(canonical_diff(canonical, other),
            (std::vector<std::string>{"model.command: [bin/model.sh, --fast] -> [bin/model.sh, "
                                      "--slow]"}));
}

TEST_F(ExternalConfigTest, MissingProgramIsALocatedError) {
  EXPECT_EQ(error_of(replaced("bin/model.sh", "bin/nope.sh")),
            "c.yaml:4:3: model: model 'external': program 'bin/nope.sh' not found (no file '" +
                (dir_ / "bin/nope.sh").string() + "')");
  EXPECT_EQ(error_of(replaced("bin/model.sh", "no-such-simulator"))
                .rfind("c.yaml:4:3: model: model 'external': program 'no-such-simulator' not "
                       "found on PATH (",
                       0),
            0u);
}

TEST_F(ExternalConfigTest, ErrorsPointAtTheirKey) {
  EXPECT_EQ(error_of(replaced("input: args", "input: stdin")).substr(0, 12), "c.yaml:5:3: ");
  EXPECT_NE(
      error_of(replaced("input: args", "input: stdin")).find("must be one of json, args, file"),
      std::string::npos);
  EXPECT_EQ(error_of(replaced("\"--c={c}\"", "\"--c={cc}\"")).substr(0, 12), "c.yaml:6:3: ");
  EXPECT_EQ(error_of(replaced("outputs: [y, z]", "outputs: []")),
            "c.yaml:7:12: model.outputs: expected at least one output name");
  EXPECT_EQ(error_of(replaced("  outputs: [y, z]\n", "")),
            "c.yaml:3:3: model: model 'external' needs outputs: [the names of the values the "
            "program writes]");
  EXPECT_EQ(
      error_of(replaced("  input: args\n", "  input: args\n  options: {a: b}\n")).substr(0, 35),
      "c.yaml:6:12: model.options: model '");
  EXPECT_EQ(error_of(replaced("  command: [bin/model.sh, --fast]\n", "")).substr(0, 50),
            "c.yaml:3:3: model: model 'external' needs command:");
}

TEST_F(ExternalConfigTest, ExternalKeysBelongToTheExternalModelOnly) {
  const std::string text = R"(campaign: {name: t, seed: 5, samples: 10}
model: {name: ishigami, command: [x]}
parameters:
  x1: {distribution: uniform, min: 0, max: 1}
storage: {path: t.db}
)";
  EXPECT_NE(error_of(text).find("c.yaml:2:25: model: unknown key 'command'"), std::string::npos)
      << error_of(text);
}

TEST_F(ExternalConfigTest, ScratchMustBeADirectory) {
  std::ofstream(dir_ / "file") << "x";
  EXPECT_NE(error_of(replaced("scratch: scratch-here", "scratch: " + (dir_ / "file").string()))
                .find("exists and is not a directory"),
            std::string::npos);
}

}  // namespace
}  // namespace tmex::driver
