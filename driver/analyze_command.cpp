// `tmex analyze`: options to a request, the store to a run table, analysis to a report.
#include "driver/analyze_command.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "analysis/analysis_error.hpp"
#include "driver/analysis_input.hpp"
#include "driver/errors.hpp"
#include "driver/gnuplot.hpp"
#include "report/analysis_report.hpp"
#include "report/writers.hpp"
#include "storage/campaign_store.hpp"
#include "text/strings.hpp"

namespace tmex::driver {

namespace {

// The request the options make; every problem a UsageError naming the option.
analysis::AnalysisRequest request_of(const AnalyzeOptions& options) {
  analysis::AnalysisRequest request;
  try {
    if (options.method != "auto") request.method = analysis::parse_method(options.method);
  } catch (const analysis::RequestError& e) {
    throw UsageError(std::string("--method: ") + e.what() + " (or auto)");
  }
  for (const auto& event : options.events) {
    try {
      request.events.push_back(analysis::parse_event(event));
    } catch (const analysis::RequestError& e) {
      throw UsageError(std::string("--") + e.what());
    }
  }
  for (const auto& list : options.outputs) {
    for (auto& name : text::split_list(list)) request.outputs.push_back(std::move(name));
  }
  request.confidence = options.confidence;
  request.bootstrap = options.bootstrap;
  request.seed = options.seed;
  request.scatter = options.scatter || !options.plots_dir.empty();
  request.convergence = options.convergence;
  request.scatter_rows = options.scatter_rows;
  return request;
}

report::Format format_of(const std::string& name) {
  try {
    return report::parse_format(name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--format: ") + e.what());
  }
}

void write(const report::Report& report, report::Format format, const std::string& path) {
  if (path.empty() || path == "-") {
    report::write_report(report, format, std::cout);
    return;
  }
  std::ofstream file(path);
  if (!file) throw UsageError("cannot write --out '" + path + "'");
  report::write_report(report, format, file);
  if (!file.flush()) throw std::runtime_error("error writing '" + path + "'");
}

}  // namespace

analysis::CampaignAnalysis analyze_store(const AnalyzeOptions& options) {
  analysis::AnalysisRequest request = request_of(options);
  if (!std::filesystem::exists(options.db_path)) {
    throw UsageError("'" + options.db_path + "' does not exist");
  }
  std::optional<storage::CampaignStore> store;
  analysis::CampaignInfo campaign;
  std::optional<analysis::CheckpointPath> path;
  try {
    store.emplace(storage::CampaignStore::open_read_only(options.db_path));
    campaign = campaign_info(store->meta(), options.db_path);
    path = checkpoint_path(store->meta(), store->checks());
    // A campaign that stops itself is judged by its own criteria unless others are asked for.
    if (const auto own = stored_convergence_criteria(store->meta())) {
      if (!options.tolerance_given) request.convergence.halfwidth = own->halfwidth;
      if (!options.stable_top_given) request.convergence.stable_top = own->stable_top;
    }
  } catch (const storage::StorageError& e) {
    throw UsageError(e.what());
  }
  if (path && path->converged()) {
    // A campaign that stopped itself is complete with the runs of its last checkpoint.
    campaign.samples = path->checkpoints.back().runs / campaign.replicates;
  }
  analysis::AnalysisPlan plan;
  try {
    plan = analysis::plan_analysis(campaign, request);
  } catch (const analysis::RequestError& e) {
    throw UsageError(e.what());
  }
  const analysis::RunTable runs = read_run_table(*store, plan);
  store.reset();
  analysis::CampaignAnalysis result = analysis::analyse_campaign(campaign, runs, plan);
  result.checkpoints = std::move(path);
  return result;
}

int analyze_command(const AnalyzeOptions& options) {
  const report::Format format = format_of(options.format);
  const report::Report report = report::build_report(analyze_store(options));
  write(report, format, options.out);
  if (!options.plots_dir.empty()) {
    const PlotResult plots = draw_figures(report, options.plots_dir);
    std::fprintf(stderr, "tmex analyze: %s\n", plots.message.c_str());
  }
  return kExitOk;
}

}  // namespace tmex::driver
