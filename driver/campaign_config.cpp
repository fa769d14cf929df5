// YAML -> CampaignConfig: strict parsing with file:line:column errors, and canonical text.
#include "driver/campaign_config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "driver/errors.hpp"
#include "driver/external_model_config.hpp"
#include "storage/campaign_store.hpp"
#include "storage/store_file.hpp"
#include "text/number_text.hpp"
#include "text/strings.hpp"

namespace tmex::driver {

namespace {

constexpr std::uint64_t kMaxSamples = std::uint64_t{1} << 40;
constexpr std::uint64_t kMaxReplicates = 1'000'000;
// Plain LHS campaigns up to this size are decorrelated (Iman-Conover) by default.
constexpr std::uint64_t kDecorrelateUpTo = 100'000;
// Every rank builds one model per arm; analyses and reports grow with the arms.
constexpr std::size_t kMaxArms = 1000;
// Sampled parameters and stored outputs per campaign: each is a column of the runs table, and
// SQLite allows 2000 columns per table (SQLITE_MAX_COLUMN) beside tmex's own ten. The design's
// correlation work also grows with the cube of the parameters.
constexpr std::size_t kMaxParameters = 1000;
constexpr std::size_t kMaxOutputs = 900;
// Evaluations at once per rank: each is a thread with its own stack (8 MiB of address space by
// default), and past the cores of one node more threads only add contention; run more ranks.
constexpr std::uint64_t kMaxPerRank = 256;

std::string num(double v) { return text::format_number(v, text::NumberStyle::kExact); }

// Shortens a scalar for messages so binary garbage or huge values stay readable.
std::string shown(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 60)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (s.size() > 60) out += "...";
  return "'" + out + "'";
}

std::string describe_node(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Scalar:
      return shown(n.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "an undefined value";
  }
}

// A parameter name: an identifier short enough to be a readable column name.
bool is_parameter_name(const std::string& s) { return s.size() <= 64 && text::is_identifier(s); }

// Parses with error context: every problem becomes "source:line:col: path: message".
class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  // "source:line:column" of a node (just the source when it has no position).
  std::string where(const YAML::Node& at) const {
    std::string out = source_;
    if (at.IsDefined()) {
      const YAML::Mark m = at.Mark();
      if (m.line >= 0) {
        out += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
      }
    }
    return out;
  }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& path,
                         const std::string& msg) const {
    throw ConfigError(where(at) + ": " + path + ": " + msg);
  }

  // A mapping whose keys are checked against `allowed` (duplicates and unknown keys fail).
  void expect_map(const YAML::Node& n, const std::string& path,
                  const std::vector<std::string>& allowed) const {
    if (!n.IsMap()) fail(n, path, "expected a mapping, got " + describe_node(n));
    std::set<std::string> seen;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) fail(kv.first, path, "keys must be plain names");
      const std::string key = kv.first.Scalar();
      if (!seen.insert(key).second) fail(kv.first, path, "key '" + key + "' appears twice");
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(kv.first, path, "unknown key " + shown(key) + "; expected one of: " + list);
      }
    }
  }

  // Keys of a mapping in document order, with the key nodes (for marks).
  std::vector<std::pair<std::string, YAML::Node>> entries(const YAML::Node& n,
                                                          const std::string& path) const {
    expect_map(n, path, {});
    std::vector<std::pair<std::string, YAML::Node>> out;
    for (const auto& kv : n) out.emplace_back(kv.first.Scalar(), kv.first);
    return out;
  }

  std::string text(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) fail(n, path, "expected a text value, got " + describe_node(n));
    const std::string s = n.Scalar();
    if (s.empty()) fail(n, path, "must not be empty");
    if (s.size() > 4096) fail(n, path, "too long (" + std::to_string(s.size()) + " characters)");
    return s;
  }

  double number(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) fail(n, path, "expected a number, got " + describe_node(n));
    const std::string s = n.Scalar();
    double v = 0.0;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec == std::errc::result_out_of_range) fail(n, path, "number out of range, got " + shown(s));
    if (ec != std::errc() || ptr != e || s.empty()) {
      fail(n, path, "expected a number, got " + shown(s));
    }
    if (!std::isfinite(v)) fail(n, path, "expected a finite number, got " + shown(s));
    return v;
  }

  std::uint64_t integer(const YAML::Node& n, const std::string& path, std::uint64_t min,
                        std::uint64_t max) const {
    if (!n.IsScalar()) fail(n, path, "expected a whole number, got " + describe_node(n));
    const std::string s = n.Scalar();
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
      // Accept whole numbers written as 1e6 or 1000.0.
      double d = 0.0;
      auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec2 != std::errc() || p2 != s.data() + s.size() || !std::isfinite(d) ||
          d != std::floor(d) || d < 0.0 || d > 1.8e19) {
        fail(n, path,
             "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                 ", got " + shown(s));
      }
      v = static_cast<std::uint64_t>(d);
    }
    if (v < min || v > max) {
      fail(n, path,
           "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
               ", got " + shown(s));
    }
    return v;
  }

  bool boolean(const YAML::Node& n, const std::string& path) const {
    if (n.IsScalar()) {
      const std::string s = n.Scalar();
      if (s == "true" || s == "yes" || s == "on") return true;
      if (s == "false" || s == "no" || s == "off") return false;
    }
    fail(n, path, "expected true or false, got " + describe_node(n));
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

YAML::Node key_node(const YAML::Node& map, const std::string& key) {
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.first;
  }
  return YAML::Node(YAML::NodeType::Undefined);  // YAML::Node() would be a defined null
}

// Keys each distribution takes, required first; optional ones after the '|' marker.
struct DistributionKeys {
  const char* kind;
  std::vector<std::string> required;
  std::vector<std::string> optional;
};

const std::vector<DistributionKeys>& distribution_table() {
  static const std::vector<DistributionKeys> table = {
      {"uniform", {"min", "max"}, {}},
      {"loguniform", {"min", "max"}, {}},
      {"normal", {"mean", "sd"}, {}},
      {"truncnormal", {"mean", "sd", "min", "max"}, {}},
      {"lognormal", {"meanlog", "sdlog"}, {}},
      {"triangular", {"min", "mode", "max"}, {}},
      {"beta", {"alpha", "beta"}, {"min", "max"}},
      {"discrete", {"levels"}, {}},
      {"constant", {"value"}, {}},
  };
  return table;
}

