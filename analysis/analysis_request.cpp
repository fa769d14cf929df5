// Method names, events, and the check of a request against a campaign's design.
#include "analysis/analysis_request.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <set>
#include <utility>

#include "analysis/analysis_error.hpp"
#include "text/number_text.hpp"
#include "text/strings.hpp"

namespace tmex::analysis {

namespace {

constexpr std::array<std::pair<Method, std::string_view>, 8> kMethods = {{
    {Method::kPrcc, "prcc"},
    {Method::kPcc, "pcc"},
    {Method::kSrc, "src"},
    {Method::kSrrc, "srrc"},
    {Method::kCorrelation, "correlation"},
    {Method::kSobol, "sobol"},
    {Method::kMorris, "morris"},
    {Method::kUncertainty, "uncertainty"},
}};

constexpr std::array<std::pair<Comparison, std::string_view>, 6> kComparisons = {{
    {Comparison::kLess, "<"},
    {Comparison::kLessEqual, "<="},
    {Comparison::kGreater, ">"},
    {Comparison::kGreaterEqual, ">="},
    {Comparison::kEqual, "=="},
    {Comparison::kNotEqual, "!="},
}};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Refuses a method that does not fit the design, with the reason and what to use instead.
void check_fits(Method method, const CampaignInfo& campaign) {
  const DesignKind kind = campaign.layout.kind;
  const std::string& design = campaign.design;
  if (is_correlation_method(method)) {
    const std::string name =
        method == Method::kCorrelation ? "correlation" : upper(method_name(method));
    if (kind == DesignKind::kSaltelli) {
      throw RequestError(
          name + " needs a sample of the parameter space, but this campaign's design (" + design +
          ") is a Saltelli design whose rows come in A, A_B and B blocks; use "
          "method sobol (or the default)");
    }
    if (kind == DesignKind::kMorris) {
      throw RequestError(
          name + " needs a sample of the parameter space, but this campaign's design (" + design +
          ") is made of Morris one-at-a-time trajectories; use method morris (or "
          "the default)");
    }
  } else if (method == Method::kSobol && kind != DesignKind::kSaltelli) {
    throw RequestError(
        "Sobol' indices need a Saltelli design (design: {method: saltelli}), but this campaign's "
        "design is " +
        design + "; use method " + (kind == DesignKind::kMorris ? "morris" : "prcc") +
        " (or the default)");
  } else if (method == Method::kMorris && kind != DesignKind::kMorris) {
    throw RequestError(
        "Morris elementary effects need a Morris design (design: {method: morris}), but this "
        "campaign's design is " +
        design + "; use method " + (kind == DesignKind::kSaltelli ? "sobol" : "prcc") +
        " (or the default)");
  } else if (method == Method::kUncertainty && kind == DesignKind::kMorris) {
    throw RequestError(
        "an uncertainty summary needs a random sample of the inputs, but Morris trajectories (" +
        design + ") sit on a few grid levels; run an lhs campaign");
  }
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string method_name(Method method) {
  for (const auto& [m, name] : kMethods) {
    if (m == method) return std::string(name);
  }
  return "?";
}

Method parse_method(std::string_view name) {
  for (const auto& [m, n] : kMethods) {
    if (n == name) return m;
  }
  throw RequestError("unknown method '" + std::string(name) + "'; known: " +
                     text::join(kMethods, ", ", [](const auto& m) { return m.second; }));
}

bool is_correlation_method(Method method) {
  return method == Method::kPrcc || method == Method::kPcc || method == Method::kSrc ||
         method == Method::kSrrc || method == Method::kCorrelation;
}

std::string Event::text() const {
  std::string_view op = "?";
  for (const auto& [c, o] : kComparisons) {
    if (c == comparison) op = o;
  }
  return output + " " + std::string(op) + " " +
         text::format_number(threshold, text::NumberStyle::kShortest);
}

bool Event::holds(double v) const {
  if (std::isnan(v)) return false;
  switch (comparison) {
    case Comparison::kLess:
      return v < threshold;
    case Comparison::kLessEqual:
      return v <= threshold;
    case Comparison::kGreater:
      return v > threshold;
    case Comparison::kGreaterEqual:
      return v >= threshold;
    case Comparison::kEqual:
      return v == threshold;
    case Comparison::kNotEqual:
      return v != threshold;
  }
  return false;
}

Event parse_event(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return RequestError("event '" + std::string(text) + "': " + why +
                        "; expected OUTPUT OP NUMBER with OP one of < <= > >= == != (e.g. 'cured "
                        "== 1')");
  };
  const auto op_at = text.find_first_of("<>=!");
  if (op_at == std::string_view::npos) throw bad("no comparison operator");
  Event e;
  e.output = text::trim(text.substr(0, op_at));
  if (e.output.empty()) throw bad("no output name before the operator");
  if (e.output.find_first_of(" \t") != std::string::npos) {
    throw bad("'" + e.output + "' is not one name");
  }
  std::size_t rest = op_at + 1;
  if (rest < text.size() && text[rest] == '=') ++rest;
  const std::string_view op = text.substr(op_at, rest - op_at);
  const auto known = std::find_if(kComparisons.begin(), kComparisons.end(),
                                  [&](const auto& c) { return c.second == op; });
  if (known == kComparisons.end()) throw bad("unknown operator '" + std::string(op) + "'");
  e.comparison = known->first;
  const std::string number = text::trim(text.substr(rest));
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), e.threshold);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(e.threshold)) {
    throw bad("'" + number + "' is not a finite number");
  }
  return e;
}

