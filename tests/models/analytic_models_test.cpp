// Tests of the model registry and the analytic test models against their formulas.
#include "models/analytic_models.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "models/model_registry.hpp"

namespace tmex::models {
namespace {

EvalResult eval(const Model& m, std::vector<double> p, std::uint64_t seed = 0) {
  EvalResult r;
  EvalContext ctx;
  ctx.stream_seed = seed;
  m.evaluate(p, ctx, r);
  return r;
}

TEST(ModelRegistry, UnknownNamesListTheKnownOnes) {
  ModelRegistry reg;
  register_builtin_models(reg);
  try {
    reg.create("nope", {});
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("ishigami"), std::string::npos);
    EXPECT_EQ(e.key(), "name");
  }
  for (const auto& name : reg.names()) {
    const auto m = reg.create(name, {});
    EXPECT_EQ(m->info().name, name);
    // external declares the outputs its spec names; built from an empty spec it has none.
    if (name != "external") {
      EXPECT_FALSE(m->info().outputs.empty()) << name;
    }
  }
}

TEST(ModelRegistry, SettingsMustNameParameters) {
  ModelSpec spec;
  spec.settings["c"] = 1.0;
  try {
    make_ishigami(spec);
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_EQ(e.key(), "c");
  }
  spec.settings.clear();
  spec.options["x"] = "y";
  EXPECT_THROW(make_ishigami(spec), ModelError);
}

TEST(Ishigami, MatchesTheFormula) {
  ModelSpec spec;
  spec.settings["a"] = 5.0;
  const auto m = make_ishigami(spec);
  const double x1 = 0.3, x2 = -1.1, x3 = 2.0;
  const auto r = eval(*m, {x1, x2, x3, 5.0, 0.1});
  ASSERT_EQ(r.status, EvalStatus::kOk);
  EXPECT_DOUBLE_EQ(r.outputs[0], std::sin(x1) + 5.0 * std::pow(std::sin(x2), 2) +
                                     0.1 * std::pow(x3, 4) * std::sin(x1));
  EXPECT_EQ(m->info().parameters[3].default_value, 5.0);  // the setting became the default
}

TEST(SobolG, MatchesTheFormulaAndTakesItsDimensionFromA) {
  ModelSpec spec;
  spec.vector_settings["a"] = {0.0, 9.0};
  const auto m = make_sobol_g(spec);
  ASSERT_EQ(m->info().parameters.size(), 2u);
  const auto r = eval(*m, {0.1, 0.8});
  EXPECT_DOUBLE_EQ(r.outputs[0],
                   (std::abs(0.4 - 2.0) + 0.0) / 1.0 * (std::abs(3.2 - 2.0) + 9.0) / 10.0);
  spec.vector_settings["a"] = {-1.0};
  EXPECT_THROW(make_sobol_g(spec), ModelError);
}

TEST(Linear, NoiseComesFromTheStreamSeedAndIsStandardNormal) {
  ModelSpec spec;
  spec.vector_settings["coefficients"] = {2.0, -1.0};
  const auto m = make_linear(spec);
  // x1, x2, intercept, noise_sd
  EXPECT_DOUBLE_EQ(eval(*m, {1.0, 3.0, 0.5, 0.0}).outputs[0], 2.0 - 3.0 + 0.5);
  const auto a = eval(*m, {0, 0, 0, 1.0}, 42).outputs[0];
  const auto b = eval(*m, {0, 0, 0, 1.0}, 42).outputs[0];
  EXPECT_EQ(a, b);
  double sum = 0, sum2 = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double e = eval(*m, {0, 0, 0, 1.0}, static_cast<std::uint64_t>(i) * 7919).outputs[0];
    sum += e;
    sum2 += e * e;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, 0.0, 4.0 / std::sqrt(n));
  EXPECT_NEAR(sum2 / n - mean * mean, 1.0, 0.05);
  EXPECT_EQ(eval(*m, {0, 0, 0, -1.0}).status, EvalStatus::kInvalidParameters);
}

TEST(Status, NamesRoundTrip) {
  for (auto s : {EvalStatus::kOk, EvalStatus::kNonFinite, EvalStatus::kSolverFailure,
                 EvalStatus::kTimeout, EvalStatus::kException, EvalStatus::kInvalidParameters}) {
    EXPECT_EQ(status_from_string(to_string(s)), s);
  }
  EXPECT_FALSE(status_from_string("bogus"));
}

}  // namespace
}  // namespace tmex::models
