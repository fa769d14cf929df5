// Helpers shared by the emdr tests: build the model, evaluate with named overrides.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/emdr_model.hpp"
#include "models/emdr_parameters.hpp"
#include "models/model.hpp"
#include "tests/models/emdr_lhs.hpp"

namespace tmex::models::emdr_testing {

/// An emdr model plus its default parameter vector; evaluate() applies named overrides.
class EmdrRunner {
 public:
  explicit EmdrRunner(const ModelSpec& spec = {}, EmdrSolver solver = EmdrSolver::kRodas4)
      : model_(make_emdr(spec, solver)) {
    for (const auto& p : model_->info().parameters) defaults_.push_back(p.default_value);
  }

  /// Evaluates with `overrides` applied to the defaults; fails the test on an unknown name.
  EvalResult run(const std::map<std::string, double>& overrides = {}) const {
    std::vector<double> values = defaults_;
    for (const auto& [name, value] : overrides) {
      const auto idx = model_->info().parameter_index(name);
      EXPECT_TRUE(idx.has_value()) << name;
      if (idx) values[*idx] = value;
    }
    EvalResult result;
    model_->evaluate(values, EvalContext{}, result);
    return result;
  }

  /// Output `name` of an evaluation that must succeed.
  double output(const std::map<std::string, double>& overrides, const std::string& name) const {
    const EvalResult r = run(overrides);
    EXPECT_EQ(r.status, EvalStatus::kOk) << r.reason;
    const auto idx = model_->info().output_index(name);
    EXPECT_TRUE(idx.has_value()) << name;
    return idx ? r.outputs[*idx] : 0.0;
  }

  const Model& model() const { return *model_; }
  const std::vector<double>& defaults() const { return defaults_; }

 private:
  std::unique_ptr<Model> model_;
  std::vector<double> defaults_;
};

/// A spec with string options.
inline ModelSpec with_options(std::map<std::string, std::string> options) {
  ModelSpec spec;
  spec.options = std::move(options);
  return spec;
}

}  // namespace tmex::models::emdr_testing
