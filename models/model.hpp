// The Model interface: declared parameters and outputs, and a pure evaluate().
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace tmex::models {

/// Thrown for a model that cannot be built from its specification (unknown setting or option,
/// bad value). `key` names the offending setting or option so callers can point at it.
class ModelError : public std::runtime_error {
 public:
  ModelError(std::string key, const std::string& message)
      : std::runtime_error(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

/// The values a parameter may take, on their own (joint constraints, such as emdr's initial
/// resistant cells, are checked at evaluation only). A value outside fails the evaluation with
/// kInvalidParameters; `tmex check` warns when a configured range leaves it.
struct ParameterDomain {
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  bool lower_open = false;  ///< lower itself is outside (a positive rate: (0, inf))
  bool upper_open = false;  ///< upper itself is outside (a fraction below 1: [0, 1))
  bool integer = false;     ///< whole numbers only

  /// Whether `v` is in the domain (finite, within the bounds, whole where required).
  bool contains(double v) const;
  /// The domain in words: "any number", ">= 0", "> 0", "in [0, 1]", "in [0, 1)", a whole
  /// number ">= 0".
  std::string describe() const;
};

/// One input of a model, in declared order.
struct ParameterInfo {
  std::string name;
  double default_value = 0.0;
  std::string unit;          ///< "1" for dimensionless, "1/day", "cells", ...
  std::string description;   ///< one line, with its source where it has one
  ParameterDomain domain{};  ///< where the model is defined; everywhere by default
};

/// Which direction of an output is better, as a model declares it: what a contrast between
/// treatment arms calls a benefit (lower residual burden, higher log kill, cured = 1).
enum class Better : std::uint8_t {
  kUnspecified,  ///< no direction is better (a mechanism, a time of an event), or not declared
  kLower,
  kHigher,
};

/// "", "lower" or "higher".
const char* to_string(Better better);

/// One scalar output of a model, in declared order.
struct OutputInfo {
  std::string name;
  std::string unit;
  std::string description;
  Better better = Better::kUnspecified;  ///< which direction is better, where one is
};

/// One string option (not sampled), e.g. a treatment schedule.
struct OptionInfo {
  std::string name;
  std::string default_value;
  std::vector<std::string> allowed;  ///< empty: any string
  std::string description;
};

/// Everything a model declares about itself, after construction from its ModelSpec.
struct ModelInfo {
  std::string name;
  std::string description;
  std::vector<ParameterInfo> parameters;  ///< defaults already include fixed settings
  std::vector<OutputInfo> outputs;
  std::vector<OptionInfo> options;
  std::vector<std::string> trajectory_variables;  ///< empty: no trajectories
  bool stochastic = false;  ///< true: outputs depend on EvalContext::stream_seed
  /// Version of the model's equations and outputs, raised whenever the same parameters may give
  /// different results; a campaign store records it, and a store made by another version of a
  /// model is not resumed. Stores that predate the record hold version 1.
  int version = 1;

  /// Index of a parameter / output by name, or nullopt.
  std::optional<std::size_t> parameter_index(const std::string& name) const;
  std::optional<std::size_t> output_index(const std::string& name) const;
};

/// How a model is built: fixed parameter values and structural settings, string options and
/// the times at which trajectories are recorded.
struct ModelSpec {
  std::map<std::string, double> settings;  ///< scalar settings: fixed parameter values
  std::map<std::string, std::vector<double>> vector_settings;  ///< e.g. sobol_g's `a`
  std::map<std::string, std::string> options;
  std::vector<double> trajectory_times;  ///< increasing; empty: no trajectories

  // For models whose parameters, outputs and program are configured rather than built in (the
  // `external` model); the built-in models ignore these fields.

  /// Lists of text (external: `command`, `args`, `outputs`).
  std::map<std::string, std::vector<std::string>> text_lists;
  /// The sampled parameter names (design order, dummies excluded), filled by the driver before
  /// it builds the model, so that a model can declare the parameters it is given.
  std::vector<std::string> declared_parameters;
  /// Where a model that runs programs finds its files and works. Not part of a campaign's
  /// identity: a campaign may move, or use other scratch space, between sessions.
  struct Workspace {
    std::string base_directory;        ///< relative paths in the spec resolve here; empty: cwd
    std::string scratch_directory;     ///< per-evaluation directories go here; empty: system temp
    bool keep_failed_scratch = false;  ///< keep a failed evaluation's directory for inspection
  };
  Workspace workspace;
};

/// Why an evaluation did not produce valid outputs. Stored as text (to_string) in the runs table.
enum class EvalStatus : std::uint8_t {
  kOk = 0,
  kNonFinite,          ///< an output or state became NaN or infinite
  kSolverFailure,      ///< step-size collapse, too many steps, ...
  kTimeout,            ///< the evaluation passed its deadline
  kException,          ///< the model threw
  kInvalidParameters,  ///< a parameter value outside its valid domain
  /// The process evaluating it died, twice (the crash quarantine; never set by a model).
  kCrashed,
};

/// "ok", "non_finite", "solver_failure", "timeout", "exception", "invalid_parameters",
/// "crashed".
const char* to_string(EvalStatus status);
/// Inverse of to_string; nullopt for an unknown name.
std::optional<EvalStatus> status_from_string(const std::string& name);

/// Per-evaluation context. stream_seed is a counter-based key derived from (campaign seed,
/// sample, replicate): stochastic models seed a local generator from it, never a shared one.
struct EvalContext {
  std::uint64_t sample = 0;
  std::uint32_t replicate = 0;
  std::uint64_t stream_seed = 0;
  /// Cooperative deadline: long-running models check it and return kTimeout when passed.
  std::optional<std::chrono::steady_clock::time_point> deadline;

  bool past_deadline() const { return deadline && std::chrono::steady_clock::now() > *deadline; }
};

/// Result of one evaluation. outputs has info().outputs.size() entries (NaN where not
/// computed); trajectories is variable-major: value of variable v at time j is
/// trajectories[v * times + j].
struct EvalResult {
  EvalStatus status = EvalStatus::kOk;
  std::string reason;  ///< empty when ok
  std::vector<double> outputs;
  std::vector<double> trajectories;

  void fail(EvalStatus s, std::string why) {
    status = s;
    reason = std::move(why);
  }
};

/// A model: parameters in, named outputs out. Implementations are pure (no I/O, no global
/// state) and evaluate() is safe to call concurrently on one instance. The one exception to
/// purity is `external`, which runs a program per evaluation (models/README.md says why).
class Model {
 public:
  virtual ~Model() = default;

  /// Declared parameters, outputs, options; stable for the life of the object.
  virtual const ModelInfo& info() const = 0;

  /// Evaluates at `parameters` (one value per info().parameters, in declared order) and fills
  /// `result`. Expected numerical failures are reported in result.status, never thrown.
  virtual void evaluate(std::span<const double> parameters, const EvalContext& context,
                        EvalResult& result) const = 0;
};

}  // namespace tmex::models
