// The `model:` keys of the external model: YAML -> ModelSpec, with file:line:column errors.
#pragma once

#include <string>
#include <vector>

#include "models/model.hpp"

namespace YAML {
class Node;
}

namespace tmex::driver {

/// The keys `model:` takes for the external model besides name and settings.
const std::vector<std::string>& external_model_keys();

/// Reads the external model's keys of the `model` mapping into `spec`: command, args and outputs
/// (spec.text_lists); input, output, input_file, input_template and output_file (spec.options);
/// the names of `parameters` that are not dummies (spec.declared_parameters); and the directory
/// of the config file `source` (spec.workspace.base_directory, against which a relative command
/// path and input_template resolve). The model itself checks the values when it is built.
/// Throws ConfigError "source:line:column: model.KEY: problem".
void parse_external_model(const YAML::Node& model, const YAML::Node& parameters,
                          const std::string& source, models::ModelSpec& spec);

}  // namespace tmex::driver
