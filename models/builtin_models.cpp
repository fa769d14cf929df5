// register_builtin_models(): the one place that lists every built-in model.
#include "models/analytic_models.hpp"
#include "models/emdr_model.hpp"
#include "models/external_model.hpp"
#include "models/faulty_model.hpp"
#include "models/model_registry.hpp"

namespace tmex::models {

void register_builtin_models(ModelRegistry& registry) {
  registry.add("ishigami", "Ishigami-Homma test function (3 inputs, known Sobol' indices)",
               make_ishigami);
  registry.add("sobol_g", "Sobol' g-function (k inputs, known Sobol' indices)", make_sobol_g);
  registry.add("linear", "linear model with optional Gaussian noise (known PCC/SRC)", make_linear);
  registry.add("faulty", "test model whose cost and failures depend on its inputs", make_faulty);
  registry.add("emdr",
               "environment-mediated drug resistance (models/emdr.md): bone-marrow niche "
               "(CAM-DR, SDF-1/CXCR4 retention), IL-6/STAT3/PGE2, mutation; chemotherapy plus "
               "microenvironment-targeting agents, then drug-free follow-up",
               [](const ModelSpec& spec) { return make_emdr(spec); });
  registry.add("external",
               "runs a program for each evaluation (model.command; parameters as JSON on stdin, "
               "arguments or an input file; outputs as JSON on stdout or in a file)",
               make_external);
}

}  // namespace tmex::models
