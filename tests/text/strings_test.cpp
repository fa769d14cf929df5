// Tests of join, trim, split_list, is_identifier and csv_field.
#include "text/strings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tmex::text {
namespace {

TEST(Join, ListsWithSeparatorAndProjection) {
  const std::vector<std::string> names = {"a", "b", "c"};
  EXPECT_EQ(join(names), "a, b, c");
  EXPECT_EQ(join(names, "|"), "a|b|c");
  EXPECT_EQ(join(std::vector<std::string>{}), "");
  EXPECT_EQ(join(std::vector<std::string>{"", "x"}), ", x");
  struct Item {
    std::string name;
  };
  const std::vector<Item> items = {{"x1"}, {"x2"}};
  EXPECT_EQ(join(items, ", ", &Item::name), "x1, x2");
}

TEST(Trim, RemovesBlanksAtBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(SplitList, KeepsNonEmptyTrimmedFields) {
  EXPECT_EQ(split_list("a, b,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_list(""), std::vector<std::string>{});
  EXPECT_EQ(split_list("a;b", ';'), (std::vector<std::string>{"a", "b"}));
}

TEST(IsIdentifier, LetterOrUnderscoreThenWordCharacters) {
  for (const char* good : {"x", "_a", "growth_rate", "x1", "A_2"}) EXPECT_TRUE(is_identifier(good));
  for (const char* bad : {"", "1x", "a-b", "a b", "é", "a.b"}) EXPECT_FALSE(is_identifier(bad));
}

TEST(CsvField, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
}

}  // namespace
}  // namespace tmex::text