sampling::Distribution build_distribution(const Parser& p, const YAML::Node& n,
                                          const std::string& path) {
  if (!n.IsMap())
    p.fail(n, path, "expected a mapping with 'distribution', got " + describe_node(n));
  if (!n["distribution"]) p.fail(n, path, "missing key 'distribution'");
  const std::string kind = p.text(n["distribution"], path + ".distribution");
  const auto& table = distribution_table();
  auto it = std::find_if(table.begin(), table.end(),
                         [&](const DistributionKeys& d) { return kind == d.kind; });
  if (it == table.end()) {
    const std::string known = text::join(table, ", ", [](const auto& d) { return d.kind; });
    p.fail(n["distribution"], path + ".distribution",
           "unknown distribution " + shown(kind) + "; expected one of: " + known);
  }
  std::vector<std::string> allowed = {"distribution", "dummy"};
  allowed.insert(allowed.end(), it->required.begin(), it->required.end());
  allowed.insert(allowed.end(), it->optional.begin(), it->optional.end());
  p.expect_map(n, path, allowed);
  for (const auto& key : it->required) {
    if (!n[key]) p.fail(n, path, "distribution " + kind + " needs key '" + key + "'");
  }
  auto value = [&](const std::string& key) { return p.number(n[key], path + "." + key); };
  try {
    if (kind == "uniform") return sampling::Distribution::uniform(value("min"), value("max"));
    if (kind == "loguniform") {
      return sampling::Distribution::log_uniform(value("min"), value("max"));
    }
    if (kind == "normal") return sampling::Distribution::normal(value("mean"), value("sd"));
    if (kind == "truncnormal") {
      return sampling::Distribution::truncated_normal(value("mean"), value("sd"), value("min"),
                                                      value("max"));
    }
    if (kind == "lognormal") {
      return sampling::Distribution::log_normal(value("meanlog"), value("sdlog"));
    }
    if (kind == "triangular") {
      return sampling::Distribution::triangular(value("min"), value("mode"), value("max"));
    }
    if (kind == "beta") {
      return sampling::Distribution::beta(value("alpha"), value("beta"),
                                          n["min"] ? value("min") : 0.0,
                                          n["max"] ? value("max") : 1.0);
    }
    if (kind == "discrete") {
      const YAML::Node levels = n["levels"];
      if (!levels.IsSequence() || levels.size() == 0) {
        p.fail(levels, path + ".levels", "expected a non-empty list of numbers");
      }
      std::vector<double> v;
      for (std::size_t i = 0; i < levels.size(); ++i) {
        v.push_back(p.number(levels[i], path + ".levels[" + std::to_string(i) + "]"));
      }
      return sampling::Distribution::discrete(std::move(v));
    }
    return sampling::Distribution::constant(value("value"));
  } catch (const sampling::DistributionError& e) {
    p.fail(n, path, e.what());
  }
}

// A distribution whose values overflow (uniform(-1e308, 1e308), beta(1e300, 1e300)) would give
// every run a non-finite parameter: refused here. Probed at the median and far in both tails
// (beyond what designs of up to 10^6 points reach).
sampling::Distribution parse_distribution(const Parser& p, const YAML::Node& n,
                                          const std::string& path) {
  sampling::Distribution d = build_distribution(p, n, path);
  for (const double u : {0.5, 1e-6, 1.0 - 1e-6}) {
    const double v = d.quantile(u);
    if (!std::isfinite(v)) {
      p.fail(n, path,
             d.describe() + " gives non-finite values (" +
                 (u == 0.5 ? std::string("its median is ") : "at probability " + num(u) + ": ") +
                 (std::isnan(v) ? std::string("NaN") : num(v)) +
                 "); use a range whose values and width are finite numbers");
    }
  }
  return d;
}

// The columns of the runs table a campaign claims: SQLite compares column names without regard
// to case, so names equal but for case clash with each other and with the table's own columns.
class ColumnNames {
 public:
  ColumnNames() {
    for (const auto& r : storage::kRunColumns) {
      const std::string name(r.name);
      names_.emplace(folded(name), "the runs table's own column '" + name + "'");
    }
  }
  void claim(const Parser& p, const std::string& name, const std::string& what,
             const YAML::Node& at, const std::string& path) {
    auto [it, fresh] = names_.emplace(folded(name), what + " '" + name + "'");
    if (!fresh) {
      p.fail(at, path,
             what + " '" + name + "' clashes with " + it->second +
                 " (the store's column names ignore case); rename it");
    }
  }

 private:
  static std::string folded(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }
  std::map<std::string, std::string> names_;  // folded name -> what holds it
};

sampling::DesignSpec parse_design(const Parser& p, const YAML::Node& design,
                                  std::size_t dimension) {
  sampling::DesignSpec spec;
  if (!design) return spec;
  p.expect_map(
      design, "design",
      {"method", "jitter", "optimize", "optimize_iterations", "correlation", "rank_correlation",
       "scramble", "base", "levels", "grid_levels", "placement", "file", "extend_from"});
  // Each enumerated option goes through sampling's own parser, whose message lists the values.
  auto enumerated = [&](const char* key, auto parse, auto& out) {
    if (const YAML::Node v = design[key]) {
      try {
        out = parse(p.text(v, std::string("design.") + key));
      } catch (const sampling::DesignError& e) {
        p.fail(v, std::string("design.") + key, e.what());
      }
    }
  };
  if (design["method"]) spec.method = p.text(design["method"], "design.method");
  enumerated("jitter", sampling::parse_jitter, spec.jitter);
  enumerated("optimize", sampling::parse_optimization, spec.optimize);
  enumerated("correlation", sampling::parse_correlation, spec.correlation);
  enumerated("scramble", sampling::parse_scramble, spec.scramble);
  enumerated("base", sampling::parse_saltelli_base, spec.base);
  enumerated("placement", sampling::parse_placement, spec.placement);
  if (const YAML::Node v = design["optimize_iterations"]) {
    spec.optimize_iterations = p.integer(v, "design.optimize_iterations", 1, 1'000'000'000);
  }
  if (const YAML::Node v = design["levels"]) {
    spec.levels = static_cast<std::uint32_t>(p.integer(v, "design.levels", 1, 1'000'000));
  }
  if (const YAML::Node v = design["grid_levels"]) {
    if (!v.IsSequence()) p.fail(v, "design.grid_levels", "expected a list of level counts");
    for (std::size_t i = 0; i < v.size(); ++i) {
      spec.grid_levels.push_back(static_cast<std::uint32_t>(
          p.integer(v[i], "design.grid_levels[" + std::to_string(i) + "]", 1, 1'000'000)));
    }
  }
  if (const YAML::Node v = design["file"]) spec.file = p.text(v, "design.file");
  if (const YAML::Node v = design["extend_from"]) {
    spec.extend_from = p.integer(v, "design.extend_from", 1, kMaxSamples);
  }
  if (const YAML::Node v = design["rank_correlation"]) {
    if (!v.IsSequence() || v.size() != dimension) {
      p.fail(v, "design.rank_correlation",
             "expected a " + std::to_string(dimension) + " x " + std::to_string(dimension) +
                 " matrix (a list of rows, in parameter order)");
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].IsSequence() || v[i].size() != dimension) {
        p.fail(
            v[i], "design.rank_correlation",
            "row " + std::to_string(i + 1) + " must have " + std::to_string(dimension) + " values");
      }
      for (std::size_t j = 0; j < dimension; ++j) {
        spec.rank_correlation.push_back(p.number(v[i][j], "design.rank_correlation"));
      }
    }
  }
  return spec;
}