bool AnalysisPlan::runs(Method method) const {
  return std::find(methods.begin(), methods.end(), method) != methods.end();
}

std::vector<Method> default_methods(DesignKind kind) {
  if (kind == DesignKind::kSaltelli) return {Method::kSobol, Method::kUncertainty};
  if (kind == DesignKind::kMorris) return {Method::kMorris};
  return {Method::kPrcc, Method::kUncertainty};
}

void check_interval_options(double confidence, const std::optional<int>& bootstrap) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw RequestError("confidence must be in (0, 1), got " +
                       text::format_number(confidence, text::NumberStyle::kShortest));
  }
  if (bootstrap && *bootstrap < 0) {
    throw RequestError("bootstrap resamples must be >= 0, got " + std::to_string(*bootstrap));
  }
}

std::vector<std::string> resolve_outputs(const CampaignInfo& campaign,
                                         const std::vector<std::string>& requested) {
  std::vector<std::string> outputs = requested.empty() ? campaign.outputs : requested;
  std::set<std::string> seen;
  for (const auto& o : outputs) {
    if (!has(campaign.outputs, o)) {
      throw RequestError("unknown output '" + o +
                         "'; the campaign has: " + text::join(campaign.outputs));
    }
    if (!seen.insert(o).second) throw RequestError("output '" + o + "' is named twice");
  }
  return outputs;
}

AnalysisPlan plan_analysis(const CampaignInfo& campaign, const AnalysisRequest& request) {
  if (!(request.convergence.halfwidth > 0.0) || !std::isfinite(request.convergence.halfwidth)) {
    throw RequestError(
        "tolerance: expected a positive half-width of an index's interval, got " +
        text::format_number(request.convergence.halfwidth, text::NumberStyle::kShortest));
  }
  if (request.convergence.stable_top < 1) {
    throw RequestError("stable top: expected at least 1 parameter, got " +
                       std::to_string(request.convergence.stable_top));
  }
  check_interval_options(request.confidence, request.bootstrap);
  AnalysisPlan plan;
  plan.outputs = resolve_outputs(campaign, request.outputs);
  for (const auto& e : request.events) {
    if (!has(campaign.outputs, e.output)) {
      throw RequestError("event '" + e.text() + "': unknown output '" + e.output +
                         "'; the campaign has: " + text::join(campaign.outputs));
    }
  }
  if (request.method) {
    check_fits(*request.method, campaign);
    plan.methods = {*request.method};
  } else {
    plan.methods = default_methods(campaign.layout.kind);
  }
  if (!request.events.empty() && campaign.layout.kind == DesignKind::kMorris) {
    throw RequestError("events need a random sample of the inputs, but Morris trajectories (" +
                       campaign.design + ") sit on a few grid levels; run an lhs campaign");
  }
  plan.events = request.events;
  plan.columns = campaign.parameter_names();
  plan.columns.insert(plan.columns.end(), plan.outputs.begin(), plan.outputs.end());
  for (const auto& e : plan.events) {
    if (!has(plan.columns, e.output)) plan.columns.push_back(e.output);
  }
  plan.trajectories =
      plan.methods.front() == Method::kPrcc && campaign.layout.kind != DesignKind::kSaltelli &&
      campaign.layout.kind != DesignKind::kMorris && !campaign.trajectory_variables.empty();
  plan.confidence = request.confidence;
  plan.bootstrap = request.bootstrap;
  plan.resamples = request.bootstrap.value_or(1000);
  plan.seed = request.seed.value_or(campaign.seed);
  plan.scatter = request.scatter;
  plan.scatter_rows = request.scatter_rows;
  plan.threads = request.threads;
  plan.convergence = request.convergence;
  return plan;
}

}  // namespace tmex::analysis
