// What the store tests share: a fresh folder per test and the metadata of a small campaign.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "storage/campaign_store.hpp"

namespace tmex::storage::testing {

/// An empty folder named after `prefix`, the process and the running test (removed first if a
/// killed run left it).
inline std::filesystem::path fresh_test_folder(const std::string& prefix) {
  const auto dir = std::filesystem::temp_directory_path() /
                   (prefix + "-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// A campaign "t" of model "m": seed 3, 10 samples x 2 replicates of lhs(n=10), parameter a
/// uniform on [0, 1], output y. Tests add or change what they exercise.
inline CampaignMeta small_campaign_meta() {
  CampaignMeta meta;
  meta.name = "t";
  meta.seed = 3;
  meta.samples = 10;
  meta.replicates = 2;
  meta.design = "lhs(n=10)";
  meta.model = "m";
  meta.parameters = {{"a", "uniform(min=0, max=1)"}};
  meta.outputs = {"y"};
  meta.config = "campaign.name: t\n";
  meta.config_hash = "00";
  meta.tmex_version = "test";
  return meta;
}

}  // namespace tmex::storage::testing