// The document, checked for its top-level sections.
YAML::Node load_document(const Parser& p, const std::string& yaml_text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    std::string where = source;
    if (e.mark.line >= 0) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    throw ConfigError(where + ": YAML syntax error: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) throw ConfigError(source + ": the file is empty");
  p.expect_map(root, "(top level)",
               {"campaign", "design", "model", "parameters", "arms", "outputs", "convergence",
                "storage", "execution"});
  for (const char* required : {"campaign", "model", "parameters", "storage"}) {
    if (!root[required])
      p.fail(root, "(top level)", std::string("missing section '") + required + "'");
  }
  return root;
}

// campaign: name, seed, samples, replicates.
void parse_campaign_section(const Parser& p, const YAML::Node& root, CampaignConfig& c) {
  const YAML::Node campaign = root["campaign"];
  p.expect_map(campaign, "campaign", {"name", "seed", "samples", "replicates"});
  if (!campaign["name"]) p.fail(campaign, "campaign", "missing key 'name'");
  if (!campaign["seed"]) p.fail(campaign, "campaign", "missing key 'seed'");
  if (!campaign["samples"]) p.fail(campaign, "campaign", "missing key 'samples'");
  c.name = p.text(campaign["name"], "campaign.name");
  c.seed = p.integer(campaign["seed"], "campaign.seed", 0, UINT64_MAX);
  c.samples = p.integer(campaign["samples"], "campaign.samples", 1, kMaxSamples);
  if (campaign["replicates"]) {
    c.replicates = static_cast<std::uint32_t>(
        p.integer(campaign["replicates"], "campaign.replicates", 1, kMaxReplicates));
  }
  if (c.samples * c.replicates > kMaxSamples) {
    p.fail(campaign, "campaign",
           "samples x replicates = " + std::to_string(c.samples * c.replicates) +
               " is more than the supported " + std::to_string(kMaxSamples));
  }
}

// model: the model's name, settings, options, trajectory times (and an external program),
// checked by building the model, which is returned.
std::unique_ptr<models::Model> parse_model_section(const Parser& p, const YAML::Node& root,
                                                   const models::ModelRegistry& registry,
                                                   CampaignConfig& c) {
  const std::string& source = c.source;
  const YAML::Node model = root["model"];
  std::vector<std::string> model_keys = {"name", "settings", "options", "trajectory_times"};
  const bool external = model.IsMap() && model["name"] && model["name"].IsScalar() &&
                        model["name"].Scalar() == "external";
  if (external) {
    model_keys.insert(model_keys.end(), external_model_keys().begin(), external_model_keys().end());
  }
  p.expect_map(model, "model", model_keys);
  if (!model["name"]) p.fail(model, "model", "missing key 'name'");
  c.model_name = p.text(model["name"], "model.name");
  if (!registry.contains(c.model_name)) {
    p.fail(
        model["name"], "model.name",
        "unknown model " + shown(c.model_name) + "; known models: " + text::join(registry.names()));
  }
  if (const YAML::Node settings = model["settings"]) {
    for (const auto& [key, knode] : p.entries(settings, "model.settings")) {
      const YAML::Node v = settings[key];
      const std::string path = "model.settings." + key;
      if (v.IsSequence()) {
        std::vector<double> values;
        for (std::size_t i = 0; i < v.size(); ++i) {
          values.push_back(p.number(v[i], path + "[" + std::to_string(i) + "]"));
        }
        if (values.empty()) p.fail(v, path, "the list is empty");
        c.model_spec.vector_settings[key] = std::move(values);
      } else {
        c.model_spec.settings[key] = p.number(v, path);
      }
    }
  }
  if (const YAML::Node options = model["options"]) {
    for (const auto& [key, knode] : p.entries(options, "model.options")) {
      c.model_spec.options[key] = p.text(options[key], "model.options." + key);
    }
  }
  if (const YAML::Node times = model["trajectory_times"]) {
    if (!times.IsSequence() || times.size() == 0) {
      p.fail(times, "model.trajectory_times", "expected a non-empty list of times");
    }
    for (std::size_t i = 0; i < times.size(); ++i) {
      const double t = p.number(times[i], "model.trajectory_times[" + std::to_string(i) + "]");
      if (!c.model_spec.trajectory_times.empty() && t <= c.model_spec.trajectory_times.back()) {
        p.fail(times[i], "model.trajectory_times",
               "times must increase, got " + num(t) + " after " +
                   num(c.model_spec.trajectory_times.back()));
      }
      c.model_spec.trajectory_times.push_back(t);
    }
  }
  if (external) parse_external_model(model, root["parameters"], source, c.model_spec);
  std::unique_ptr<models::Model> instance;
  try {
    instance = registry.create(c.model_name, c.model_spec);
  } catch (const models::ModelError& e) {
    YAML::Node at = model;
    if (model["settings"] && key_node(model["settings"], e.key()).IsDefined()) {
      at = key_node(model["settings"], e.key());
    } else if (model["options"] && key_node(model["options"], e.key()).IsDefined()) {
      at = key_node(model["options"], e.key());
    } else if (e.key() == "trajectory_times" && model["trajectory_times"]) {
      at = model["trajectory_times"];
    } else if (key_node(model, e.key()).IsDefined()) {
      p.fail(key_node(model, e.key()), "model", e.what());  // a key directly under model:
    }
    p.fail(at, "model", e.what());
  }
  const models::ModelInfo& info = instance->info();
  c.model_version = info.version;
  for (const auto& param : info.parameters) {
    if (storage::is_run_column(param.name)) {
      p.fail(model["name"], "model.name",
             "model parameter '" + param.name + "' clashes with a column of the runs table");
    }
  }
  return instance;
}

// parameters: the sampled ones and their distributions, dummies, against the model's.
void parse_parameters_section(const Parser& p, const YAML::Node& root,
                              const models::ModelInfo& info, CampaignConfig& c,
                              ColumnNames& columns) {
  const YAML::Node params = root["parameters"];
  if (params.IsMap() && params.size() > kMaxParameters) {
    p.fail(params, "parameters",
           std::to_string(params.size()) + " parameters, more than the " +
               std::to_string(kMaxParameters) +
               " a campaign can sample (each is a column of the store, which SQLite limits to "
               "2000)");
  }
  for (const auto& [name, knode] : p.entries(params, "parameters")) {
    const std::string path = "parameters." + name;
    if (!is_parameter_name(name)) {
      p.fail(knode, "parameters",
             "parameter name " + shown(name) +
                 " must be a letter or _ followed by at most 63 letters, digits or _");
    }
    const YAML::Node pnode = params[name];
    const bool dummy =
        pnode.IsMap() && pnode["dummy"] && p.boolean(pnode["dummy"], path + ".dummy");
    if (dummy) {
      if (info.parameter_index(name)) {
        p.fail(knode, "parameters",
               "'" + name + "' is a parameter of model '" + c.model_name +
                   "'; a dummy needs a name the model does not use");
      }
    } else if (!info.parameter_index(name)) {
      const std::string known =
          text::join(info.parameters, ", ", [](const auto& pi) { return pi.name; });
      p.fail(knode, "parameters",
             "model '" + c.model_name + "' has no parameter " + shown(name) +
                 " (add 'dummy: true' for a dummy input); its "
                 "parameters are: " +
                 known);
    }
    if (c.model_spec.settings.count(name)) {
      p.fail(knode, "parameters",
             "'" + name +
                 "' is both fixed in model.settings and sampled here; keep "
                 "one");
    }
    columns.claim(p, name, dummy ? "dummy parameter" : "parameter", knode, "parameters");
    c.parameters.push_back({name, parse_distribution(p, pnode, path)});
    if (dummy) c.dummies.push_back(name);
  }
  if (c.parameters.empty()) {
    p.fail(params, "parameters", "at least one parameter must be sampled");
  }
}

// convergence.contrasts of a campaign with arms: "ARM" (against the first arm) or
// "ARM:REFERENCE", each once (default: every other arm against the first), as ARM:REFERENCE.
void parse_convergence_contrasts(const Parser& p, const YAML::Node& v, const CampaignConfig& c,
                                 ConvergenceConfig& cc) {
  std::vector<std::string> arms;
  for (const auto& a : c.arms) arms.push_back(a.name);
  if (!v) {
    for (std::size_t a = 1; a < arms.size(); ++a) cc.contrasts.push_back(arms[a] + ":" + arms[0]);
    return;
  }
  if (!v.IsSequence() || v.size() == 0) {
    p.fail(v, "convergence.contrasts",
           "expected a non-empty list of ARM (against " + shown(arms[0]) +
               ", the first arm) or ARM:REFERENCE, got " + describe_node(v));
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string item = p.text(v[i], "convergence.contrasts");
    const auto colon = item.find(':');
    const std::string arm = text::trim(item.substr(0, colon));
    const std::string ref =
        colon == std::string::npos ? arms[0] : text::trim(item.substr(colon + 1));
    for (const auto& name : {arm, ref}) {
      if (std::find(arms.begin(), arms.end(), name) == arms.end()) {
        p.fail(v[i], "convergence.contrasts",
               "unknown arm " + shown(name) + " in " + shown(item) +
                   "; the arms are: " + text::join(arms));
      }
    }
    if (arm == ref) {
      p.fail(v[i], "convergence.contrasts",
             shown(item) + " compares arm " + shown(arm) + " with itself" +
                 (colon == std::string::npos
                      ? " (the reference is the first arm; write ARM:REFERENCE for another)"
                      : ""));
    }
    const std::string contrast = arm + ":" + ref;
    if (std::find(cc.contrasts.begin(), cc.contrasts.end(), contrast) != cc.contrasts.end()) {
      p.fail(v[i], "convergence.contrasts", "contrast " + contrast + " is listed twice");
    }
    cc.contrasts.push_back(contrast);
  }
}

// convergence: a campaign that stops itself at the first checkpoint where its indices have
// converged. Checked here against the design (before it is built: an lhs design becomes a nested
// one) and campaign.samples; the outputs are checked after the outputs section.
void parse_convergence_section(const Parser& p, const YAML::Node& root, CampaignConfig& c) {
  const YAML::Node conv = root["convergence"];
  if (!conv) return;
  p.expect_map(
      conv, "convergence",
      {"start", "method", "outputs", "halfwidth", "stable_top", "contrasts", "difference"});
  if (!conv["start"]) {
    p.fail(conv, "convergence",
           "missing key 'start' (the size of the first checkpoint; each later one doubles it)");
  }
  const YAML::Node design = root["design"];
  auto design_at = [&](const char* key) {
    return design && design[key] ? design[key] : design ? design : root["campaign"];
  };
  sampling::DesignSpec& spec = c.design_spec;
  const std::string& method = spec.method;
  const bool saltelli = method == "saltelli";
  if (method != "lhs" && method != "sobol" && !saltelli) {
    p.fail(design_at("method"), "design.method",
           "a campaign that stops itself needs checkpoints that are designs of their own: lhs "
           "(nested Latin hypercubes), sobol or saltelli (powers of 2 of Sobol' points); got " +
               shown(method));
  }
  const bool arms = !c.arms.empty();
  if (arms && saltelli) {
    p.fail(design_at("method"), "design.method",
           "a campaign with arms that stops itself is judged on its contrasts (the mean paired "
           "difference and the PRCC of the differences), which need a design that samples the "
           "space: use lhs or sobol, not saltelli");
  }
  for (const char* key : {"contrasts", "difference"}) {
    if (!arms && conv[key]) {
      p.fail(conv[key], std::string("convergence.") + key,
             "contrasts compare the arms of a campaign, and this one has none (no 'arms' "
             "section): leave " +
                 std::string(key) + " out, or add arms");
    }
  }
  if (arms && !conv["difference"] && !conv["halfwidth"] && !conv["stable_top"]) {
    p.fail(conv, "convergence",
           "a campaign with arms stops on its contrasts: write difference (the largest "
           "half-width of the mean paired difference's interval, in the output's units), and/or "
           "halfwidth and stable_top (of the PRCC of the paired differences: who benefits)");
  }
  ConvergenceConfig cc;
  cc.judge_halfwidth = !arms || conv["halfwidth"];
  cc.judge_stable_top = !arms || conv["stable_top"];
  if (arms) parse_convergence_contrasts(p, conv["contrasts"], c, cc);
  cc.method = saltelli ? analysis::StoppingMeasure::kSobol : analysis::StoppingMeasure::kPrcc;
  if (const YAML::Node v = conv["method"]) {
    const std::string m = p.text(v, "convergence.method");
    if (m == "prcc") {
      cc.method = analysis::StoppingMeasure::kPrcc;
    } else if (m == "sobol") {
      cc.method = analysis::StoppingMeasure::kSobol;
    } else {
      p.fail(v, "convergence.method", "expected prcc or sobol, got " + shown(m));
    }
    if (cc.method == analysis::StoppingMeasure::kSobol && !saltelli) {
      p.fail(v, "convergence.method",
             "sobol needs design: {method: saltelli} (Sobol' indices come from its A, B and "
             "A_B blocks); with design method " +
                 shown(method) + " use method: prcc");
    }
    if (cc.method == analysis::StoppingMeasure::kPrcc && saltelli) {
      p.fail(v, "convergence.method",
             "prcc needs a design that samples the space (lhs or sobol); the rows of a saltelli "
             "design are not one: use method: sobol");
    }
  }
  if (saltelli && spec.base == sampling::SaltelliBase::kLhs) {
    p.fail(design_at("base"), "design.base",
           "a campaign that stops itself needs base: sobol (the default): the leading base rows "
           "of an lhs base are not a design of their own");
  }
  if (spec.scramble == sampling::SobolScramble::kNone) {
    p.fail(design_at("scramble"), "design.scramble",
           "none skips the origin, so its leading 2^m points are not a balanced set; use owen "
           "(the default) or shift in a campaign that stops itself");
  }
  if (method == "lhs") {
    const char* why = nullptr;
    const char* key = nullptr;
    if (spec.extend_from) {
      key = "extend_from";
      why =
          "a campaign that stops itself grows its Latin hypercube by doubling on its own; "
          "leave extend_from out";
    } else if (spec.optimize == sampling::LhsOptimization::kMaximin) {
      key = "optimize";
      why =
          "maximin optimises one whole design, and a campaign that stops itself grows by "
          "doubling; leave optimize out (correlation: decorrelate is kept per block)";
    } else if (spec.jitter == sampling::LhsJitter::kMidpoint) {
      key = "jitter";
      why =
          "midpoint: a point at a stratum's centre would lie on the boundary of its halves when "
          "the checkpoint doubles; use jitter: random";
    } else if (!spec.rank_correlation.empty() ||
               spec.correlation == sampling::CorrelationControl::kTarget) {
      key = spec.rank_correlation.empty() ? "correlation" : "rank_correlation";
      why =
          "target correlations cannot be kept block by block in a campaign that stops itself; "
          "use correlation: decorrelate or none";
    }
    if (why) p.fail(design_at(key), std::string("design.") + key, why);
  }
  const std::uint64_t k = c.parameters.size();
  const std::uint64_t effective = k - c.dummies.size();
  const char* unit = saltelli ? "base rows" : "samples";
  cc.start = p.integer(conv["start"], "convergence.start", 1, kMaxSamples);
  if (!saltelli && cc.start < k + 4) {
    p.fail(conv["start"], "convergence.start",
           "PRCC of " + std::to_string(k) + " parameters needs at least " + std::to_string(k + 4) +
               " samples (k + 4) at the first checkpoint, got " + std::to_string(cc.start));
  }
  if (saltelli && cc.start < 2) {
    p.fail(conv["start"], "convergence.start",
           "Sobol' indices need at least 2 base rows at the first checkpoint, got 1");
  }
  const bool powers = method != "lhs";
  if (powers && (cc.start & (cc.start - 1)) != 0) {
    const std::uint64_t below = std::uint64_t{1} << (63 - __builtin_clzll(cc.start));
    p.fail(conv["start"], "convergence.start",
           "Sobol' points are balanced in powers of 2, so start must be one; got " +
               std::to_string(cc.start) + ": write " + std::to_string(below * 2) + " or " +
               std::to_string(below));
  }
  {
    const YAML::Node samples_at = root["campaign"]["samples"];
    unsigned levels = 0;
    while ((cc.start << levels) < c.samples && levels < 40) ++levels;
    if (levels == 0 || (cc.start << levels) != c.samples) {
      std::string advice;
      if (c.samples <= cc.start) {
        advice = "write " + std::to_string(cc.start * 2) + " (2 checkpoints) or more";
      } else {
        advice = "write " + std::to_string(cc.start << levels) + " (" + std::to_string(levels + 1) +
                 " checkpoints)";
        if (levels >= 2) {
          advice += " or " + std::to_string(cc.start << (levels - 1)) + " (" +
                    std::to_string(levels) + ")";
        }
      }
      p.fail(samples_at ? samples_at : root["campaign"], "campaign.samples",
             "the checkpoints of a campaign that stops itself double from convergence.start: " +
                 std::to_string(cc.start) + ", " + std::to_string(cc.start * 2) + ", " +
                 std::to_string(cc.start * 4) + ", ... " + unit +
                 "; samples (the most it may run) must be one of them from the second on; got " +
                 std::to_string(c.samples) + ": " + advice);
    }
    cc.levels = levels;
  }
  if (const YAML::Node v = conv["halfwidth"]) {
    cc.criteria.halfwidth = p.number(v, "convergence.halfwidth");
    if (!(cc.criteria.halfwidth > 0.0 && cc.criteria.halfwidth < 1.0)) {
      p.fail(v, "convergence.halfwidth",
             "expected a half-width in (0, 1) (PRCC lies in [-1, 1], Sobol' indices in [0, 1]), "
             "got " +
                 num(cc.criteria.halfwidth));
    }
  }
  if (effective == 0) {
    p.fail(conv, "convergence", "every sampled parameter is a dummy: there is nothing to rank");
  }
  cc.criteria.stable_top = static_cast<int>(std::min<std::uint64_t>(5, effective));
  if (const YAML::Node v = conv["stable_top"]) {
    const std::uint64_t top = p.integer(v, "convergence.stable_top", 1, 1'000'000);
    if (top > effective) {
      p.fail(v, "convergence.stable_top",
             "at most the " + std::to_string(effective) +
                 " sampled parameters that are not dummies, got " + std::to_string(top));
    }
    cc.criteria.stable_top = static_cast<int>(top);
  }
  if (method == "lhs") {
    spec.nested_start = cc.start;
    if (!spec.correlation) {
      // As for plain designs: decorrelated where it can be (each block up to 100,000 samples).
      spec.correlation = cc.start > k ? sampling::CorrelationControl::kDecorrelate
                                      : sampling::CorrelationControl::kNone;
    } else if (*spec.correlation == sampling::CorrelationControl::kDecorrelate && cc.start <= k) {
      p.fail(conv["start"], "convergence.start",
             "design.correlation: decorrelate needs a first checkpoint of more samples than "
             "parameters, got " +
                 std::to_string(cc.start) + " for " + std::to_string(k) + " parameters");
    }
  }
  c.convergence = std::move(cc);
}

// convergence.difference of a campaign with arms, once its outputs are known: a half-width for
// every output, or {OUTPUT: half-width, ...} for some of them (each then judged on it); every
// output must have a criterion.
void parse_convergence_difference(const Parser& p, const YAML::Node& conv, CampaignConfig& c) {
  ConvergenceConfig& cc = *c.convergence;
  const YAML::Node v = conv["difference"];
  if (!v) return;
  const auto positive = [&](const YAML::Node& n, const std::string& key) {
    const double x = p.number(n, key);
    if (!(x > 0.0) || !std::isfinite(x)) {
      p.fail(n, key,
             "expected the largest half-width of the mean paired difference's interval, a "
             "positive number in the output's units, got " +
                 num(x));
    }
    return x;
  };
  cc.difference.assign(cc.outputs.size(), std::nan(""));
  if (v.IsMap()) {
    if (v.size() == 0) {
      p.fail(v, "convergence.difference",
             "expected a half-width, or a map of outputs to half-widths, got an empty map");
    }
    for (const auto& kv : v) {
      const std::string name = p.text(kv.first, "convergence.difference");
      const auto at = std::find(cc.outputs.begin(), cc.outputs.end(), name);
      if (at == cc.outputs.end()) {
        p.fail(kv.first, "convergence.difference",
               "output " + shown(name) + " is not among the outputs that must converge (" +
                   text::join(cc.outputs) + ")");
      }
      cc.difference[static_cast<std::size_t>(at - cc.outputs.begin())] =
          positive(kv.second, "convergence.difference." + name);
    }
  } else {
    const double x = positive(v, "convergence.difference");
    cc.difference.assign(cc.outputs.size(), x);
  }
  if (!cc.judge_halfwidth && !cc.judge_stable_top) {
    for (std::size_t o = 0; o < cc.outputs.size(); ++o) {
      if (std::isnan(cc.difference[o])) {
        p.fail(v, "convergence.difference",
               "output " + shown(cc.outputs[o]) +
                   " must converge but has no criterion: give it a half-width here, or write "
                   "halfwidth or stable_top");
      }
    }
  }
}

// convergence.outputs, once the stored outputs are known: each one of them, once (default: all).
void parse_convergence_outputs(const Parser& p, const YAML::Node& root, CampaignConfig& c) {
  if (!c.convergence) return;
  const YAML::Node v = root["convergence"]["outputs"];
  if (!v) {
    c.convergence->outputs = c.outputs;
    parse_convergence_difference(p, root["convergence"], c);
    return;
  }
  if (!v.IsSequence() || v.size() == 0) {
    p.fail(v, "convergence.outputs",
           "expected a non-empty list of stored outputs, got " + describe_node(v));
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string name = p.text(v[i], "convergence.outputs");
    if (std::find(c.outputs.begin(), c.outputs.end(), name) == c.outputs.end()) {
      p.fail(
          v[i], "convergence.outputs",
          "unknown output " + shown(name) + "; the stored outputs are: " + text::join(c.outputs));
    }
    auto& list = c.convergence->outputs;
    if (std::find(list.begin(), list.end(), name) != list.end()) {
      p.fail(v[i], "convergence.outputs", "output " + shown(name) + " is listed twice");
    }
    list.push_back(name);
  }
  parse_convergence_difference(p, root["convergence"], c);
}

// The model of an arm, built to check its overrides: an unknown setting or option, or a bad
// value, is reported at the arm's key that names it.
std::unique_ptr<models::Model> build_arm_model(const Parser& p, const YAML::Node& arm_node,
                                               const std::string& path,
                                               const models::ModelRegistry& registry,
                                               const CampaignConfig& c, std::size_t arm) {
  try {
    return registry.create(c.model_name, c.arm_spec(arm));
  } catch (const models::ModelError& e) {
    YAML::Node at = arm_node;
    std::string where = path;
    for (const char* part : {"settings", "options"}) {
      if (arm_node.IsMap() && arm_node[part] && key_node(arm_node[part], e.key()).IsDefined()) {
        at = key_node(arm_node[part], e.key());
        where = path + "." + part + "." + e.key();
      }
    }
    p.fail(at, where, e.what());
  }
}

// arms: treatment arms, each overriding fixed settings and options of the model; checked by
// building each arm's model, whose outputs must be the campaign's.
void parse_arms_section(const Parser& p, const YAML::Node& root,
                        const models::ModelRegistry& registry, const models::ModelInfo& info,
                        CampaignConfig& c) {
  const YAML::Node arms = root["arms"];
  if (!arms) return;
  const auto entries = p.entries(arms, "arms");
  if (entries.size() < 2) {
    p.fail(arms, "arms",
           "a campaign with arms needs at least two (a reference and an arm to compare with "
           "it), got " +
               std::to_string(entries.size()) + "; leave 'arms' out for a single treatment");
  }
  if (entries.size() > kMaxArms) {
    p.fail(arms, "arms",
           "at most " + std::to_string(kMaxArms) + " arms, got " + std::to_string(entries.size()));
  }
  if (c.samples * entries.size() * c.replicates > kMaxSamples) {
    p.fail(arms, "arms",
           "samples x arms x replicates = " +
               std::to_string(c.samples * entries.size() * c.replicates) +
               " is more than the supported " + std::to_string(kMaxSamples));
  }
  for (const auto& [name, knode] : entries) {
    const std::string path = "arms." + name;
    if (!is_parameter_name(name)) {
      p.fail(knode, "arms",
             "arm name " + shown(name) +
                 " must be a letter or _ followed by at most 63 letters, digits or _");
    }
    const YAML::Node anode = arms[name];
    ArmConfig arm;
    arm.name = name;
    if (!anode.IsNull()) {
      p.expect_map(anode, path, {"settings", "options"});
      if (const YAML::Node settings = anode["settings"]) {
        for (const auto& [key, skey] : p.entries(settings, path + ".settings")) {
          const std::string spath = path + ".settings." + key;
          const bool sampled = std::any_of(c.parameters.begin(), c.parameters.end(),
                                           [&](const auto& sp) { return sp.name == key; });
          if (sampled) {
            p.fail(skey, spath,
                   "'" + key + "' is sampled (parameters." + key +
                       "); an arm changes fixed settings only, so every arm sees the same "
                       "sampled values");
          }
          const YAML::Node v = settings[key];
          if (v.IsSequence()) {
            std::vector<double> values;
            for (std::size_t i = 0; i < v.size(); ++i) {
              values.push_back(p.number(v[i], spath + "[" + std::to_string(i) + "]"));
            }
            if (values.empty()) p.fail(v, spath, "the list is empty");
            arm.vector_settings[key] = std::move(values);
          } else {
            arm.settings[key] = p.number(v, spath);
          }
        }
      }
      if (const YAML::Node options = anode["options"]) {
        for (const auto& [key, okey] : p.entries(options, path + ".options")) {
          arm.options[key] = p.text(options[key], path + ".options." + key);
        }
      }
    }
    c.arms.push_back(std::move(arm));
    const auto model = build_arm_model(p, anode, path, registry, c, c.arms.size() - 1);
    const models::ModelInfo& arm_info = model->info();
    const auto names = [](const std::vector<models::OutputInfo>& outputs) {
      std::vector<std::string> out;
      for (const auto& o : outputs) out.push_back(o.name);
      return out;
    };
    if (names(arm_info.outputs) != names(info.outputs) ||
        arm_info.trajectory_variables != info.trajectory_variables) {
      p.fail(knode, path,
             "the arm's model has other outputs (" + text::join(names(arm_info.outputs)) +
                 ") than the campaign's (" + text::join(names(info.outputs)) +
                 "); arms must differ in settings and options only");
    }
  }
}

// design: the design of the sampled parameters, built to check it.
void parse_design_section(const Parser& p, const YAML::Node& root, CampaignConfig& c) {
  const std::string& source = c.source;
  c.design_spec = parse_design(p, root["design"], c.parameters.size());
  c.design_spec.samples = c.samples;
  c.design_spec.seed = c.seed;
  if (!c.design_spec.file.empty() && !c.design_spec.file.starts_with("/")) {
    // A design file is found next to the config that names it.
    const auto dir = std::filesystem::path(source).parent_path();
    if (!dir.empty()) c.design_spec.file = (dir / c.design_spec.file).string();
  }
  if (c.design_spec.method == "file") {
    for (const auto& sp : c.parameters) c.design_spec.parameter_names.push_back(sp.name);
  }
  parse_convergence_section(p, root, c);
  const std::uint64_t lhs_points = c.design_spec.extend_from.value_or(c.samples);
  const bool correlation_asked =
      !c.design_spec.rank_correlation.empty() ||
      (c.design_spec.correlation &&
       *c.design_spec.correlation != sampling::CorrelationControl::kNone);
  if (c.design_spec.method == "lhs" && correlation_asked && lhs_points <= c.parameters.size()) {
    const YAML::Node design = root["design"];
    const YAML::Node at =
        design["correlation"] ? design["correlation"] : design["rank_correlation"];
    p.fail(at ? at : design,
           design["correlation"] ? "design.correlation" : "design.rank_correlation",
           "rank correlation control (Iman-Conover) needs more samples than parameters, got " +
               std::to_string(lhs_points) + " samples for " + std::to_string(c.parameters.size()) +
               " parameters");
  }
  if (c.design_spec.method == "lhs" && !c.design_spec.correlation && !c.design_spec.optimize &&
      c.design_spec.rank_correlation.empty() && lhs_points > c.parameters.size() &&
      lhs_points <= kDecorrelateUpTo) {
    // Chance correlations between inputs (about 1/sqrt(N)) produce false PRCC significance at
    // a few hundred samples; above kDecorrelateUpTo they are negligible and the design stays
    // index-addressable instead of materialised. It needs more samples than parameters.
    c.design_spec.correlation = sampling::CorrelationControl::kDecorrelate;
  }
  try {
    c.design = sampling::make_design(c.design_spec, c.parameters.size());
  } catch (const sampling::DesignError& e) {
    p.fail(root["design"] ? root["design"] : root, "design", e.what());
  }
  if (c.design->size() * c.replicates > kMaxSamples) {
    p.fail(root["design"] ? root["design"] : root["campaign"], "design",
           "the design has " + std::to_string(c.design->size()) + " points x " +
               std::to_string(c.replicates) + " replicates, more than the supported " +
               std::to_string(kMaxSamples));
  }
}

// outputs: the stored outputs (default: all of the model's).
void parse_outputs_section(const Parser& p, const YAML::Node& root, const models::ModelInfo& info,
                           CampaignConfig& c, ColumnNames& columns) {
  if (const YAML::Node outputs = root["outputs"]) {
    if (!outputs.IsSequence() || outputs.size() == 0) {
      p.fail(outputs, "outputs",
             "expected a non-empty list of output names, got " + describe_node(outputs));
    }
    std::set<std::string> out_seen;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const std::string name = p.text(outputs[i], "outputs[" + std::to_string(i) + "]");
      if (!info.output_index(name)) {
        const std::string known =
            text::join(info.outputs, ", ", [](const auto& o) { return o.name; });
        p.fail(outputs[i], "outputs",
               "model '" + c.model_name + "' has no output " + shown(name) +
                   "; its outputs are: " + known);
      }
      if (!out_seen.insert(name).second)
        p.fail(outputs[i], "outputs", "'" + name + "' listed twice");
      c.outputs.push_back(name);
    }
  } else {
    for (const auto& o : info.outputs) c.outputs.push_back(o.name);
  }
  const YAML::Node model = root["model"];
  if (c.outputs.size() > kMaxOutputs) {
    p.fail(root["outputs"] ? root["outputs"] : model, "outputs",
           std::to_string(c.outputs.size()) + " outputs, more than the " +
               std::to_string(kMaxOutputs) +
               " a store can hold (each is a column, which SQLite limits to 2000); list the ones "
               "to keep in outputs:");
  }
  for (std::size_t i = 0; i < c.outputs.size(); ++i) {
    const YAML::Node outputs = root["outputs"];
    const YAML::Node at = outputs                             ? YAML::Node(outputs[i])
                          : model.IsMap() && model["outputs"] ? model["outputs"]
                                                              : model;
    columns.claim(p, c.outputs[i], "output", at, outputs ? "outputs" : "model.outputs");
  }
}

