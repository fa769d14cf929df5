// parse_external_model(): the external model's YAML keys, read into a ModelSpec.
#include "driver/external_model_config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "driver/errors.hpp"

namespace tmex::driver {

namespace {

[[noreturn]] void fail(const std::string& source, const YAML::Node& at, const std::string& path,
                       const std::string& msg) {
  std::string where = source;
  if (at.IsDefined() && at.Mark().line >= 0) {
    where += ":" + std::to_string(at.Mark().line + 1) + ":" + std::to_string(at.Mark().column + 1);
  }
  throw ConfigError(where + ": " + path + ": " + msg);
}

std::string scalar(const std::string& source, const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) fail(source, n, path, "expected a text value");
  if (n.Scalar().size() > 4096) fail(source, n, path, "too long");
  return n.Scalar();
}

// A list of text; a single text value is a list of one. Empty items only where allowed.
std::vector<std::string> text_list(const std::string& source, const YAML::Node& n,
                                   const std::string& path, bool allow_empty_items) {
  if (n.IsScalar()) return {scalar(source, n, path)};
  if (!n.IsSequence()) fail(source, n, path, "expected a list of text values");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    out.push_back(scalar(source, n[i], item_path));
    if (out.back().empty() && !allow_empty_items) fail(source, n[i], item_path, "is empty");
  }
  return out;
}

}  // namespace

const std::vector<std::string>& external_model_keys() {
  static const std::vector<std::string> keys = {"command",     "args",           "input",
                                                "input_file",  "input_template", "output",
                                                "output_file", "outputs"};
  return keys;
}

void parse_external_model(const YAML::Node& model, const YAML::Node& parameters,
                          const std::string& source, models::ModelSpec& spec) {
  if (model["options"]) {
    fail(source, model["options"], "model.options",
         "model 'external' takes its keys directly under model: (input, output, input_file, "
         "input_template, output_file)");
  }
  if (!model["command"]) {
    fail(source, model, "model", "model 'external' needs command: [program, arguments...]");
  }
  if (!model["outputs"]) {
    fail(source, model, "model",
         "model 'external' needs outputs: [the names of the values the program writes]");
  }
  spec.text_lists["command"] = text_list(source, model["command"], "model.command", true);
  if (spec.text_lists["command"].empty() || spec.text_lists["command"].front().empty()) {
    fail(source, model["command"], "model.command", "the first item must name the program");
  }
  if (model["args"]) spec.text_lists["args"] = text_list(source, model["args"], "model.args", true);
  spec.text_lists["outputs"] = text_list(source, model["outputs"], "model.outputs", false);
  if (spec.text_lists["outputs"].empty()) {
    fail(source, model["outputs"], "model.outputs", "expected at least one output name");
  }
  for (const char* key : {"input", "output", "input_file", "input_template", "output_file"}) {
    if (model[key]) {
      spec.options[key] = scalar(source, model[key], std::string("model.") + key);
      if (spec.options[key].empty()) {
        fail(source, model[key], std::string("model.") + key, "must not be empty");
      }
    }
  }
  // The sampled names, so that the model declares them; dummies reach no model.
  if (parameters.IsMap()) {
    for (const auto& kv : parameters) {
      const YAML::Node& p = kv.second;
      const bool dummy = p.IsMap() && p["dummy"] && p["dummy"].IsScalar() &&
                         (p["dummy"].Scalar() == "true" || p["dummy"].Scalar() == "yes" ||
                          p["dummy"].Scalar() == "on");
      if (kv.first.IsScalar() && !dummy) spec.declared_parameters.push_back(kv.first.Scalar());
    }
  }
  // Paths in the config are relative to the file that names them, as design.file is.
  const std::filesystem::path dir = std::filesystem::path(source).parent_path();
  spec.workspace.base_directory =
      (dir.empty() ? std::filesystem::current_path() : std::filesystem::absolute(dir))
          .lexically_normal()
          .string();
}

}  // namespace tmex::driver
