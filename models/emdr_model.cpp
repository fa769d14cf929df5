// The emdr Model (models/emdr.md, version 2): declarations, spec handling and evaluate().
#include "models/emdr_model.hpp"

#include <cmath>
#include <string>

#include "models/emdr_parameters.hpp"
#include "models/emdr_reference.hpp"
#include "models/emdr_rodas4.hpp"
#include "models/emdr_simulation.hpp"
#include "models/model_registry.hpp"

namespace tmex::models {

namespace {

// Directions (emdr.md, Outputs): less disease, more kill, later or no relapse, cure and fewer
// resistance mutations are better; mechanistic shares (resistant, adhered) and the nadir's
// time have no better direction.
std::vector<OutputInfo> emdr_output_infos() {
  constexpr Better kLower = Better::kLower;
  constexpr Better kHigher = Better::kHigher;
  constexpr Better kNone = Better::kUnspecified;
  return {
      {"final_burden", "cells", "N(T), 0 when extinct", kLower},
      {"log10_final_burden", "log10 cells", "log10 max(N(T), 1 cell): 0 when extinct", kLower},
      {"residual_burden", "cells", "N(t_E): burden at the end of therapy", kLower},
      {"log10_residual_burden", "log10 cells", "log10 max(N(t_E), 1 cell): 0 when extinct", kLower},
      {"log_kill", "log10", "log10 N(0) - log10 max(min N(t), 1 cell) over 0 <= t <= T", kHigher},
      {"nadir_time", "day", "the t of min N(t) (the extinction time when extinct)", kNone},
      {"time_to_relapse", "day",
       "days from the end of therapy until N >= detection_limit (0: still detectable at the "
       "end of therapy); T - t_E when censored",
       kHigher},
      {"relapse_censored", "1", "1 when no relapse was seen by T (extinct tumours included)",
       kHigher},
      {"relapsed", "1", "1 - relapse_censored", kLower},
      {"cured", "1", "1 when the tumour went extinct (fewer than one cell) by T", kHigher},
      {"resistant_fraction", "1", "R(T) / N(T), 0 when extinct", kNone},
      {"resistant_fraction_residual", "1", "R(t_E) / N(t_E), 0 when extinct", kNone},
      {"adhered_fraction_0", "1", "A(0) / N(0) after the burn-in", kNone},
      {"adhered_fraction_residual", "1", "A(t_E) / N(t_E): niche share of residual disease", kNone},
      {"adhered_fraction_T", "1", "A(T) / N(T), 0 when extinct", kNone},
      {"expected_mutations", "1", "M(T): cumulative expected resistance-mutation events", kLower},
      {"log10_expected_mutations", "log10", "log10 M(T)", kLower},
      {"p_resistance", "1",
       "1 - exp(-pi_R M(T)), pi_R = max(0, 1 - death_ratio / (1 - resistance_cost))", kLower},
      {"log10_auc_burden", "log10 cell-days", "log10 of the integral of N over [0, T]", kLower},
  };
}

class EmdrModel final : public Model {
 public:
  EmdrModel(const ModelSpec& spec, EmdrSolver solver) : solver_(solver) {
    info_.name = "emdr";
    info_.version = kEmdrVersion;
    info_.description =
        "environment-mediated drug resistance: bone-marrow niche (CAM-DR, SDF-1/CXCR4 "
        "retention), IL-6/STAT3/PGE2 loop, mutation-driven resistance; chemotherapy with six "
        "microenvironment-targeting agents, then drug-free follow-up";
    info_.parameters = emdr_parameter_infos();
    info_.outputs = emdr_output_infos();
    info_.options = emdr_option_infos();
    info_.trajectory_variables = {"N", "F", "A", "R", "L", "Z"};
    options_ = parse_emdr_options(apply_spec(info_, spec));
    times_ = spec.trajectory_times;
    const double horizon = info_.parameters[*info_.parameter_index("horizon")].default_value;
    for (std::size_t j = 0; j < times_.size(); ++j) {
      const double t = times_[j];
      const std::string what = "trajectory time " + std::to_string(t);
      if (!std::isfinite(t) || t < 0 || t > horizon) {
        throw ModelError("trajectory_times", "emdr: " + what + " must lie in [0, horizon = " +
                                                 std::to_string(horizon) + "]");
      }
      if (j > 0 && !(t > times_[j - 1])) {
        throw ModelError("trajectory_times",
                         "emdr: trajectory times must be strictly "
                         "increasing; " +
                             what + " follows " + std::to_string(times_[j - 1]));
      }
    }
  }

  const ModelInfo& info() const override { return info_; }

  void evaluate(std::span<const double> parameters, const EvalContext& context,
                EvalResult& result) const override {
    result = EvalResult{};
    EmdrParameters p;
    if (auto why = read_emdr_parameters(parameters, p)) {
      result.outputs.assign(kEmdrOutputCount, std::nan(""));
      result.fail(EvalStatus::kInvalidParameters, *why);
      return;
    }
    if (solver_ == EmdrSolver::kReference) {
      simulate_emdr(p, options_, times_, ReferenceIntegrator(), context, result);
    } else {
      simulate_emdr(p, options_, times_, Rodas4Integrator(), context, result);
    }
    if (result.status != EvalStatus::kOk) return;
    for (std::size_t i = 0; i < kEmdrOutputCount; ++i) {
      if (!std::isfinite(result.outputs[i])) {
        result.fail(EvalStatus::kNonFinite, "output " + info_.outputs[i].name + " is not finite (" +
                                                std::to_string(result.outputs[i]) + ")");
        return;
      }
    }
  }

 private:
  ModelInfo info_;
  EmdrOptions options_;
  std::vector<double> times_;
  EmdrSolver solver_;
};

}  // namespace

std::unique_ptr<Model> make_emdr(const ModelSpec& spec, EmdrSolver solver) {
  return std::make_unique<EmdrModel>(spec, solver);
}

}  // namespace tmex::models