// storage and execution.
void parse_storage_and_execution(const Parser& p, const YAML::Node& root, CampaignConfig& c) {
  const YAML::Node storage = root["storage"];
  p.expect_map(storage, "storage", {"path"});
  if (!storage["path"]) p.fail(storage, "storage", "missing key 'path'");
  c.storage_path = p.text(storage["path"], "storage.path");
  c.storage_path_at = p.where(storage["path"]);

  if (const YAML::Node ex = root["execution"]) {
    p.expect_map(ex, "execution",
                 {"chunk_size", "evaluation_timeout", "drain_timeout", "progress_interval",
                  "commit_interval", "max_retries", "max_failure_fraction", "per_rank", "scratch",
                  "keep_failed_scratch"});
    if (const YAML::Node v = ex["scratch"]) {
      // Created when the first evaluation needs it: nothing is created before the campaign runs.
      c.execution.scratch = p.text(v, "execution.scratch");
      std::error_code ec;
      if (std::filesystem::exists(c.execution.scratch, ec) &&
          !std::filesystem::is_directory(c.execution.scratch, ec)) {
        p.fail(v, "execution.scratch",
               shown(c.execution.scratch) + " exists and is not a directory");
      }
    }
    if (const YAML::Node v = ex["keep_failed_scratch"]) {
      c.execution.keep_failed_scratch = p.boolean(v, "execution.keep_failed_scratch");
    }
    if (const YAML::Node v = ex["max_retries"]) {
      c.execution.max_retries =
          static_cast<std::uint32_t>(p.integer(v, "execution.max_retries", 0, 100));
    }
    if (const YAML::Node v = ex["per_rank"]) {
      c.execution.per_rank =
          static_cast<std::uint32_t>(p.integer(v, "execution.per_rank", 1, kMaxPerRank));
    }
    if (const YAML::Node v = ex["max_failure_fraction"]) {
      c.execution.max_failure_fraction = p.number(v, "execution.max_failure_fraction");
      if (c.execution.max_failure_fraction <= 0.0 || c.execution.max_failure_fraction > 1.0) {
        p.fail(v, "execution.max_failure_fraction",
               "expected a fraction in (0, 1] (1 = never stop), got " +
                   num(c.execution.max_failure_fraction));
      }
    }
    if (const YAML::Node cs = ex["chunk_size"]) {
      if (cs.IsScalar() && cs.Scalar() == "auto") {
        c.execution.chunk_size = 0;
      } else {
        c.execution.chunk_size = p.integer(cs, "execution.chunk_size", 1, 10'000'000);
      }
    }
    auto seconds = [&](const char* key, double& out, double min, double max) {
      if (const YAML::Node v = ex[key]) {
        out = p.number(v, std::string("execution.") + key);
        if (out < min || out > max) {
          p.fail(v, std::string("execution.") + key,
                 "expected seconds from " + num(min) + " to " + num(max) + ", got " + num(out));
        }
      }
    };
    seconds("evaluation_timeout", c.execution.evaluation_timeout_s, 0.0, 1e7);
    seconds("drain_timeout", c.execution.drain_timeout_s, 0.0, 1e5);
    seconds("progress_interval", c.execution.progress_interval_s, 0.1, 1e5);
    seconds("commit_interval", c.execution.commit_interval_s, 0.01, 3600.0);
  }
}

}  // namespace

