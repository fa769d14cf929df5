// The faulty test model.
#include "models/faulty_model.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <stdexcept>
#include <thread>

#include "models/model_registry.hpp"

namespace tmex::models {

namespace {

enum Slot : std::size_t {
  kX1,
  kX2,
  kX3,
  kSleepMs,
  kThrowBelow,
  kNanBelow,
  kHangBelow,
  kHangMs,
  kInvalidBelow,
  kSolverBelow,
  kKillBelow
};

class Faulty final : public Model {
 public:
  explicit Faulty(const ModelSpec& spec) {
    info_.name = "faulty";
    info_.description = "test model with input-dependent cost and failures";
    info_.parameters = {
        {"x1", 0.5, "1", "input 1"},
        {"x2", 0.5, "1", "input 2"},
        {"x3", 0.5, "1", "input 3"},
        {"sleep_ms", 0.0, "ms", "time each evaluation takes (honours the deadline)"},
        {"throw_below", -1.0, "1", "x1 below this throws"},
        {"nan_below", -1.0, "1", "x2 below this gives a NaN output"},
        {"hang_below", -1.0, "1", "x3 below this hangs for hang_ms, ignoring the deadline"},
        {"hang_ms", 60000.0, "ms", "how long a hanging evaluation takes"},
        {"invalid_below", -1.0, "1", "x1 below this reports invalid parameters"},
        {"solver_below", -1.0, "1", "x2 below this reports a solver failure"},
        {"kill_below", -1.0, "1", "x3 below this kills the process (SIGKILL)"}};
    info_.outputs = {{"y", "1", "x1 + 2 x2 + 3 x3"}, {"y2", "1", "x1 x2"}};
    apply_spec(info_, spec);
  }
  const ModelInfo& info() const override { return info_; }

  void evaluate(std::span<const double> p, const EvalContext& ctx, EvalResult& r) const override {
    using namespace std::chrono;
    r.outputs.assign(2, std::nan(""));
    if (p[kX3] < p[kKillBelow]) std::raise(SIGKILL);
    if (p[kX1] < p[kThrowBelow]) {
      throw std::runtime_error("faulty: x1 = " + std::to_string(p[kX1]) + " is below throw_below");
    }
    if (p[kX1] < p[kInvalidBelow]) {
      r.fail(EvalStatus::kInvalidParameters,
             "x1 = " + std::to_string(p[kX1]) + " is below invalid_below");
      return;
    }
    if (p[kX2] < p[kSolverBelow]) {
      r.fail(EvalStatus::kSolverFailure, "step size collapsed (simulated)");
      return;
    }
    if (p[kX3] < p[kHangBelow]) {
      std::this_thread::sleep_for(duration<double, std::milli>(p[kHangMs]));
    }
    const auto end = steady_clock::now() + duration_cast<steady_clock::duration>(
                                               duration<double, std::milli>(p[kSleepMs]));
    while (steady_clock::now() < end) {
      if (ctx.past_deadline()) {
        r.fail(EvalStatus::kTimeout,
               "deadline passed after " + std::to_string(p[kSleepMs]) + " ms requested");
        return;
      }
      std::this_thread::sleep_for(
          std::min<steady_clock::duration>(milliseconds(1), end - steady_clock::now()));
    }
    r.outputs[0] = p[kX1] + 2.0 * p[kX2] + 3.0 * p[kX3];
    r.outputs[1] = p[kX1] * p[kX2];
    if (p[kX2] < p[kNanBelow]) r.outputs[0] = std::nan("");
  }

 private:
  ModelInfo info_;
};

}  // namespace

std::unique_ptr<Model> make_faulty(const ModelSpec& spec) { return std::make_unique<Faulty>(spec); }

}  // namespace tmex::models
