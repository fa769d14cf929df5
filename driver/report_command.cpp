// `tmex report`: analyze_store(), the store's own record as sections, SVG figures, write_html().
#include "driver/report_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <set>

#include "driver/errors.hpp"
#include "driver/gnuplot.hpp"
#include "driver/output_file.hpp"
#include "driver/version.hpp"
#include "report/analysis_report.hpp"
#include "report/html_writer.hpp"
#include "sampling/distribution.hpp"
#include "storage/campaign_store.hpp"
#include "text/strings.hpp"

namespace tmex::driver {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kReportScatterRows = 500;
using report::Column;
using report::Role;
using report::Table;

std::string now_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// A parameter's distribution for people (0.03, not 0.029999999999999999).
std::string distribution_text(const storage::ParameterColumn& p) {
  try {
    std::vector<double> values;
    for (const auto& a : p.arguments) values.push_back(a.value);
    return sampling::Distribution::from_parameters(p.kind, values)
        .describe(text::NumberStyle::kShortest);
  } catch (const std::exception&) {
    return p.distribution;
  }
}

// The store's record that the analysis does not hold: the sampled parameters in the campaign
// section, failures by reason, and the sessions with the newest one's provenance.
void add_store_record(report::Report& r, const storage::CampaignMeta& meta,
                      const storage::StoreStatus& status) {
  if (auto* campaign = report::find_section(r, "campaign")) {
    campaign->facts.push_back({"seed_text", "seed", std::to_string(meta.seed), {}, report::kHtml});
    campaign->facts.push_back(
        {"samples_text", "design points", std::to_string(meta.samples), {}, report::kHtml});
    if (!meta.tmex_version.empty()) {
      campaign->facts.push_back(
          {"made_by", "store made by", "tmex " + meta.tmex_version, {}, report::kHtml});
    }
    Table parameters{"parameters", "sampled parameters", {}, {}, {}, report::kHtml};
    parameters.columns = {{"parameter", "parameter", Role::kKey, {}, "", report::kHtml},
                          {"distribution", "distribution", Role::kKey, {}, "", report::kHtml},
                          {"dummy", "dummy", Role::kKey, {}, "", report::kHtml}};
    for (const auto& p : meta.parameters) {
      parameters.rows.push_back({p.name, distribution_text(p), std::string(p.dummy ? "yes" : "")});
    }
    campaign->tables.push_back(std::move(parameters));
  }
  if (auto* failures = report::find_section(r, "failures"); failures && !status.failures.empty()) {
    Table groups{"reasons", "failed runs by reason", {}, {}, {}, report::kHtml};
    groups.columns = {{"count", "runs", Role::kDetail, {}, "", report::kHtml},
                      {"status", "status", Role::kKey, {}, "", report::kHtml},
                      {"reason", "reason", Role::kKey, {}, "", report::kHtml},
                      {"examples", "e.g. samples", Role::kKey, {}, "", report::kHtml}};
    for (const auto& g : status.failures) {
      const std::string examples =
          text::join(g.example_samples, ", ", [](auto s) { return std::to_string(s); });
      groups.rows.push_back({std::int64_t{g.count}, g.status, g.reason, examples});
    }
    failures->tables.insert(failures->tables.begin(), std::move(groups));
  }
  report::Section sessions{"sessions", "Sessions and provenance"};
  sessions.paragraphs = {
      "Every run of tmex against the store, and what built and ran the newest one (tmex's "
      "source commit, compiler, libraries, hosts, the model's version): enough to rebuild the "
      "numbers, or to explain why another machine differs in the last digits (tmex verify "
      "re-evaluates stored runs)."};
  Table table{"sessions", "", {}, {}, {}, report::kHtml};
  table.columns = {
      {"id", "session", Role::kKey, {}, "", report::kHtml},
      {"started", "started", Role::kKey, {}, "", report::kHtml},
      {"outcome", "outcome", Role::kKey, {}, "", report::kHtml},
      {"ranks", "ranks", Role::kDetail, {}, "", report::kHtml},
      {"runs", "runs stored", Role::kDetail, {}, "", report::kHtml},
      {"seconds", "seconds", Role::kDetail, text::NumberStyle::kGeneral, "", report::kHtml},
      {"where", "hosts / SLURM job", Role::kKey, {}, "", report::kHtml}};
  const storage::SessionRow* newest = nullptr;
  for (const auto& s : status.sessions) {
    std::string where = s.hosts;
    if (!s.slurm_job_id.empty()) where += " job " + s.slurm_job_id;
    table.rows.push_back({std::int64_t{s.id}, s.started_at, s.outcome, std::int64_t{s.ranks},
                          std::int64_t{s.runs_stored}, s.duration_s, where});
    if (!s.provenance.empty()) newest = &s;
  }
  sessions.tables.push_back(std::move(table));
  if (newest) {
    Table provenance{"provenance", "provenance of session " + std::to_string(newest->id),
                     {},           {},
                     {},           report::kHtml};
    provenance.columns = {{"key", "", Role::kKey, {}, "", report::kHtml},
                          {"value", "", Role::kKey, {}, "", report::kHtml}};
    for (const auto& [key, value] : newest->provenance) provenance.rows.push_back({key, value});
    sessions.tables.push_back(std::move(provenance));
  } else {
    sessions.paragraphs.push_back("Provenance: not recorded (store made by tmex " +
                                  meta.tmex_version +
                                  "; sessions record it from store schema version 2 on).");
  }
  r.sections.push_back(std::move(sessions));
}

// A campaign with arms: the document answers its question first (which arm helps, and whom), right
// after the campaign, arms, checkpoints (of one that stops itself), warnings and failures; each
// arm's sensitivity analysis follows.
void lead_with_contrasts(report::Report& r) {
  static const std::set<std::string> kAnswer = {"contrasts", "contrast_prcc", "subgroups"};
  static const std::set<std::string> kBefore = {"campaign", "arms",     "checkpoints",
                                                "warnings", "failures", "notes"};
  if (!report::find_section(r, "contrasts")) return;
  std::stable_partition(r.sections.begin(), r.sections.end(),
                        [](const report::Section& s) { return kBefore.count(s.key) != 0; });
  const auto answer = std::find_if(r.sections.begin(), r.sections.end(),
                                   [](const auto& s) { return kBefore.count(s.key) == 0; });
  std::stable_partition(answer, r.sections.end(),
                        [](const report::Section& s) { return kAnswer.count(s.key) != 0; });
}

}  // namespace