CampaignConfig parse_campaign_config(const std::string& yaml_text, const std::string& source,
                                     const models::ModelRegistry& registry) {
  const Parser p(source);
  const YAML::Node root = load_document(p, yaml_text, source);
  CampaignConfig c;
  c.source = source;
  parse_campaign_section(p, root, c);
  const std::unique_ptr<models::Model> model = parse_model_section(p, root, registry, c);
  ColumnNames columns;
  parse_parameters_section(p, root, model->info(), c, columns);
  parse_arms_section(p, root, registry, model->info(), c);
  parse_design_section(p, root, c);
  parse_outputs_section(p, root, model->info(), c, columns);
  parse_convergence_outputs(p, root, c);
  parse_storage_and_execution(p, root, c);
  c.model_spec.workspace.scratch_directory = c.execution.scratch;
  c.model_spec.workspace.keep_failed_scratch = c.execution.keep_failed_scratch;
  return c;
}

void check_store_path(const CampaignConfig& config, bool from_command_line) {
  if (auto problem = storage::store_path_problem(config.storage_path)) {
    throw ConfigError(from_command_line ? "--db: " + *problem
                                        : config.storage_path_at + ": storage.path: " + *problem);
  }
}

std::string read_config_file(const std::string& path) {
  constexpr std::size_t kMaxConfigBytes = 16 * 1024 * 1024;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path + ": is a folder, not a configuration file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the configuration file");
  // Read at most one byte past the limit: a device such as /dev/zero never ends.
  std::string text;
  char buffer[65536];
  while (text.size() <= kMaxConfigBytes && in.read(buffer, sizeof buffer).gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (text.size() > kMaxConfigBytes) {
    throw ConfigError(path + ": the configuration file is larger than 16 MiB");
  }
  if (in.bad()) throw ConfigError(path + ": cannot read the configuration file");
  return text;
}

