// Tests of format_number(): exact text reads back, display styles as documented.
#include "text/number_text.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

namespace tmex::text {
namespace {

double read_back(const std::string& s) {
  double v = 0.0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

TEST(FormatNumber, ExactIsPrintfsSeventeenDigitsAndReadsBack) {
  std::mt19937_64 g(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int i = 0; i < 2000; ++i) {
    const double v = u(g) * std::pow(10.0, static_cast<double>(i % 40 - 20));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    EXPECT_EQ(format_number(v, NumberStyle::kExact), buf);
    EXPECT_EQ(read_back(format_number(v, NumberStyle::kExact)), v);
    EXPECT_EQ(read_back(format_number(v, NumberStyle::kShortest)), v);
  }
  EXPECT_EQ(format_number(0.1, NumberStyle::kExact), "0.10000000000000001");
  EXPECT_EQ(format_number(0.1, NumberStyle::kShortest), "0.1");
  EXPECT_EQ(format_number(1e-12, NumberStyle::kShortest), "1e-12");
}

TEST(FormatNumber, DisplayStyles) {
  EXPECT_EQ(format_number(0.42641, NumberStyle::kCoefficient), "0.4264");
  EXPECT_EQ(format_number(-0.00321, NumberStyle::kCoefficient), "-0.0032");
  EXPECT_EQ(format_number(0.3581, NumberStyle::kPValue), "0.358");
  EXPECT_EQ(format_number(0.001, NumberStyle::kPValue), "0.001");
  EXPECT_EQ(format_number(4.58e-70, NumberStyle::kPValue), "4.6e-70");
  EXPECT_EQ(format_number(0.0, NumberStyle::kPValue), "<1e-300");
  EXPECT_EQ(format_number(3.51649, NumberStyle::kGeneral), "3.516");
  EXPECT_EQ(format_number(13.4688, NumberStyle::kGeneral), "13.47");
  EXPECT_EQ(format_number(0.02507, NumberStyle::kBrief), "0.025");
  EXPECT_EQ(format_number(1.52e-17, NumberStyle::kBrief), "1.5e-17");
}

TEST(FormatNumber, NonFiniteValuesReadTheSameInEveryStyle) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (auto style : {NumberStyle::kExact, NumberStyle::kShortest, NumberStyle::kCoefficient,
                     NumberStyle::kPValue, NumberStyle::kGeneral, NumberStyle::kBrief}) {
    EXPECT_EQ(format_number(nan, style), "nan");
    EXPECT_EQ(format_number(inf, style), "inf");
    EXPECT_EQ(format_number(-inf, style), "-inf");
  }
}

}  // namespace
}  // namespace tmex::text
