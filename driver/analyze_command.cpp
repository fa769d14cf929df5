// `tmex analyze` and `tmex compare`: options to requests, stores to run tables, analyses to
// reports.
#include "driver/analyze_command.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "analysis/analysis_error.hpp"
#include "driver/analysis_input.hpp"
#include "driver/campaign_config.hpp"
#include "driver/errors.hpp"
#include "driver/gnuplot.hpp"
#include "driver/output_file.hpp"
#include "report/analysis_report.hpp"
#include "report/arms_report.hpp"
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

// The contrast request the options make: the analysis request's outputs and intervals, the
// contrasts and directions asked for.
analysis::ContrastRequest contrast_request_of(const AnalyzeOptions& options,
                                              const analysis::AnalysisRequest& request) {
  analysis::ContrastRequest c;
  c.contrasts = options.contrasts;
  c.outputs = request.outputs;
  c.confidence = request.confidence;
  c.bootstrap = request.bootstrap;
  c.seed = request.seed;
  c.scatter_points = options.scatter_rows;
  for (const auto& text : options.better) {
    const auto eq = text.find('=');
    try {
      if (eq == std::string::npos) {
        const std::string direction = text::trim(text);
        if (direction.empty()) throw analysis::RequestError("expected lower or higher");
        if (c.better) throw analysis::RequestError("a direction for every output is given twice");
        c.better = analysis::parse_direction(direction);
      } else {
        const std::string output = text::trim(text.substr(0, eq));
        const std::string direction = text::trim(text.substr(eq + 1));
        if (output.empty() || direction.empty()) {
          throw analysis::RequestError("expected OUTPUT=lower or OUTPUT=higher");
        }
        c.better_outputs.emplace_back(output, analysis::parse_direction(direction));
      }
    } catch (const analysis::RequestError& e) {
      throw UsageError("--better '" + text + "': " + e.what());
    }
  }
  for (const auto& text : options.margins) {
    const auto eq = text.find('=');
    const std::string output = eq == std::string::npos ? "" : text::trim(text.substr(0, eq));
    const std::string number = text::trim(eq == std::string::npos ? text : text.substr(eq + 1));
    double value = 0.0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
        !std::isfinite(value) || value < 0.0 || (eq != std::string::npos && output.empty())) {
      throw UsageError("--margin '" + text +
                       "': expected a number >= 0, or OUTPUT=NUMBER, e.g. "
                       "--margin log10_residual_burden=0.1");
    }
    if (eq == std::string::npos) {
      if (c.margin)
        throw UsageError("--margin '" + text + "': a margin for every output is given twice");
      c.margin = value;
    } else {
      c.margin_outputs.emplace_back(output, value);
    }
  }
  return c;
}