CampaignConfig load_campaign_config(const std::string& path,
                                    const models::ModelRegistry& registry) {
  return parse_campaign_config(read_config_file(path), path, registry);
}

std::string CampaignConfig::canonical() const {
  std::ostringstream out;
  out << "campaign.name: " << name << '\n';
  out << "campaign.seed: " << seed << '\n';
  out << "campaign.samples: " << samples << '\n';
  out << "campaign.replicates: " << replicates << '\n';
  out << "design: " << (design ? design->describe() : design_spec.method) << '\n';
  out << "model.name: " << model_name << '\n';
  // Version 1 is implied, so that campaigns of models that never changed keep their identity.
  if (model_version != 1) out << "model.version: " << model_version << '\n';
  for (const auto& [k, v] : model_spec.settings)
    out << "model.settings." << k << ": " << num(v) << '\n';
  for (const auto& [k, v] : model_spec.vector_settings) {
    out << "model.settings." << k << ": [";
    for (std::size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << num(v[i]);
    out << "]\n";
  }
  for (const auto& [k, v] : model_spec.options) out << "model.options." << k << ": " << v << '\n';
  for (const auto& [k, v] : model_spec.text_lists) {
    out << "model." << k << ": [";
    for (std::size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
    out << "]\n";
  }
  if (!model_spec.trajectory_times.empty()) {
    out << "model.trajectory_times: [";
    for (std::size_t i = 0; i < model_spec.trajectory_times.size(); ++i) {
      out << (i ? ", " : "") << num(model_spec.trajectory_times[i]);
    }
    out << "]\n";
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const bool dummy =
        std::find(dummies.begin(), dummies.end(), parameters[i].name) != dummies.end();
    out << "parameters." << parameters[i].name << ": #" << i << " "
        << parameters[i].distribution.describe() << (dummy ? " dummy" : "") << '\n';
  }
  out << "outputs: [";
  for (std::size_t i = 0; i < outputs.size(); ++i) out << (i ? ", " : "") << outputs[i];
  out << "]\n";
  // Absent without arms, so that campaigns without arms keep their identity. The position is
  // part of an arm's identity: it numbers the arm's runs.
  for (std::size_t i = 0; i < arms.size(); ++i) {
    out << "arms." << arms[i].name << ": #" << i << " " << arms[i].overrides() << '\n';
  }
  if (convergence) {
    // Which runs a campaign that stops itself keeps depends on its criteria.
    out << "convergence.start: " << convergence->start << '\n';
    out << "convergence.method: " << analysis::stopping_measure_name(convergence->method) << '\n';
    out << "convergence.outputs: [" << text::join(convergence->outputs) << "]\n";
    // With arms only the criteria written are judged, and only they are lines here.
    if (!convergence->contrasts.empty()) {
      out << "convergence.contrasts: [" << text::join(convergence->contrasts) << "]\n";
    }
    if (!convergence->difference.empty()) {
      std::vector<std::string> targets;
      for (const double d : convergence->difference) {
        targets.push_back(std::isnan(d) ? "none"
                                        : text::format_number(d, text::NumberStyle::kShortest));
      }
      out << "convergence.difference: [" << text::join(targets) << "]\n";
    }
    if (convergence->judge_halfwidth) {
      out << "convergence.halfwidth: "
          << text::format_number(convergence->criteria.halfwidth, text::NumberStyle::kShortest)
          << '\n';
    }
    if (convergence->judge_stable_top) {
      out << "convergence.stable_top: " << convergence->criteria.stable_top << '\n';
    }
  }
  return out.str();
}

std::string ArmConfig::overrides() const {
  std::vector<std::string> setting_texts;
  // settings and vector_settings are disjoint; list them together in key order.
  std::map<std::string, std::string> all;
  // The shortest text that reads back to the same number: exact, and readable (0.97).
  const auto shortest = [](double x) {
    return text::format_number(x, text::NumberStyle::kShortest);
  };
  for (const auto& [k, v] : settings) all[k] = shortest(v);
  for (const auto& [k, v] : vector_settings) all[k] = "[" + text::join(v, ", ", shortest) + "]";
  for (const auto& [k, v] : all) setting_texts.push_back(k + ": " + v);
  std::vector<std::string> option_texts;
  for (const auto& [k, v] : options) option_texts.push_back(k + ": " + v);
  std::vector<std::string> parts;
  if (!setting_texts.empty()) parts.push_back("settings: {" + text::join(setting_texts) + "}");
  if (!option_texts.empty()) parts.push_back("options: {" + text::join(option_texts) + "}");
  return "{" + text::join(parts) + "}";
}

models::ModelSpec CampaignConfig::arm_spec(std::size_t arm) const {
  models::ModelSpec spec = model_spec;
  if (arms.empty()) return spec;
  const ArmConfig& a = arms.at(arm);
  for (const auto& [k, v] : a.settings) {
    spec.vector_settings.erase(k);
    spec.settings[k] = v;
  }
  for (const auto& [k, v] : a.vector_settings) {
    spec.settings.erase(k);
    spec.vector_settings[k] = v;
  }
  for (const auto& [k, v] : a.options) spec.options[k] = v;
  return spec;
}

CampaignSetup build_setup(const CampaignConfig& config, const models::ModelRegistry& registry) {
  CampaignSetup s{config.design, sampling::ParameterSpace(config.parameters), {}};
  for (std::uint32_t a = 0; a < config.arm_count(); ++a) {
    ArmSetup arm;
    arm.model = registry.create(config.model_name, config.arm_spec(a));
    const models::ModelInfo& info = arm.model->info();
    for (const auto& p : config.parameters) {
      const auto idx = info.parameter_index(p.name);
      arm.parameter_slots.push_back(idx ? *idx : CampaignSetup::kDummy);
    }
    for (const auto& o : config.outputs) arm.output_slots.push_back(*info.output_index(o));
    for (const auto& p : info.parameters) arm.base_parameters.push_back(p.default_value);
    s.arms.push_back(std::move(arm));
  }
  return s;
}

std::vector<std::string> canonical_diff(const std::string& stored, const std::string& current) {
  auto parse = [](const std::string& text) {
    std::map<std::string, std::string> m;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      const auto colon = line.find(": ");
      if (colon == std::string::npos) continue;
      m[line.substr(0, colon)] = line.substr(colon + 2);
    }
    return m;
  };
  const auto a = parse(stored);
  const auto b = parse(current);
  std::vector<std::string> out;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) {
      out.push_back(k + ": " + v + " -> (absent)");
    } else if (it->second != v) {
      out.push_back(k + ": " + v + " -> " + it->second);
    }
  }
  for (const auto& [k, v] : b) {
    if (!a.count(k)) out.push_back(k + ": (absent) -> " + v);
  }
  return out;
}

std::optional<std::string> model_version_conflict(const std::string& store_path,
                                                  const std::string& stored_model,
                                                  int stored_version,
                                                  const CampaignConfig& config) {
  if (stored_model != config.model_name || stored_version == config.model_version) {
    return std::nullopt;
  }
  const std::string stored = "'" + stored_model + "' version " + std::to_string(stored_version);
  const std::string current =
      "'" + config.model_name + "' version " + std::to_string(config.model_version);
  return store_path + ": its runs were made by model " + stored + "; this tmex evaluates model " +
         current +
         ", whose equations or outputs differ, so the two cannot be mixed in one store. The "
         "stored runs stay readable (tmex status, analyze, export). Use another --db (or "
         "storage.path) to run " +
         current + ".";
}

std::string fnv1a_hex(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace tmex::driver
