// The cost of the external model per evaluation: launching a trivial program (an ELF binary,
// a shell script reading JSON on stdin) against an in-process C++ model.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "models/external_model.hpp"
#include "models/model_registry.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tmex::models;

// A directory with the trivial programs, removed at exit.
struct Programs {
  Programs() {
    char name[] = "/tmp/tmex-external-bench-XXXXXX";
    dir = ::mkdtemp(name);
    std::ofstream(dir / "json.sh") << "#!/bin/sh\ncat >/dev/null\necho '{\"y\": 1}'\n";
    fs::permissions(dir / "json.sh", fs::perms::owner_all);
  }
  ~Programs() { fs::remove_all(dir); }
  fs::path dir;
};

Programs& programs() {
  static Programs p;
  return p;
}

ModelSpec base_spec() {
  ModelSpec s;
  s.declared_parameters = {"x"};
  s.text_lists["outputs"] = {"y"};
  s.workspace.base_directory = programs().dir.string();
  s.workspace.scratch_directory = (programs().dir / "scratch").string();
  return s;
}

void run(benchmark::State& state, const Model& model) {
  EvalContext ctx;
  EvalResult r;
  const double x[] = {0.5};
  for (auto _ : state) {
    model.evaluate(x, ctx, r);
    if (r.status != EvalStatus::kOk) {
      state.SkipWithError(r.reason.c_str());
      break;
    }
    ++ctx.sample;
  }
  state.SetItemsProcessed(state.iterations());
}

// /bin/echo as the model: spawn, scratch directory, pipes, JSON parse; no interpreter.
void BM_ExternalEchoBinary(benchmark::State& state) {
  ModelSpec s = base_spec();
  s.text_lists["command"] = {"/bin/echo", "{\"y\": {x}}"};
  s.options["input"] = "args";
  static const auto model = make_external(s);
  run(state, *model);
}
BENCHMARK(BM_ExternalEchoBinary)->UseRealTime()->Threads(1)->Threads(2);

// A shell script reading the JSON parameters on stdin and printing JSON.
void BM_ExternalShellScript(benchmark::State& state) {
  ModelSpec s = base_spec();
  s.text_lists["command"] = {"./json.sh"};
  static const auto model = make_external(s);
  run(state, *model);
}
BENCHMARK(BM_ExternalShellScript)->UseRealTime()->Threads(1)->Threads(2);

// The same kind of trivial model in process, for comparison.
void BM_InProcessLinearModel(benchmark::State& state) {
  ModelRegistry registry;
  register_builtin_models(registry);
  ModelSpec s;
  s.vector_settings["coefficients"] = {1.0};
  const auto model = registry.create("linear", s);
  std::vector<double> p;
  for (const auto& info : model->info().parameters) p.push_back(info.default_value);
  EvalContext ctx;
  EvalResult r;
  for (auto _ : state) {
    model->evaluate(p, ctx, r);
    benchmark::DoNotOptimize(r.outputs.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InProcessLinearModel);

}  // namespace

BENCHMARK_MAIN();
