// Runs the corpus of malformed configs (tests/driver/bad_configs, made by make_bad_configs.py):
// each must be refused with a ConfigError that names the file and says what is wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "driver/campaign_config.hpp"
#include "driver/errors.hpp"

namespace tmex::driver {
namespace {

TEST(BadConfigCorpus, EveryFileIsRefusedWithALocatedMessage) {
  models::ModelRegistry registry;
  models::register_builtin_models(registry);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TMEX_BAD_CONFIGS_DIR)) {
    const std::string path = entry.path().string();
    SCOPED_TRACE(path);
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const auto eol = text.find('\n');
    ASSERT_EQ(text.rfind("# expect: ", 0), 0u);
    const std::string expect = text.substr(10, eol - 10);
    ++files;
    try {
      // What `tmex check` and `tmex run` do: parse, then check the store path in use.
      const CampaignConfig config = parse_campaign_config(text, path, registry);
      check_store_path(config, false);
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind(path + ":", 0), 0u) << msg;
      EXPECT_NE(msg.find(expect), std::string::npos) << "expected '" << expect << "' in: " << msg;
      EXPECT_LT(msg.size(), 2000u) << "message too long";
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a ConfigError: " << e.what();
    }
  }
  EXPECT_GE(files, 100u);
}

}  // namespace
}  // namespace tmex::driver
