// Implementations of the analytic test models.
#include "models/analytic_models.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <string>

#include "models/model_registry.hpp"

namespace tmex::models {

namespace {

void check_finite(EvalResult& result) {
  for (double v : result.outputs) {
    if (!std::isfinite(v)) {
      result.fail(EvalStatus::kNonFinite, "output is not finite");
      return;
    }
  }
}

class Ishigami final : public Model {
 public:
  explicit Ishigami(const ModelSpec& spec) {
    info_.name = "ishigami";
    info_.description = "Ishigami-Homma test function sin x1 + a sin^2 x2 + b x3^4 sin x1";
    info_.parameters = {{"x1", 0.0, "1", "input 1, usually uniform on [-pi, pi]"},
                        {"x2", 0.0, "1", "input 2, usually uniform on [-pi, pi]"},
                        {"x3", 0.0, "1", "input 3, usually uniform on [-pi, pi]"},
                        {"a", 7.0, "1", "coefficient of sin^2 x2"},
                        {"b", 0.1, "1", "coefficient of x3^4 sin x1"}};
    info_.outputs = {{"y", "1", "function value"}};
    apply_spec(info_, spec);
  }
  const ModelInfo& info() const override { return info_; }
  void evaluate(std::span<const double> p, const EvalContext&, EvalResult& r) const override {
    const double s1 = std::sin(p[0]);
    const double s2 = std::sin(p[1]);
    const double x3 = p[2];
    r.outputs.assign(1, s1 + p[3] * s2 * s2 + p[4] * x3 * x3 * x3 * x3 * s1);
    check_finite(r);
  }

 private:
  ModelInfo info_;
};

class SobolG final : public Model {
 public:
  explicit SobolG(const ModelSpec& spec) {
    info_.name = "sobol_g";
    info_.description = "Sobol' g-function prod (|4 x_i - 2| + a_i) / (1 + a_i)";
    a_ = {0, 1, 4.5, 9, 99, 99, 99, 99};
    if (auto it = spec.vector_settings.find("a"); it != spec.vector_settings.end()) {
      a_ = it->second;
    }
    if (a_.empty()) throw ModelError("a", "sobol_g: setting 'a' must have at least one value");
    for (double a : a_) {
      if (!(a >= 0.0) || !std::isfinite(a)) {
        throw ModelError("a",
                         "sobol_g: every a_i must be finite and >= 0, got " + std::to_string(a));
      }
    }
    for (std::size_t i = 0; i < a_.size(); ++i) {
      info_.parameters.push_back({"x" + std::to_string(i + 1), 0.5, "1",
                                  "input " + std::to_string(i + 1) + ", uniform on [0, 1]"});
    }
    info_.outputs = {{"y", "1", "function value"}};
    apply_spec(info_, spec, {"a"});
  }
  const ModelInfo& info() const override { return info_; }
  void evaluate(std::span<const double> p, const EvalContext&, EvalResult& r) const override {
    double y = 1.0;
    for (std::size_t i = 0; i < a_.size(); ++i) {
      y *= (std::abs(4.0 * p[i] - 2.0) + a_[i]) / (1.0 + a_[i]);
    }
    r.outputs.assign(1, y);
    check_finite(r);
  }

 private:
  ModelInfo info_;
  std::vector<double> a_;
};

class Linear final : public Model {
 public:
  explicit Linear(const ModelSpec& spec) {
    info_.name = "linear";
    info_.description = "linear model intercept + sum b_i x_i + noise_sd * N(0,1)";
    info_.stochastic = true;
    b_ = {1, 2, 3};
    if (auto it = spec.vector_settings.find("coefficients"); it != spec.vector_settings.end()) {
      b_ = it->second;
    }
    if (b_.empty()) {
      throw ModelError("coefficients", "linear: 'coefficients' must have at least one value");
    }
    for (std::size_t i = 0; i < b_.size(); ++i) {
      if (!std::isfinite(b_[i])) {
        throw ModelError("coefficients",
                         "linear: coefficient " + std::to_string(i + 1) + " is not finite");
      }
      info_.parameters.push_back(
          {"x" + std::to_string(i + 1), 0.0, "1", "input " + std::to_string(i + 1)});
    }
    info_.parameters.push_back({"intercept", 0.0, "1", "constant term"});
    info_.parameters.push_back(
        {"noise_sd", 0.0, "1", "standard deviation of additive noise", {0.0}});
    info_.outputs = {{"y", "1", "function value"}};
    apply_spec(info_, spec, {"coefficients"});
    // A fixed negative noise_sd would make every evaluation fail: refused with the setting.
    if (const double sd = info_.parameters.back().default_value; !(sd >= 0.0)) {
      throw ModelError("noise_sd", "linear: noise_sd must be >= 0, got " + std::to_string(sd));
    }
  }
  const ModelInfo& info() const override { return info_; }
  void evaluate(std::span<const double> p, const EvalContext& ctx, EvalResult& r) const override {
    const std::size_t k = b_.size();
    double y = p[k];
    for (std::size_t i = 0; i < k; ++i) y += b_[i] * p[i];
    const double sd = p[k + 1];
    if (sd < 0.0) {
      r.outputs.assign(1, std::nan(""));
      r.fail(EvalStatus::kInvalidParameters, "noise_sd must be >= 0, got " + std::to_string(sd));
      return;
    }
    if (sd > 0.0) {
      boost::random::mt19937_64 gen(ctx.stream_seed);
      boost::random::normal_distribution<double> normal(0.0, 1.0);
      y += sd * normal(gen);
    }
    r.outputs.assign(1, y);
    check_finite(r);
  }

 private:
  ModelInfo info_;
  std::vector<double> b_;
};

}  // namespace

std::unique_ptr<Model> make_ishigami(const ModelSpec& spec) {
  return std::make_unique<Ishigami>(spec);
}
std::unique_ptr<Model> make_sobol_g(const ModelSpec& spec) {
  return std::make_unique<SobolG>(spec);
}
std::unique_ptr<Model> make_linear(const ModelSpec& spec) { return std::make_unique<Linear>(spec); }

}  // namespace tmex::models
