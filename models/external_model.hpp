// `external`: a model that runs a program for each evaluation (any simulator, no C++).
#pragma once

#include <memory>
#include <string>

#include "models/model.hpp"

namespace tmex::models {

/// The external model, configured by a ModelSpec:
///   text_lists["command"]  program and fixed arguments (required); arguments are templates
///   text_lists["args"]     more argument templates, appended (optional)
///   text_lists["outputs"]  declared output names (required)
///   options["input"]       json (parameters as a JSON object on stdin), args (placeholders in
///                          the arguments only), file (input_template rendered to input_file)
///   options["output"]      json (a JSON object on stdout) or file (JSON object in output_file)
///   options["input_file"], options["input_template"], options["output_file"]
///   declared_parameters    the sampled parameters; settings keys add fixed ones
///   workspace              where relative paths resolve and evaluations get their scratch
/// Placeholders: every parameter, sample, replicate, seed, scratch, config_dir. Throws
/// ModelError (key = the offending spec key) for a bad spec, a missing or non-executable
/// program included. Built from a spec without `command` (as `tmex models` does) it declares
/// nothing and every evaluation fails.
///
/// Each evaluation runs the program in a new directory under the scratch directory, with
/// TMEX_SAMPLE, TMEX_REPLICATE, TMEX_SEED, TMEX_SCRATCH and TMEX_CONFIG_DIR set, in its own
/// process group, killed at the deadline (status timeout). A non-zero exit, a signal, output
/// that is not a JSON object, a missing declared output or a non-numeric value fail the run
/// (status exception, with the tail of the program's stderr); a NaN or infinite value gives
/// non_finite. evaluate() is thread-safe.
std::unique_ptr<Model> make_external(const ModelSpec& spec);

/// The executable a command's first element names: a path containing '/' (relative ones resolve
/// against `base_directory`) or a name searched on PATH. Returns an absolute path; throws
/// ModelError (key "command") saying why when there is none or it is not executable.
std::string find_program(const std::string& name, const std::string& base_directory);

}  // namespace tmex::models
