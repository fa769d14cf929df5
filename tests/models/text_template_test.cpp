// Tests of TextTemplate (placeholders, escapes, literal braces) and shortest_decimal.
#include "models/text_template.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace tmex::models {
namespace {

TEST(TextTemplate, ReplacesPlaceholdersAndKeepsOtherBraces) {
  const std::vector<std::string> names = {"rate", "seed"};
  const TextTemplate t("{\"rate\": {rate}, \"x\": {1, 2}, ${{HOME} {seed}{rate}}", names);
  EXPECT_EQ(t.render({"0.5", "9"}), "{\"rate\": 0.5, \"x\": {1, 2}, ${HOME} 90.5}");
  EXPECT_TRUE(t.uses(0));
  EXPECT_TRUE(t.uses(1));
  const TextTemplate none("plain {text with spaces} {} {9x}", names);
  EXPECT_EQ(none.render({"a", "b"}), "plain {text with spaces} {} {9x}");
  EXPECT_FALSE(none.uses(0));
}

TEST(TextTemplate, UnknownPlaceholderIsAnErrorListingTheKnownNames) {
  try {
    TextTemplate("--k={rat}", {"rate", "seed"});
    FAIL() << "accepted {rat}";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "unknown placeholder {rat}; known: rate, seed (write {{ for a literal {)");
  }
}

TEST(ShortestDecimal, RoundTripsExactly) {
  for (double v :
       {0.1, 0.1 + 0.2, 1e-300, -2.5e17, 123456789.0, 5e-324, std::numeric_limits<double>::max()}) {
    EXPECT_EQ(std::strtod(shortest_decimal(v).c_str(), nullptr), v) << shortest_decimal(v);
  }
  EXPECT_EQ(shortest_decimal(0.1), "0.1");
  EXPECT_EQ(shortest_decimal(2.0), "2");
}

}  // namespace
}  // namespace tmex::models
