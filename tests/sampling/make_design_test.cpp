// Tests of make_design: every method, canonical descriptions, invalid specs, CSV design files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "sampling/design_file.hpp"
#include "sampling/design_spec.hpp"

namespace tmex::sampling {
namespace {

using testing::HasSubstr;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const DesignError& e) {
    return e.what();
  }
  return "no exception";
}

DesignSpec spec_of(const std::string& method, std::uint64_t samples) {
  DesignSpec s;
  s.method = method;
  s.samples = samples;
  s.seed = 42;
  return s;
}

TEST(MakeDesign, BuildsEveryMethodWithCanonicalDescriptions) {
  EXPECT_EQ(make_design(spec_of("lhs", 10), 3)->describe(),
            "lhs(n=10, k=3, seed=42, jitter=random)");
  EXPECT_EQ(make_design(spec_of("sobol", 16), 2)->describe(),
            "sobol(n=16, k=2, seed=42, scramble=owen)");
  EXPECT_EQ(make_design(spec_of("saltelli", 8), 2)->size(), 8u * 4u);
  EXPECT_EQ(make_design(spec_of("morris", 5), 3)->size(), 5u * 4u);
  auto grid = spec_of("grid", 0);
  grid.grid_levels = {2, 3};
  EXPECT_EQ(make_design(grid, 2)->size(), 6u);

  auto maximin = spec_of("lhs", 20);
  maximin.optimize = LhsOptimization::kMaximin;
  maximin.optimize_iterations = 500;
  EXPECT_EQ(make_design(maximin, 2)->describe(),
            "lhs(n=20, k=2, seed=42, jitter=random, optimize=maximin, iterations=500)");

  auto decorrelated = spec_of("lhs", 30);
  decorrelated.correlation = CorrelationControl::kDecorrelate;
  EXPECT_THAT(make_design(decorrelated, 3)->describe(), HasSubstr("correlation=decorrelate"));

  auto extended = spec_of("lhs", 20);
  extended.extend_from = 10;
  EXPECT_EQ(make_design(extended, 2)->describe(),
            "lhs(n=10, k=2, seed=42, jitter=random, extended_by=10)");
}

TEST(MakeDesign, InvalidSpecsNameTheOptionAndValue) {
  EXPECT_THAT(error_of([] { make_design(spec_of("latin", 10), 2); }),
              HasSubstr("unknown design method 'latin'; known: lhs"));
  EXPECT_THAT(error_of([] { make_design(spec_of("lhs", 0), 2); }), HasSubstr("samples"));
  EXPECT_THAT(error_of([] {
                auto s = spec_of("sobol", 8);
                s.optimize = LhsOptimization::kMaximin;
                make_design(s, 2);
              }),
              HasSubstr("optimize: applies to method lhs only, not to method 'sobol'"));
  EXPECT_THAT(error_of([] {
                auto s = spec_of("lhs", 8);
                s.optimize = LhsOptimization::kMaximin;
                s.correlation = CorrelationControl::kDecorrelate;
                make_design(s, 2);
              }),
              HasSubstr("cannot be combined"));
  EXPECT_THAT(error_of([] {
                auto s = spec_of("lhs", 8);
                s.rank_correlation = {1, 0.5, 0.5, 1, 0};
                make_design(s, 2);
              }),
              HasSubstr("got 5 values"));
  EXPECT_THAT(error_of([] {
                auto s = spec_of("morris", 8);
                s.levels = 5;
                make_design(s, 2);
              }),
              HasSubstr("got 5"));
  EXPECT_THAT(error_of([] {
                auto s = spec_of("grid", 7);
                s.levels = 3;
                make_design(s, 2);
              }),
              HasSubstr("has 9 points, but samples is 7"));
  EXPECT_THAT(error_of([] {
                auto s = spec_of("lhs", 8);
                s.extend_from = 8;
                make_design(s, 2);
              }),
              HasSubstr("extend_from: must be in 1..7"));
  EXPECT_THAT(error_of([] { parse_scramble("owens"); }),
              HasSubstr("scramble: expected one of none, shift, owen, got 'owens'"));
  EXPECT_EQ(parse_placement("centred"), LevelPlacement::kCentred);
}

TEST(MakeDesign, TargetCorrelationIsApplied) {
  auto s = spec_of("lhs", 500);
  s.rank_correlation = {1.0, 0.6, 0.6, 1.0};
  const auto d = make_design(s, 2);
  std::vector<double> u(2);
  double sxy = 0.0;  // rank correlation from the strata of a Latin hypercube
  for (std::uint64_t i = 0; i < 500; ++i) {
    d->unit_point(i, u);
    sxy += (u[0] - 0.5) * (u[1] - 0.5);
  }
  EXPECT_NEAR(sxy / 500.0 * 12.0, 0.6, 0.02);
}

TEST(DesignFile, ReadsAndReordersColumns) {
  std::istringstream in("# comment\nb, a\n0.1, 0.2\n\n0.3,0.4\r\n");
  const auto d = read_design_csv(in, "d.csv", 2, {"a", "b"});
  ASSERT_EQ(d->size(), 2u);
  std::vector<double> u(2);
  d->unit_point(1, u);
  EXPECT_EQ(u, (std::vector<double>{0.4, 0.3}));
  EXPECT_THAT(d->describe(), HasSubstr("file(n=2, k=2, columns=[a, b], fnv1a64="));
}

TEST(DesignFile, ErrorsCarryTheLineNumber) {
  auto read = [](const std::string& text, std::vector<std::string> names = {"a", "b"}) {
    std::istringstream in(text);
    return error_of([&] { read_design_csv(in, "d.csv", 2, names); });
  };
  EXPECT_THAT(read("a,b\n0.1,0.2\n0.5,1.5\n"),
              HasSubstr("d.csv:3: column 'b': expected a number in the open unit interval (0, 1), "
                        "got '1.5'"));
  EXPECT_THAT(read("a,b\n0.1\n"), HasSubstr("d.csv:2: expected 2 values, got 1"));
  EXPECT_THAT(read("a,c\n"), HasSubstr("d.csv:1: unknown column 'c'"));
  EXPECT_THAT(read("a,b\n0.1,x\n"), HasSubstr("got 'x'"));
  EXPECT_THAT(read("a,b\n"), HasSubstr("no data lines"));
  EXPECT_THAT(read("x,y,z\n", {}), HasSubstr("expected 2 columns, got 3"));
}

TEST(DesignFile, MakeDesignReadsTheFile) {
  const std::string path = ::testing::TempDir() + "tmex_design_file_test.csv";
  {
    std::ofstream out(path);
    out << "a,b\n0.25,0.75\n0.5,0.5\n";
  }
  auto s = spec_of("file", 2);
  s.file = path;
  EXPECT_EQ(make_design(s, 2)->size(), 2u);
  s.samples = 3;
  EXPECT_THAT(error_of([&] { make_design(s, 2); }), HasSubstr("has 2 points"));
  std::remove(path.c_str());
  s.samples = 0;
  EXPECT_THAT(error_of([&] { make_design(s, 2); }), HasSubstr("cannot open"));
}

}  // namespace
}  // namespace tmex::sampling
