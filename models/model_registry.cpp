// The model registry and the helper that applies a ModelSpec to declared parameters.
#include "models/model_registry.hpp"

#include <algorithm>
#include <stdexcept>

#include "text/strings.hpp"

namespace tmex::models {

void ModelRegistry::add(const std::string& name, std::string description, ModelFactory factory) {
  if (!entries_.emplace(name, Entry{std::move(description), std::move(factory)}).second) {
    throw std::logic_error("model '" + name + "' registered twice");
  }
}

std::unique_ptr<Model> ModelRegistry::create(const std::string& name, const ModelSpec& spec) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    throw ModelError("name", "unknown model '" + name + "'; known models: " + text::join(names()));
  }
  return it->second.factory(spec);
}

std::vector<std::string> ModelRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

const std::string& ModelRegistry::description(const std::string& name) const {
  return entries_.at(name).description;
}

std::vector<std::string> apply_spec(ModelInfo& info, const ModelSpec& spec,
                                    const std::vector<std::string>& allowed_vector_settings) {
  for (const auto& [key, value] : spec.settings) {
    auto idx = info.parameter_index(key);
    if (!idx) {
      std::vector<std::string> known;
      for (const auto& p : info.parameters) known.push_back(p.name);
      throw ModelError(key, "model '" + info.name + "' has no parameter '" + key +
                                "'; its parameters are: " + text::join(known));
    }
    info.parameters[*idx].default_value = value;
  }
  for (const auto& [key, value] : spec.vector_settings) {
    if (std::find(allowed_vector_settings.begin(), allowed_vector_settings.end(), key) ==
        allowed_vector_settings.end()) {
      throw ModelError(
          key, "model '" + info.name + "' takes no list setting '" + key + "'" +
                   (allowed_vector_settings.empty()
                        ? std::string()
                        : "; its list settings are: " + text::join(allowed_vector_settings)));
    }
  }
  std::vector<std::string> resolved;
  for (const auto& opt : info.options) resolved.push_back(opt.default_value);
  for (const auto& [key, value] : spec.options) {
    auto it = std::find_if(info.options.begin(), info.options.end(),
                           [&](const OptionInfo& o) { return o.name == key; });
    if (it == info.options.end()) {
      std::vector<std::string> known;
      for (const auto& o : info.options) known.push_back(o.name);
      throw ModelError(key, "model '" + info.name + "' has no option '" + key + "'" +
                                (known.empty() ? std::string(" (it takes no options)")
                                               : "; its options are: " + text::join(known)));
    }
    if (!it->allowed.empty() &&
        std::find(it->allowed.begin(), it->allowed.end(), value) == it->allowed.end()) {
      throw ModelError(key, "option '" + key + "' of model '" + info.name + "' must be one of " +
                                text::join(it->allowed) + ", got '" + value + "'");
    }
    resolved[static_cast<std::size_t>(it - info.options.begin())] = value;
  }
  if (!spec.trajectory_times.empty() && info.trajectory_variables.empty()) {
    throw ModelError("trajectory_times", "model '" + info.name + "' records no trajectories");
  }
  return resolved;
}

}  // namespace tmex::models
