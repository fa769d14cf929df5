// The name -> factory registry of models, filled by an explicit register_builtin_models() call.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/model.hpp"

namespace tmex::models {

/// Builds a model from its spec; throws ModelError for an invalid spec.
using ModelFactory = std::function<std::unique_ptr<Model>(const ModelSpec&)>;

class ModelRegistry {
 public:
  /// Adds a factory; throws std::logic_error if the name is taken.
  void add(const std::string& name, std::string description, ModelFactory factory);

  /// Builds the named model. Throws ModelError (key "name") for an unknown name, listing the
  /// known ones, and whatever the factory throws for a bad spec.
  std::unique_ptr<Model> create(const std::string& name, const ModelSpec& spec) const;

  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  std::vector<std::string> names() const;
  const std::string& description(const std::string& name) const;

 private:
  struct Entry {
    std::string description;
    ModelFactory factory;
  };
  std::map<std::string, Entry> entries_;
};

/// Registers every built-in model (ishigami, sobol_g, linear, emdr, ...).
void register_builtin_models(ModelRegistry& registry);

/// Helpers for factories: consume a spec's settings against declared parameters.
/// Applies scalar settings to `info.parameters` defaults; throws ModelError for a setting that
/// names no parameter (listing the known ones), and for unknown options or option values.
/// Returns the resolved option values (defaults filled in), in info.options order.
std::vector<std::string> apply_spec(ModelInfo& info, const ModelSpec& spec,
                                    const std::vector<std::string>& allowed_vector_settings = {});

}  // namespace tmex::models
