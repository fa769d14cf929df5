// The external model: spec validation, per-evaluation scratch directories, input rendering,
// running the program (models/subprocess.*) and reading its JSON outputs.
#include "models/external_model.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "models/model_registry.hpp"
#include "models/subprocess.hpp"
#include "models/text_template.hpp"
#include "text/strings.hpp"

namespace tmex::models {

namespace fs = std::filesystem;

namespace {

enum class InputMode { kJson, kArgs, kFile };
enum class OutputMode { kJson, kFile };

// Placeholders besides the parameters, in this order after them.
const std::vector<std::string> kContextNames = {"sample", "replicate", "seed", "scratch",
                                                "config_dir"};
// Longest stderr tail quoted in a failure reason (the store groups failures by reason).
constexpr std::size_t kReasonStderrChars = 400;
constexpr std::size_t kMaxOutputFileBytes = 16 * 1024 * 1024;

// Printable, single-line text of at most `limit` characters: the end of `text` when cut.
std::string printable_tail(const std::string& text, std::size_t limit) {
  std::string flat;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      flat += " | ";
    } else if (u >= 0x20 && u != 0x7f) {
      flat += c;
    } else if (c == '\t') {
      flat += ' ';
    }
  }
  while (!flat.empty() && (flat.back() == ' ' || flat.back() == '|')) flat.pop_back();
  while (!flat.empty() && (flat.front() == ' ' || flat.front() == '|')) flat.erase(0, 1);
  if (flat.size() > limit) flat = "..." + flat.substr(flat.size() - limit);
  return flat;
}

std::string printable_head(const std::string& text, std::size_t limit) {
  std::string head = printable_tail(text.substr(0, limit), limit);
  if (text.size() > limit) head += "...";
  return head;
}

// A file name inside the scratch directory: relative, no "..".
void check_scratch_name(const std::string& key, const std::string& name) {
  const fs::path p(name);
  bool up = false;
  for (const auto& part : p) up = up || part == "..";
  if (name.empty() || p.is_absolute() || up || p.filename().empty()) {
    throw ModelError(key, "model 'external': " + key +
                              " must name a file inside the evaluation's "
                              "scratch directory (a relative path "
                              "without '..'), got '" +
                              name + "'");
  }
}

std::string read_small_file(const fs::path& path, std::size_t limit, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read '" + path.string() + "'";
    return {};
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > limit) {
      error = "'" + path.string() + "' is larger than " + std::to_string(limit) + " bytes";
      return {};
    }
  }
  return text;
}

