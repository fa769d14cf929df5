// Tests of make_design: every method, canonical descriptions, invalid specs, CSV design files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "sampling/design_file.hpp"
#include "sampling/design_spec.hpp"
#include "sampling/materialised_design.hpp"
#include "sampling/rank_correlation.hpp"

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

TEST(MakeDesign, MaterialisedDesignsHaveBoundedSizes) {
  auto maximin = spec_of("lhs", kMaxMaximinPoints + 1);
  maximin.optimize = LhsOptimization::kMaximin;
  EXPECT_THAT(error_of([&] { make_design(maximin, 2); }),
              HasSubstr("maximin supports at most 100000 samples"));
  auto correlated = spec_of("lhs", kMaxCorrelatedPoints + 1);
  correlated.correlation = CorrelationControl::kDecorrelate;
  EXPECT_THAT(error_of([&] { make_design(correlated, 2); }), HasSubstr("at most 1000000 samples"));
  // The plain design of the largest campaign is index-addressable and built at once.
  const auto huge = make_design(spec_of("lhs", std::uint64_t{1} << 40), 21);
  std::vector<double> u(21);
  huge->unit_point((std::uint64_t{1} << 40) - 1, u);
  EXPECT_GT(u[0], 0.0);
}

TEST(MakeDesign, OptimisedDesignsAreBuiltOnFirstUseAndValidatedAtOnce) {
  // A maximin design this size takes about a minute to build; describing it must not.
  auto maximin = spec_of("lhs", 50000);
  maximin.optimize = LhsOptimization::kMaximin;
  const auto d = make_design(maximin, 21);
  EXPECT_EQ(d->size(), 50000u);
  EXPECT_THAT(d->describe(), HasSubstr("optimize=maximin, iterations=2500000"));
  // Everything a build could reject is rejected by make_design itself.
  auto too_few = spec_of("lhs", 3);
  too_few.correlation = CorrelationControl::kDecorrelate;
  EXPECT_THAT(error_of([&] { make_design(too_few, 3); }), HasSubstr("more samples than"));
  auto bad_matrix = spec_of("lhs", 30);
  bad_matrix.rank_correlation = {1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0};
  EXPECT_THAT(error_of([&] { make_design(bad_matrix, 3); }), HasSubstr("positive definite"));
}

TEST(MakeDesign, DecorrelatedDesignIsTheRearrangedLatinHypercube) {
  auto s = spec_of("lhs", 400);
  s.correlation = CorrelationControl::kDecorrelate;
  const auto d = make_design(s, 4);
  EXPECT_EQ(d->algorithm_version(), kImanConoverVersion);
  EXPECT_EQ(make_design(spec_of("lhs", 400), 4)->algorithm_version(), 1);
  std::vector<double> expected = materialise(LatinHypercube(400, 4, 42));
  std::vector<double> identity(16, 0.0);
  for (std::size_t j = 0; j < 4; ++j) identity[j * 4 + j] = 1.0;
  const auto result = impose_rank_correlation(expected, 4, identity);
  EXPECT_EQ(materialise(*d), expected);
  ASSERT_TRUE(d->known_max_abs_rank_correlation().has_value());
  double worst = 0.0;
  for (std::size_t a = 0; a < 4; ++a) {
    for (std::size_t b = a + 1; b < 4; ++b)
      worst = std::max(worst, std::fabs(result.achieved[a * 4 + b]));
  }
  EXPECT_EQ(*d->known_max_abs_rank_correlation(), worst);
}

TEST(MaterialisedDesign, BuildsOnceOnFirstUseFromAnyThread) {
  std::atomic<int> builds{0};
  const MaterialisedDesign d(50, 2, "lazy", 3, [&] {
    ++builds;
    std::vector<double> points(100);
    for (std::size_t v = 0; v < points.size(); ++v)
      points[v] = (static_cast<double>(v) + 0.5) / 100;
    return MaterialisedDesign::Built{points, std::nullopt};
  });
  EXPECT_EQ(builds, 0);
  EXPECT_EQ(d.size(), 50u);
  EXPECT_EQ(d.describe(), "lazy");
  EXPECT_EQ(d.algorithm_version(), 3);
  EXPECT_EQ(builds, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<double> u(2);
      d.unit_point(49, u);
      EXPECT_EQ(u[1], 99.5 / 100);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(builds, 1);
  const MaterialisedDesign bad(2, 1, "bad", 1, [] {
    return MaterialisedDesign::Built{{0.5, 1.5}, {}};
  });
  EXPECT_THROW(bad.prepare(), DesignError);
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