std::string report_path(const ReportOptions& options) {
  if (!options.out.empty()) return options.out;
  return fs::path(options.analysis.db_path).filename().replace_extension(".html").string();
}

int report_command(const ReportOptions& options) {
  AnalyzeOptions analysis = options.analysis;
  analysis.scatter = true;
  // Every point is an SVG element: 500 show the shape and keep a scatter figure near 200 kB.
  analysis.scatter_rows = kReportScatterRows;
  const std::string path = report_path(options);
  StoreReport result = report_store(analysis);
  report::Report& document = result.report;
  lead_with_contrasts(document);
  {
    auto store = storage::CampaignStore::open_read_only(analysis.db_path);
    add_store_record(document, store.meta(), store.status(3));
  }
  const auto& c = result.campaign;
  const std::string created = now_iso8601();
  document.title = "tmex report: " + c.name;
  document.subtitle = c.model + " (version " + std::to_string(c.model_version) + "), " + c.design +
                      "; store " + c.source + "; made " + created;
  const SvgFigures figures = svg_figures(document);
  report::HtmlInputs inputs;
  inputs.svg = figures.svg;
  inputs.missing_reason = figures.problem.empty() ? "not drawn" : figures.problem;
  inputs.generator = std::string("tmex ") + kVersion;
  inputs.created = created;
  // Replaced atomically (or written through to a device or FIFO): a failed write leaves no half
  // document.
  OutputFile file(path);
  report::write_html(document, inputs, file.stream());
  file.commit();
  std::size_t count = 0;
  for (const auto& s : document.sections) count += s.figures.size();
  std::fprintf(stderr, "tmex report: wrote %s (%zu sections, %zu figures)\n", path.c_str(),
               document.sections.size(), count);
  if (!figures.failed.empty()) {
    std::fprintf(stderr, "tmex report: warning: %zu figures are missing: %s\n",
                 figures.failed.size(), figures.problem.c_str());
  }
  return kExitOk;
}

}  // namespace tmex::driver
