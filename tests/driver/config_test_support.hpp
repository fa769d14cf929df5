// What the campaign-config tests share: parsing YAML text against the built-in models, and the
// message of a config that must be refused.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "driver/campaign_config.hpp"
#include "driver/errors.hpp"
#include "models/model_registry.hpp"

namespace tmex::driver::testing {

/// A fixture with the built-in models registered.
class ConfigParsing : public ::testing::Test {
 protected:
  void SetUp() override { models::register_builtin_models(registry_); }
  /// `text` parsed as if read from c.yaml.
  CampaignConfig parse(const std::string& text) {
    return parse_campaign_config(text, "c.yaml", registry_);
  }
  /// The error message of an invalid config (fails the test if it parses).
  std::string error_of(const std::string& text) {
    try {
      parse(text);
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "config was accepted:\n" << text;
    return "";
  }
  models::ModelRegistry registry_;
};

}  // namespace tmex::driver::testing