report::Format format_of(const std::string& name) {
  try {
    return report::parse_format(name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--format: ") + e.what());
  }
}

// Through OutputFile, as `tmex report` writes: a failed write leaves no half file at `path`.
void write(const report::Report& report, report::Format format, const std::string& path) {
  OutputFile file(path);
  report::write_report(report, format, file.stream());
  file.commit();
}

// The report to options.out in options.format, and its figures to options.plots_dir.
int write_outputs(const report::Report& report, const AnalyzeOptions& options,
                  const char* command) {
  write(report, format_of(options.format), options.out);
  if (!options.plots_dir.empty()) {
    const PlotResult plots = draw_figures(report, options.plots_dir);
    std::fprintf(stderr, "tmex %s: %s\n", command, plots.message.c_str());
  }
  return kExitOk;
}

// A store opened read-only and described for the analysis; UsageError when it cannot be.
struct OpenedStore {
  std::optional<storage::CampaignStore> store;
  analysis::CampaignInfo campaign;
  /// The checks of a campaign that stops itself (nullopt for another campaign).
  std::optional<analysis::CheckpointPath> checkpoints;
};

// The store at `path`; for a campaign that stops itself its checks, the request judged by the
// campaign's own criteria unless `options` give others, and, once it converged, the campaign
// as the runs of its last checkpoint.
OpenedStore open_store(const std::string& path, const AnalyzeOptions& options,
                       analysis::AnalysisRequest* request = nullptr) {
  if (!std::filesystem::exists(path)) throw UsageError("'" + path + "' does not exist");
  OpenedStore s;
  try {
    s.store.emplace(storage::CampaignStore::open_read_only(path));
    s.campaign = campaign_info(s.store->meta(), path);
    s.checkpoints = checkpoint_path(s.store->meta(), s.store->checks());
    const auto own = stored_convergence_criteria(s.store->meta());
    if (own && request) {
      if (!options.tolerance_given) request->convergence.halfwidth = own->halfwidth;
      if (!options.stable_top_given) request->convergence.stable_top = own->stable_top;
    }
  } catch (const storage::StorageError& e) {
    throw UsageError(e.what());
  }
  if (s.checkpoints && s.checkpoints->converged()) {
    // A campaign that stopped itself is complete with the runs of its last checkpoint.
    s.campaign.samples = s.checkpoints->checkpoints.back().runs /
                         (s.campaign.replicates * std::max<std::size_t>(1, s.campaign.arms.size()));
  }
  return s;
}

analysis::AnalysisPlan plan_of(const analysis::CampaignInfo& campaign,
                               const analysis::AnalysisRequest& request) {
  try {
    return analysis::plan_analysis(campaign, request);
  } catch (const analysis::RequestError& e) {
    throw UsageError(e.what());
  }
}

analysis::ContrastPlan contrast_plan_of(const analysis::CampaignInfo& campaign,
                                        const analysis::ContrastRequest& request) {
  try {
    return analysis::plan_contrasts(campaign, request);
  } catch (const analysis::RequestError& e) {
    throw UsageError(e.what());
  }
}

// What `b` (a store compared with `a`) differs in, as "what: a's -> b's" lines; empty when
// the two hold the same samples of the same model.
std::vector<std::string> sample_differences(const storage::CampaignMeta& a,
                                            const storage::CampaignMeta& b) {
  std::vector<std::string> out;
  const auto differ = [&](const std::string& what, const std::string& x, const std::string& y) {
    if (x != y) out.push_back(what + ": " + x + " -> " + y);
  };
  differ("model", a.model, b.model);
  differ("model version", std::to_string(a.model_version), std::to_string(b.model_version));
  differ("seed", std::to_string(a.seed), std::to_string(b.seed));
  differ("samples", std::to_string(a.samples), std::to_string(b.samples));
  differ("replicates", std::to_string(a.replicates), std::to_string(b.replicates));
  differ("design", a.design, b.design);
  const auto parameters = [](const storage::CampaignMeta& m) {
    std::vector<std::string> p;
    for (const auto& c : m.parameters) {
      p.push_back(c.name + " " + c.distribution + (c.dummy ? " dummy" : ""));
    }
    return p;
  };
  const auto pa = parameters(a), pb = parameters(b);
  for (std::size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    differ("parameter " + std::to_string(i + 1), i < pa.size() ? pa[i] : "(none)",
           i < pb.size() ? pb[i] : "(none)");
  }
  return out;
}

// An arm's name per store: the campaign names where they differ, else the file names without
// their extension, else store1, store2, ...
std::vector<std::string> arm_names(const std::vector<std::string>& paths,
                                   const std::vector<storage::CampaignMeta>& metas) {
  const auto distinct_names = [](const std::vector<std::string>& names) {
    const std::set<std::string> unique(names.begin(), names.end());
    return unique.size() == names.size() &&
           std::all_of(names.begin(), names.end(), [](const std::string& n) {
             return !n.empty() && n.find(':') == std::string::npos;
           });
  };
  std::vector<std::string> names;
  for (const auto& m : metas) names.push_back(m.name);
  if (distinct_names(names)) return names;
  names.clear();
  for (const auto& p : paths) names.push_back(std::filesystem::path(p).stem().string());
  if (distinct_names(names)) return names;
  names.clear();
  for (std::size_t i = 0; i < paths.size(); ++i) names.push_back("store" + std::to_string(i + 1));
  return names;
}

// The runs of `tables` one after another, table i's rows as arm i.
analysis::RunTable concatenated(std::vector<analysis::RunTable>& tables) {
  analysis::RunTable out;
  out.columns = tables.front().columns;
  for (const auto& t : tables) out.rows += t.rows;
  out.values.reserve(out.rows * out.columns.size());
  for (std::size_t c = 0; c < out.columns.size(); ++c) {
    for (const auto& t : tables)
      out.values.insert(out.values.end(), t.column(c), t.column(c) + t.rows);
  }
  for (std::size_t i = 0; i < tables.size(); ++i) {
    auto& t = tables[i];
    out.sample.insert(out.sample.end(), t.sample.begin(), t.sample.end());
    out.replicate.insert(out.replicate.end(), t.replicate.begin(), t.replicate.end());
    out.block.insert(out.block.end(), t.block.begin(), t.block.end());
    out.ok.insert(out.ok.end(), t.ok.begin(), t.ok.end());
    out.arm.insert(out.arm.end(), t.rows, static_cast<std::uint32_t>(i));
    t = {};  // the values are copied: free them as we go
  }
  return out;
}

}  // namespace