// Python's json module writes NaN, Infinity and -Infinity, which JSON lacks: outside strings
// they become the strings "NaN", "Infinity", "-Infinity", reported below as non-finite values.
std::string quote_non_finite_literals(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool replaced = false;
    for (const char* literal : {"-Infinity", "Infinity", "NaN"}) {
      const std::size_t n = std::strlen(literal);
      if (text.compare(i, n, literal) == 0) {
        out += '"';
        out += literal;
        out += '"';
        i += n - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

// The strings a program may write for a NaN or an infinity; false for any other text.
bool non_finite_value(const std::string& text, double& value) {
  if (text == "NaN" || text == "nan") {
    value = std::nan("");
  } else if (text == "Infinity" || text == "inf") {
    value = HUGE_VAL;
  } else if (text == "-Infinity" || text == "-inf") {
    value = -HUGE_VAL;
  } else {
    return false;
  }
  return true;
}

// A new directory per evaluation; removed on destruction unless kept.
class ScratchDirectory {
 public:
  ScratchDirectory(const fs::path& root, const EvalContext& ctx) {
    const std::string pattern = (root / ("tmex-s" + std::to_string(ctx.sample) + "-r" +
                                         std::to_string(ctx.replicate) + "-XXXXXX"))
                                    .string();
    std::vector<char> name;
    auto make = [&] {
      name.assign(pattern.begin(), pattern.end());
      name.push_back('\0');
      return ::mkdtemp(name.data()) != nullptr;
    };
    bool made = make();
    if (!made && errno == ENOENT) {
      std::error_code ec;
      fs::create_directories(root, ec);
      made = make();
    }
    if (!made) {
      throw std::runtime_error("cannot create a scratch directory in '" + root.string() +
                               "': " + std::strerror(errno));
    }
    path_ = name.data();
  }
  ~ScratchDirectory() {
    if (keep_) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const fs::path& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  fs::path path_;
  bool keep_ = false;
};

class External final : public Model {
 public:
  explicit External(const ModelSpec& spec) {
    info_.name = "external";
    info_.description = "a program run for each evaluation";
    info_.options = {
        {"input", "json", {"json", "args", "file"}, "how parameters reach the program"},
        {"output", "json", {"json", "file"}, "where the program writes its JSON outputs"},
        {"input_file", "", {}, "input: file: the file rendered in the scratch directory"},
        {"input_template", "", {}, "input: file: the template file with {name} placeholders"},
        {"output_file", "", {}, "output: file: the JSON file the program writes"}};
    for (const auto& [key, list] : spec.text_lists) {
      if (key != "command" && key != "args" && key != "outputs") {
        throw ModelError(key, "model 'external' takes no list '" + key +
                                  "'; its lists are: command, args, outputs");
      }
    }
    const auto command = spec.text_lists.find("command");
    if (command == spec.text_lists.end()) {
      if (!spec.text_lists.empty() || !spec.options.empty() || !spec.settings.empty() ||
          !spec.declared_parameters.empty()) {
        throw ModelError("command", "model 'external' needs a command: [program, args...]");
      }
      return;  // unconfigured: listed by `tmex models`, every evaluation fails
    }
    configured_ = true;

    // Parameters: the sampled ones, then the fixed ones (settings).
    std::set<std::string> names;
    auto declare = [&](const std::string& name, const std::string& description) {
      if (!text::is_identifier(name)) {
        throw ModelError(name, "model 'external': parameter name '" + name +
                                   "' must be a letter or _ followed by letters, digits or _");
      }
      if (std::find(kContextNames.begin(), kContextNames.end(), name) != kContextNames.end()) {
        throw ModelError(name, "model 'external': parameter name '" + name +
                                   "' is taken by a placeholder (" + text::join(kContextNames) +
                                   ")");
      }
      if (!names.insert(name).second) {
        throw ModelError(name, "model 'external': parameter '" + name +
                                   "' is both sampled and fixed in settings; keep one");
      }
      info_.parameters.push_back({name, std::nan(""), "", description});
    };
    for (const auto& name : spec.declared_parameters) declare(name, "sampled by the campaign");
    for (const auto& [name, value] : spec.settings) declare(name, "fixed in model.settings");
    const std::vector<std::string> options = apply_spec(info_, spec);

    const auto outputs = spec.text_lists.find("outputs");
    if (outputs == spec.text_lists.end() || outputs->second.empty()) {
      throw ModelError("outputs", "model 'external' needs outputs: [names the program writes]");
    }
    std::set<std::string> seen_outputs;
    for (const auto& name : outputs->second) {
      if (!text::is_identifier(name)) {
        throw ModelError("outputs", "model 'external': output name '" + name +
                                        "' must be a letter or _ followed by letters, digits "
                                        "or _");
      }
      std::string folded = name;
      for (char& ch : folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (!seen_outputs.insert(folded).second) {
        // Outputs become store columns, whose names SQLite compares without regard to case.
        throw ModelError("outputs", "model 'external': output '" + name +
                                        "' is listed twice (names that differ only in case are "
                                        "the same column in the store)");
      }
      info_.outputs.push_back({name, "", "written by the program"});
    }

    base_directory_ = spec.workspace.base_directory.empty()
                          ? fs::current_path()
                          : fs::absolute(spec.workspace.base_directory).lexically_normal();
    scratch_root_ = spec.workspace.scratch_directory.empty()
                        ? fs::temp_directory_path()
                        : fs::absolute(spec.workspace.scratch_directory).lexically_normal();
    keep_failed_scratch_ = spec.workspace.keep_failed_scratch;

    for (const auto& p : info_.parameters) placeholder_names_.push_back(p.name);
    placeholder_names_.insert(placeholder_names_.end(), kContextNames.begin(), kContextNames.end());

    if (command->second.empty()) {
      throw ModelError("command", "model 'external': command must name a program");
    }
    program_ = find_program(command->second.front(), base_directory_.string());
    std::vector<bool> used(placeholder_names_.size(), false);
    auto add_templates = [&](const std::string& key, auto first, auto last) {
      for (auto it = first; it != last; ++it) {
        try {
          arguments_.emplace_back(*it, placeholder_names_);
        } catch (const std::invalid_argument& e) {
          throw ModelError(key, "model 'external': " + key + ": '" + *it + "': " + e.what());
        }
        for (std::size_t i = 0; i < used.size(); ++i)
          used[i] = used[i] || arguments_.back().uses(i);
      }
    };
    add_templates("command", command->second.begin() + 1, command->second.end());
    if (const auto args = spec.text_lists.find("args"); args != spec.text_lists.end()) {
      add_templates("args", args->second.begin(), args->second.end());
    }

    const std::string& input = options[0];
    const std::string& output = options[1];
    input_ = input == "json"   ? InputMode::kJson
             : input == "args" ? InputMode::kArgs
                               : InputMode::kFile;
    output_ = output == "json" ? OutputMode::kJson : OutputMode::kFile;
    input_file_ = options[2];
    const std::string& template_path = options[3];
    output_file_ = options[4];
    if (input_ == InputMode::kFile) {
      if (input_file_.empty()) {
        throw ModelError("input",
                         "model 'external': input: file needs input_file (the file to "
                         "write in the scratch directory)");
      }
      if (template_path.empty()) {
        throw ModelError("input",
                         "model 'external': input: file needs input_template (a file "
                         "with {name} placeholders)");
      }
      check_scratch_name("input_file", input_file_);
      fs::path path(template_path);
      if (path.is_relative()) path = base_directory_ / path;
      std::string error;
      const std::string text = read_small_file(path, kMaxOutputFileBytes, error);
      if (!error.empty()) throw ModelError("input_template", "model 'external': " + error);
      try {
        input_template_ = TextTemplate(text, placeholder_names_);
      } catch (const std::invalid_argument& e) {
        throw ModelError("input_template",
                         "model 'external': input_template '" + path.string() + "': " + e.what());
      }
      for (std::size_t i = 0; i < used.size(); ++i) used[i] = used[i] || input_template_.uses(i);
    } else {
      if (!input_file_.empty()) {
        throw ModelError("input_file", "model 'external': input_file needs input: file");
      }
      if (!template_path.empty()) {
        throw ModelError("input_template", "model 'external': input_template needs input: file");
      }
    }
    if (output_ == OutputMode::kFile) {
      if (output_file_.empty()) {
        throw ModelError("output",
                         "model 'external': output: file needs output_file (the JSON "
                         "file the program writes in its scratch directory)");
      }
      check_scratch_name("output_file", output_file_);
    } else if (!output_file_.empty()) {
      throw ModelError("output_file", "model 'external': output_file needs output: file");
    }
    if (input_ != InputMode::kJson) {
      // A parameter that reaches no template never reaches the program: almost surely a typo.
      for (std::size_t i = 0; i < info_.parameters.size(); ++i) {
        if (!used[i]) {
          const std::string where =
              input_ == InputMode::kArgs ? "command or args" : "input_template";
          throw ModelError(input_ == InputMode::kArgs ? "args" : "input_template",
                           "model 'external': parameter '" + info_.parameters[i].name +
                               "' appears in no placeholder of " + where +
                               ", so the program would never see it");
        }
      }
    }
  }

  const ModelInfo& info() const override { return info_; }

  void evaluate(std::span<const double> parameters, const EvalContext& ctx,
                EvalResult& r) const override {
    r.outputs.assign(info_.outputs.size(), std::nan(""));
    if (!configured_) {
      r.fail(EvalStatus::kException, "model 'external' has no command (set model.command)");
      return;
    }
    if (ctx.past_deadline()) {
      r.fail(EvalStatus::kTimeout, "the deadline passed before the program started");
      return;
    }
    std::optional<ScratchDirectory> scratch;
    try {
      scratch.emplace(scratch_root_, ctx);
    } catch (const std::exception& e) {
      r.fail(EvalStatus::kException, e.what());
      return;
    }
    std::vector<std::string> values;
    for (double v : parameters) values.push_back(shortest_decimal(v));
    values.push_back(std::to_string(ctx.sample));
    values.push_back(std::to_string(ctx.replicate));
    values.push_back(std::to_string(ctx.stream_seed));
    values.push_back(scratch->path().string());
    values.push_back(base_directory_.string());

    ProcessRequest request;
    request.program = program_;
    for (const auto& t : arguments_) request.arguments.push_back(t.render(values));
    request.environment = {
        "TMEX_SAMPLE=" + values[values.size() - 5], "TMEX_REPLICATE=" + values[values.size() - 4],
        "TMEX_SEED=" + values[values.size() - 3], "TMEX_SCRATCH=" + values[values.size() - 2],
        "TMEX_CONFIG_DIR=" + values[values.size() - 1]};
    request.working_directory = scratch->path().string();
    request.deadline = ctx.deadline;
    if (input_ == InputMode::kJson) {
      // As nlohmann::json::dump() writes an object, in declaration order and in one pass
      // (ordered_json looks keys up linearly); names are identifiers, which need no escaping.
      std::string input = "{";
      for (std::size_t i = 0; i < info_.parameters.size(); ++i) {
        input += (i ? ",\"" : "\"") + info_.parameters[i].name +
                 "\":" + nlohmann::json(parameters[i]).dump();
      }
      request.standard_input = input + "}\n";
    } else if (input_ == InputMode::kFile) {
      const fs::path path = scratch->path() / input_file_;
      std::error_code ec;
      fs::create_directories(path.parent_path(), ec);
      std::ofstream file(path, std::ios::binary);
      file << input_template_.render(values);
      file.close();
      if (!file) {
        fail(r, *scratch, EvalStatus::kException,
             "cannot write input file '" + path.string() + "'");
        return;
      }
    }

    ProcessOutcome outcome;
    try {
      outcome = run_process(request);
    } catch (const ProcessStartError& e) {
      fail(r, *scratch, EvalStatus::kException, e.what());
      return;
    }
    const std::string elapsed = shortest_decimal(std::round(outcome.elapsed_s * 1e3) / 1e3);
    switch (outcome.end) {
      case ProcessOutcome::End::kTimedOut:
        fail(r, *scratch, EvalStatus::kTimeout,
             "program still running at the deadline after " + elapsed +
                 " s; its process group was killed",
             outcome.stderr_tail);
        return;
      case ProcessOutcome::End::kSignalled:
        fail(r, *scratch, EvalStatus::kException,
             "program killed by " + signal_name(outcome.signal), outcome.stderr_tail);
        return;
      case ProcessOutcome::End::kExited:
        if (outcome.exit_code != 0) {
          fail(r, *scratch, EvalStatus::kException,
               "program exited with status " + std::to_string(outcome.exit_code),
               outcome.stderr_tail);
          return;
        }
        break;
    }
    std::string text;
    std::string source = "standard output";
    if (output_ == OutputMode::kJson) {
      if (outcome.stdout_overflow) {
        fail(r, *scratch, EvalStatus::kException,
             "program wrote more than " + std::to_string(kMaxOutputFileBytes) +
                 " bytes on standard output",
             outcome.stderr_tail);
        return;
      }
      text = std::move(outcome.standard_output);
    } else {
      const fs::path path = scratch->path() / output_file_;
      source = "output file '" + output_file_ + "'";
      if (!fs::exists(path)) {
        fail(r, *scratch, EvalStatus::kException, "program wrote no " + source,
             outcome.stderr_tail);
        return;
      }
      std::string error;
      text = read_small_file(path, kMaxOutputFileBytes, error);
      if (!error.empty()) {
        fail(r, *scratch, EvalStatus::kException, error, outcome.stderr_tail);
        return;
      }
    }
    read_outputs(text, source, r);
    if (r.status != EvalStatus::kOk) {
      if (r.status == EvalStatus::kException) r.reason = with_stderr(r.reason, outcome.stderr_tail);
      if (keep_failed_scratch_) {
        scratch->keep();
        r.reason += " (scratch kept: " + scratch->path().string() + ")";
      }
    }
  }

 private:
  static std::string with_stderr(const std::string& reason, const std::string& stderr_tail) {
    const std::string tail = printable_tail(stderr_tail, kReasonStderrChars);
    return tail.empty() ? reason : reason + "; stderr: " + tail;
  }

  void fail(EvalResult& r, ScratchDirectory& scratch, EvalStatus status, const std::string& why,
            const std::string& stderr_tail = {}) const {
    std::string reason = with_stderr(why, stderr_tail);
    if (keep_failed_scratch_) {
      scratch.keep();
      reason += " (scratch kept: " + scratch.path().string() + ")";
    }
    r.fail(status, std::move(reason));
  }

  // Fills r.outputs from a JSON object, or fails r naming the problem.
  void read_outputs(const std::string& text, const std::string& source, EvalResult& r) const {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      r.fail(EvalStatus::kException, "program wrote nothing on " + source +
                                         " (expected a JSON object with " + output_names() + ")");
      return;
    }
    // nlohmann::json (a std::map per object): O(n log n) in the keys; ordered_json looks keys
    // up linearly and took 11 s per evaluation at 80,000 keys.
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(quote_non_finite_literals(text));
    } catch (const nlohmann::json::exception& e) {
      r.fail(EvalStatus::kException, source + " is not valid JSON (" + e.what() +
                                         "); it begins: " + printable_head(text, 80));
      return;
    }
    if (!object.is_object()) {
      r.fail(EvalStatus::kException,
             source + " is JSON but not an object (got " + std::string(object.type_name()) + ")");
      return;
    }
    std::vector<std::string> missing;
    for (const auto& o : info_.outputs) {
      if (!object.contains(o.name)) missing.push_back(o.name);
    }
    if (!missing.empty()) {
      // Bounded: a program may write any number of keys, and the reason is stored per run.
      constexpr std::size_t kKeysShown = 20;
      std::vector<std::string> present;
      for (const auto& item : object.items()) {
        if (present.size() == kKeysShown) break;
        present.push_back(printable_head(item.key(), 40));
      }
      std::string has = present.empty() ? std::string("no keys") : text::join(present);
      if (object.size() > kKeysShown) {
        has += ", ... (" + std::to_string(object.size()) + " keys in all)";
      }
      if (missing.size() > kKeysShown) {
        const std::size_t more = missing.size() - kKeysShown;
        missing.resize(kKeysShown);
        missing.push_back("... (" + std::to_string(more) + " more)");
      }
      r.fail(EvalStatus::kException,
             "declared output" + std::string(missing.size() > 1 ? "s " : " ") +
                 text::join(missing) + " missing from " + source + " (it has: " + has + ")");
      return;
    }
    std::string non_finite;
    for (std::size_t i = 0; i < info_.outputs.size(); ++i) {
      const std::string& name = info_.outputs[i].name;
      const nlohmann::json& v = object[name];
      double value = std::nan("");
      if (v.is_number()) {
        value = v.get<double>();
      } else if (v.is_boolean()) {
        value = v.get<bool>() ? 1.0 : 0.0;
      } else if (v.is_string() && non_finite_value(v.get<std::string>(), value)) {
        // value set: a NaN or infinity written as text
      } else {
        r.fail(EvalStatus::kException, "output '" + name + "' in " + source +
                                           " is not a number (got " + printable_head(v.dump(), 60) +
                                           ")");
        return;
      }
      r.outputs[i] = value;
      if (!std::isfinite(value) && non_finite.empty()) {
        non_finite = "output '" + name + "' is " + (std::isnan(value) ? "NaN" : "infinite");
      }
    }
    if (!non_finite.empty()) r.fail(EvalStatus::kNonFinite, non_finite);
  }

  std::string output_names() const {
    std::vector<std::string> names;
    for (const auto& o : info_.outputs) names.push_back(o.name);
    return text::join(names);
  }

  ModelInfo info_;
  bool configured_ = false;
  fs::path base_directory_;
  fs::path scratch_root_;
  bool keep_failed_scratch_ = false;
  std::string program_;
  std::vector<std::string> placeholder_names_;
  std::vector<TextTemplate> arguments_;
  InputMode input_ = InputMode::kJson;
  OutputMode output_ = OutputMode::kJson;
  std::string input_file_;
  std::string output_file_;
  TextTemplate input_template_;
};

}  // namespace

std::string find_program(const std::string& name, const std::string& base_directory) {
  if (name.empty()) throw ModelError("command", "model 'external': the program name is empty");
  auto check = [&](const fs::path& path) -> std::string {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) {
      throw ModelError("command", "model 'external': program '" + name + "' not found (no file '" +
                                      path.string() + "')");
    }
    if (fs::is_directory(status)) {
      throw ModelError("command",
                       "model 'external': program '" + path.string() + "' is a directory");
    }
    if (::access(path.c_str(), X_OK) != 0) {
      throw ModelError("command", "model 'external': program '" + path.string() +
                                      "' is not executable (chmod +x it, or put its "
                                      "interpreter first: command: [python3, script.py])");
    }
    return path.string();
  };
  if (name.find('/') != std::string::npos) {
    fs::path path(name);
    if (path.is_relative()) {
      path = (base_directory.empty() ? fs::current_path() : fs::path(base_directory)) / path;
    }
    return check(fs::absolute(path).lexically_normal());
  }
  if (auto found = find_on_path(name)) return *found;
  std::string hint;
  std::error_code ec;
  if (!base_directory.empty() && fs::exists(fs::path(base_directory) / name, ec)) {
    hint = "; did you mean ./" + name + "? (a name without '/' is looked for on PATH only)";
  }
  throw ModelError("command", "model 'external': program '" + name + "' not found on PATH (" +
                                  search_path() + ")" + hint);
}

std::unique_ptr<Model> make_external(const ModelSpec& spec) {
  return std::make_unique<External>(spec);
}

}  // namespace tmex::models