analysis::CampaignAnalysis analyze_store(const AnalyzeOptions& options) {
  analysis::AnalysisRequest request = request_of(options);
  OpenedStore opened = open_store(options.db_path, options, &request);
  if (!opened.campaign.arms.empty()) {
    throw UsageError(options.db_path + " holds a campaign with arms; analyse it as one");
  }
  if (!options.contrasts.empty() || !options.better.empty() || !options.margins.empty()) {
    throw UsageError(
        "--contrast, --better and --margin compare the arms of a campaign, and " + options.db_path +
        " has none (its config has no 'arms' section); compare separate stores of the same "
        "samples with tmex compare A.db B.db");
  }
  const analysis::AnalysisPlan plan = plan_of(opened.campaign, request);
  const analysis::RunTable runs = read_run_table(*opened.store, plan);
  opened.store.reset();
  analysis::CampaignAnalysis result = analysis::analyse_campaign(opened.campaign, runs, plan);
  result.checkpoints = std::move(opened.checkpoints);
  return result;
}

analysis::ArmsAnalysis analyze_arms_store(const AnalyzeOptions& options) {
  analysis::AnalysisRequest request = request_of(options);
  const analysis::ContrastRequest contrasts = contrast_request_of(options, request);
  OpenedStore opened = open_store(options.db_path, options, &request);
  if (opened.campaign.arms.empty()) {
    throw UsageError(options.db_path + " holds a campaign without arms");
  }
  const analysis::AnalysisPlan plan = plan_of(opened.campaign, request);
  const analysis::ContrastPlan contrast_plan = contrast_plan_of(opened.campaign, contrasts);
  const analysis::RunTable runs = read_run_table(*opened.store, plan);
  opened.store.reset();
  analysis::ArmsAnalysis result =
      analysis::analyse_arms(opened.campaign, runs, plan, contrast_plan);
  result.checkpoints = std::move(opened.checkpoints);
  return result;
}

StoreReport report_store(const AnalyzeOptions& options) {
  bool arms = false;
  {
    const OpenedStore opened = open_store(options.db_path, options);
    arms = !opened.campaign.arms.empty();
  }
  if (arms) {
    const analysis::ArmsAnalysis a = analyze_arms_store(options);
    return {a.campaign, report::build_arms_report(a)};
  }
  const analysis::CampaignAnalysis a = analyze_store(options);
  return {a.campaign, report::build_report(a)};
}

int analyze_command(const AnalyzeOptions& options) {
  return write_outputs(report_store(options).report, options, "analyze");
}

analysis::ArmsAnalysis compare_stores(const std::vector<std::string>& paths,
                                      const AnalyzeOptions& options) {
  if (paths.size() < 2) {
    throw UsageError("tmex compare needs at least two stores, got " + std::to_string(paths.size()));
  }
  const analysis::AnalysisRequest request = request_of(options);
  const analysis::ContrastRequest contrasts = contrast_request_of(options, request);
  std::vector<OpenedStore> stores;
  std::vector<storage::CampaignMeta> metas;
  for (const auto& path : paths) {
    if (std::count(paths.begin(), paths.end(), path) > 1) {
      throw UsageError("'" + path + "' is given twice");
    }
    stores.push_back(open_store(path, options));
    metas.push_back(stores.back().store->meta());
    if (!metas.back().arms.empty()) {
      throw UsageError(path + " holds a campaign with arms (" +
                       text::join(stores.back().campaign.arms) +
                       "): compare them with tmex analyze " + path + " --contrast ARM");
    }
  }
  for (std::size_t i = 1; i < metas.size(); ++i) {
    const auto diff = sample_differences(metas[0], metas[i]);
    if (!diff.empty()) {
      std::string msg = paths[i] + " does not hold the samples of " + paths[0] +
                        ", so their runs cannot be paired sample by sample. Differences (" +
                        paths[0] + " -> " + paths[i] + "):";
      for (const auto& d : diff) msg += "\n  " + d;
      throw UsageError(msg);
    }
  }
  // The campaign of the first store, an arm per store, the outputs every store has.
  analysis::CampaignInfo campaign = stores[0].campaign;
  campaign.source = text::join(paths);
  campaign.arms = arm_names(paths, metas);
  campaign.arm_overrides.clear();
  for (std::size_t i = 0; i < metas.size(); ++i) {
    std::vector<std::string> lines;
    for (const auto& d : canonical_diff(metas[0].config, metas[i].config)) {
      if (d.rfind("campaign.name: ", 0) == 0) continue;
      lines.push_back(d);
    }
    campaign.arm_overrides.push_back(i == 0 ? paths[0] + " (reference)"
                                            : paths[i] + (lines.empty() ? "" : ": ") +
                                                  text::join(lines, "; "));
  }
  std::vector<std::string> outputs;
  std::vector<analysis::Direction> better;
  for (std::size_t o = 0; o < campaign.outputs.size(); ++o) {
    const bool everywhere = std::all_of(metas.begin(), metas.end(), [&](const auto& m) {
      return std::find(m.outputs.begin(), m.outputs.end(), campaign.outputs[o]) != m.outputs.end();
    });
    if (!everywhere) continue;
    outputs.push_back(campaign.outputs[o]);
    better.push_back(o < campaign.better.size() ? campaign.better[o]
                                                : analysis::Direction::kUnknown);
  }
  if (outputs.empty()) throw UsageError("the stores have no output in common");
  campaign.outputs = outputs;
  campaign.better = better;
  const bool same_trajectories = std::all_of(metas.begin(), metas.end(), [&](const auto& m) {
    return m.trajectory_variables == metas[0].trajectory_variables &&
           m.trajectory_times == metas[0].trajectory_times;
  });
  if (!same_trajectories) campaign.trajectory_variables.clear();

  const analysis::AnalysisPlan plan = plan_of(campaign, request);
  const analysis::ContrastPlan contrast_plan = contrast_plan_of(campaign, contrasts);
  std::vector<analysis::RunTable> tables;
  for (auto& s : stores) {
    tables.push_back(read_run_table(*s.store, plan));
    s.store.reset();
  }
  std::vector<analysis::TrajectoryColumns> trajectories;
  if (plan.trajectories) {
    // Concatenated like the values: each variable's times, table after table.
    for (std::size_t v = 0; v < tables[0].trajectories.size(); ++v) {
      analysis::TrajectoryColumns t{
          tables[0].trajectories[v].variable, tables[0].trajectories[v].times, {}};
      for (std::size_t ti = 0; ti < t.times.size(); ++ti) {
        for (const auto& table : tables) {
          const auto& values = table.trajectories[v].values;
          t.values.insert(t.values.end(),
                          values.begin() + static_cast<std::ptrdiff_t>(ti * table.rows),
                          values.begin() + static_cast<std::ptrdiff_t>((ti + 1) * table.rows));
        }
      }
      trajectories.push_back(std::move(t));
    }
  }
  analysis::RunTable runs = concatenated(tables);
  runs.trajectories = std::move(trajectories);
  return analysis::analyse_arms(campaign, runs, plan, contrast_plan);
}

int compare_command(const std::vector<std::string>& stores, const AnalyzeOptions& options) {
  const report::Report report = report::build_arms_report(compare_stores(stores, options));
  return write_outputs(report, options, "compare");
}

}  // namespace tmex::driver
