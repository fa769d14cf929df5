// The tmex executable: command-line parsing and dispatch to the subcommands.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis_error.hpp"
#include "driver/analyze_command.hpp"
#include "driver/campaign_runner.hpp"
#include "driver/commands.hpp"
#include "driver/errors.hpp"
#include "driver/job_deadline.hpp"
#include "driver/output_file.hpp"
#include "driver/report_command.hpp"
#include "driver/verify_command.hpp"
#include "driver/version.hpp"
#include "models/subprocess.hpp"
#include "storage/database.hpp"
#include "storage/store_file.hpp"
#include "text/strings.hpp"

namespace {

using namespace tmex::driver;

// Edit distance (insertions, deletions, substitutions, and swaps of neighbours) of a and b.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// "; did you mean 'analyze'?" for the nearest of `names` within a third of its length (at least
// 2 edits), or "" when none is that near.
std::string suggestion(const std::string& typed, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& n : names) {
    const std::size_t d = edit_distance(typed, n);
    if (d < best_distance) {
      best_distance = d;
      best = n;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, best.size() / 3);
  if (best.empty() || best_distance > limit) return "";
  return "; did you mean '" + best + "'?";
}

// Splits NAME=VALUE arguments of --set / --option.
std::map<std::string, std::string> key_values(const std::vector<std::string>& items,
                                              const char* flag) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError(std::string(flag) + " expects NAME=VALUE, got '" + item + "'");
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

struct RunCli {
  CLI::App* command = nullptr;
  RunOptions options;
  std::string deadline_text;
};

RunCli add_run(CLI::App& app) {
  RunCli c;
  c.command = app.add_subcommand(
      "run",
      "Run (or resume) the campaign described by CONFIG. Launch under mpirun/srun for "
      "several ranks. Exit status: 0 done, 2 bad config, 3 interrupted (run again to "
      "resume), 4 too many failed evaluations, 1 other errors.");
  auto* run_cmd = c.command;
  RunOptions& run = c.options;
  run_cmd->add_option("config", run.config_path, "campaign YAML file")->required();
  run_cmd->add_option("--db", run.db_override, "store file (overrides storage.path)");
  // CLI11's number checks let "nan" through (every comparison with NaN is false).
  const CLI::Validator finite(
      [](std::string& text) {
        double v = 0.0;
        return CLI::detail::lexical_cast(text, v) && std::isfinite(v)
                   ? std::string()
                   : "expected a finite number, got '" + text + "'";
      },
      "FINITE");
  run_cmd
      ->add_option("--stop-after", run.stop_after_s,
                   "stop cleanly after this many seconds (exit status 3; resumable)")
      ->check(finite & CLI::PositiveNumber);
  run_cmd
      ->add_option("--deadline", c.deadline_text,
                   "stop cleanly --deadline-margin seconds before TIME (Unix seconds or ISO "
                   "8601, e.g. 2026-11-29T18:30:00, local time unless Z or +HH:MM is given)")
      ->option_text("TIME");
  run_cmd
      ->add_option("--deadline-margin", run.deadline_margin_s,
                   "seconds to stop before --deadline and before the end of the SLURM job, "
                   "enough to drain and commit")
      ->capture_default_str()
      ->check(finite & CLI::NonNegativeNumber);
  run_cmd->add_flag("!--no-slurm-deadline", run.read_slurm_end_time,
                    "inside a SLURM job, do not read the job's end time (rely on signals)");
  run_cmd->add_flag("--retry-crashed", run.retry_crashed,
                    "run again the runs stored as 'crashed' (in flight when two sessions died); "
                    "they run alone, first");
  return c;
}

// Leaves at once when evaluations were abandoned (they may still be running external programs:
// none outlives us), else returns `rc`. Either way the processes that external programs
// detached (adopt_orphaned_descendants) end first.
int leave(int rc) {
  if (needs_hard_exit()) {
    tmex::models::kill_running_processes();
    tmex::models::end_adopted_processes();
    std::fflush(nullptr);
    std::_Exit(rc);
  }
  tmex::models::end_adopted_processes();
  return rc;
}

int execute_run(RunCli& c, int argc, char** argv) {
  RunOptions& run = c.options;
  if (!c.deadline_text.empty()) run.deadline = parse_deadline(c.deadline_text);
  for (int i = 0; i < argc; ++i) run.command_line += (i ? " " : "") + std::string(argv[i]);
  // What external programs detach (setsid, double forks) is adopted and ended with them.
  tmex::models::adopt_orphaned_descendants();
  return leave(run_campaign(run));
}

struct VerifyCli {
  CLI::App* command = nullptr;
  VerifyOptions options;
  double fraction = 0.0;
  CLI::Option* fraction_option = nullptr;
};

VerifyCli add_verify(CLI::App& app) {
  VerifyCli c;
  c.command = app.add_subcommand(
      "verify",
      "Re-evaluate a deterministic random subset of the runs stored in DB on this machine and "
      "compare them bit for bit with the store (outputs, status, parameters, trajectories); "
      "failed runs too. Launch under mpirun/srun to spread the work like run; the store is only "
      "read. Exit status: 0 identical, 1 some run differs (each is listed with its sample and "
      "first differing column), 2 bad input.");
  auto* verify_cmd = c.command;
  VerifyOptions& verify = c.options;
  verify_cmd->add_option("db", verify.db_path, "campaign store (SQLite file)")->required();
  c.fraction_option =
      verify_cmd
          ->add_option("--fraction", c.fraction,
                       "share of the stored runs to re-evaluate, in (0, 1] (default: 1%, or "
                       "about 1000 runs where that is fewer; all of a store of up to 1000)")
          ->check(CLI::Validator(
              [](std::string& text) -> std::string {
                double v = 0.0;
                try {
                  std::size_t used = 0;
                  v = std::stod(text, &used);
                  if (used != text.size()) v = -1.0;
                } catch (const std::exception&) {
                  v = -1.0;
                }
                return v > 0.0 && v <= 1.0 ? std::string()
                                           : "expected a number in (0, 1], got '" + text + "'";
              },
              "in (0, 1]"));
  verify_cmd->add_option("--seed", verify.seed, "chooses the subset")->capture_default_str();
  verify_cmd->add_option("--config", verify.config_path,
                         "the campaign YAML, for a store that does not hold it (made by tmex "
                         "0.1.0); it must describe the stored campaign");
  return c;
}

int execute_verify(VerifyCli& c) {
  if (c.fraction_option->count() > 0) c.options.fraction = c.fraction;
  tmex::models::adopt_orphaned_descendants();
  return leave(verify_campaign(c.options));
}

// The options `tmex analyze`, `tmex compare` and `tmex report` share: what to analyse and how.
struct AnalysisCli {
  std::uint64_t seed = 0;
  int bootstrap = 0;
  CLI::Option* bootstrap_option = nullptr;
  CLI::Option* seed_option = nullptr;
  CLI::Option* tolerance_option = nullptr;
  CLI::Option* stable_top_option = nullptr;
};

void add_analysis_options(CLI::App& command, AnalyzeOptions& analyze, AnalysisCli& c) {
  command
      .add_option("--method,-m", analyze.method,
                  "auto, prcc, pcc, src, srrc, correlation (Pearson and Spearman), sobol, morris "
                  "or uncertainty")
      ->capture_default_str();
  // One value per use, so that `--event 'y > 1' DB` leaves DB to the positional argument.
  command
      .add_option("--outputs", analyze.outputs,
                  "outputs to analyse, comma-separated (default: all stored outputs)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command
      .add_option("--event", analyze.events,
                  "probability of an event 'OUTPUT OP NUMBER', OP one of < <= > >= == != "
                  "(repeatable), e.g. --event 'cured == 1'")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command.add_option("--confidence", analyze.confidence, "level of every interval")
      ->capture_default_str();
  c.bootstrap_option = command.add_option(
      "--bootstrap", c.bootstrap,
      "bootstrap resamples of Sobol', Morris, uncertainty and contrast intervals (default "
      "1000; summaries of more than 50000 runs or paired samples use large-sample intervals "
      "unless this is given; 0: no intervals)");
  c.seed_option =
      command.add_option("--seed", c.seed, "bootstrap seed (default: the campaign's seed)");
  c.tolerance_option = command
                           .add_option("--tolerance", analyze.convergence.halfwidth,
                                       "convergence: the largest acceptable half-width of the "
                                       "interval of an index whose interval excludes 0 (default: "
                                       "a campaign's convergence.halfwidth, else 0.05)")
                           ->check(CLI::PositiveNumber);
  c.stable_top_option =
      command
          .add_option("--stable-top", analyze.convergence.stable_top,
                      "convergence: how many of the top parameters that matter (interval excludes "
                      "0) must keep their order between the last two subsamples (default: a "
                      "campaign's convergence.stable_top, else 5)")
          ->check(CLI::PositiveNumber);
  command
      .add_option("--contrast", analyze.contrasts,
                  "arms to compare: ARM (against the first arm) or ARM:REFERENCE (repeatable; "
                  "default: every arm against the first)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command
      .add_option("--better", analyze.better,
                  "which direction of an output is a benefit: lower or higher for every output "
                  "whose model declares none, OUTPUT=lower|higher for one (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command
      .add_option("--margin", analyze.margins,
                  "differences within +-X count as unchanged, neither helped nor harmed: X for "
                  "every output, OUTPUT=X for one (repeatable; default 0)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

// The options of `tmex analyze` and `tmex compare` that say where the report goes.
void add_report_output_options(CLI::App& command, AnalyzeOptions& analyze) {
  command.add_option("--format,-f", analyze.format, "table, csv, json or markdown")
      ->capture_default_str();
  command.add_option("--out,-o", analyze.out, "output file (default: standard output)");
  command.add_option(
      "--plots", analyze.plots_dir,
      "folder for the plots as PNG and SVG (gnuplot) with their data files and scripts");
}

void apply_analysis_options(const AnalysisCli& c, AnalyzeOptions& analyze) {
  if (c.bootstrap_option->count() > 0) analyze.bootstrap = c.bootstrap;
  if (c.seed_option->count() > 0) analyze.seed = c.seed;
  analyze.tolerance_given = c.tolerance_option->count() > 0;
  analyze.stable_top_given = c.stable_top_option->count() > 0;
}

struct AnalyzeCli {
  CLI::App* command = nullptr;
  AnalyzeOptions options;
  AnalysisCli shared;
  std::vector<std::string> stores;  ///< tmex compare's stores
};

AnalyzeCli add_analyze(CLI::App& app) {
  AnalyzeCli c;
  c.command = app.add_subcommand(
      "analyze",
      "Sensitivity and uncertainty analysis of the campaign in DB. By default the methods that "
      "fit its design: PRCC with inference and an uncertainty summary for lhs, sobol, grid and "
      "file designs; Sobol' indices for saltelli; Morris mu*, mu, sigma for morris. Failed runs "
      "are excluded, counted, and tested for dependence on the inputs. A campaign with arms "
      "gets the analysis of each arm and the paired contrasts between arms. Exit status: 0 "
      "done, 2 bad usage (including a method that does not fit the design), 1 other errors.");
  c.command->add_option("db", c.options.db_path, "campaign store (SQLite file)")->required();
  add_analysis_options(*c.command, c.options, c.shared);
  add_report_output_options(*c.command, c.options);
  return c;
}

AnalyzeCli add_compare(CLI::App& app) {
  AnalyzeCli c;
  c.command = app.add_subcommand(
      "compare",
      "Paired contrasts between the stores of separate campaigns of the same samples (model "
      "and version, design, seed, sample count, replicates and parameters must match; "
      "settings and options may differ): each store is an arm, the first the reference. The "
      "same report as tmex analyze of a campaign with arms. Exit status: 0 done, 2 bad usage "
      "or stores whose samples differ (the message says how), 1 other errors.");
  c.command->add_option("stores", c.stores, "campaign stores (SQLite files), at least two")
      ->required()
      ->expected(2, 1000);
  add_analysis_options(*c.command, c.options, c.shared);
  add_report_output_options(*c.command, c.options);
  return c;
}

int execute_analyze(AnalyzeCli& c) {
  apply_analysis_options(c.shared, c.options);
  return c.stores.empty() ? analyze_command(c.options) : compare_command(c.stores, c.options);
}

struct ReportCli {
  CLI::App* command = nullptr;
  ReportOptions options;
  AnalysisCli shared;
};

ReportCli add_report(CLI::App& app) {
  ReportCli c;
  c.command = app.add_subcommand(
      "report",
      "One self-contained HTML report of the campaign in DB, to read or send: campaign and "
      "design, failures, sensitivity (tables and figures), uncertainty and events, convergence, "
      "the arms and their paired contrasts where the campaign has arms, sessions and "
      "provenance. Figures are drawn by gnuplot and embedded as SVG; the file loads nothing "
      "else. The store is only read. Takes the options of analyze.");
  c.command->add_option("db", c.options.analysis.db_path, "campaign store (SQLite file)")
      ->required();
  add_analysis_options(*c.command, c.options.analysis, c.shared);
  c.command->add_option("--out,-o", c.options.out,
                        "HTML file (default: the store's file name with .html, in the working "
                        "directory)");
  return c;
}

int execute_report(ReportCli& c) {
  apply_analysis_options(c.shared, c.options.analysis);
  return report_command(c.options);
}

// The read-only commands with simple options.
struct OtherCli {
  CLI::App* check = nullptr;
  std::string check_config, check_db;
  CLI::App* sample = nullptr;
  std::string sample_config, sample_out;
  CLI::App* status = nullptr;
  std::string status_db;
  CLI::App* models = nullptr;
  std::string models_only;
  CLI::App* export_ = nullptr;
  std::string export_db, export_format = "csv", export_out;
  CLI::App* eval = nullptr;
  std::string eval_model, eval_format = "table";
  std::vector<std::string> eval_sets, eval_options;
};

void add_store_commands(CLI::App& app, OtherCli& c) {
  c.check = app.add_subcommand(
      "check",
      "Validate CONFIG without running it: errors with file:line:column (exit 2), or a "
      "summary of the campaign and of an existing store.");
  c.check->add_option("config", c.check_config, "campaign YAML file")->required();
  c.check->add_option("--db", c.check_db, "store file (overrides storage.path)");

  c.sample = app.add_subcommand(
      "sample",
      "Write the design of CONFIG (parameter values per point) as CSV without running "
      "anything, and print its quality (min distance, discrepancy, rank correlation).");
  c.sample->add_option("config", c.sample_config, "campaign YAML file")->required();
  c.sample->add_option("--out,-o", c.sample_out, "CSV file (default: standard output)");

  c.status = app.add_subcommand("status", "Show progress, failures and sessions of DB.");
  c.status->add_option("db", c.status_db, "campaign store (SQLite file)")->required();
}

void add_model_and_export_commands(CLI::App& app, OtherCli& c) {
  c.models = app.add_subcommand("models", "List the models with parameters, defaults and outputs.");
  c.models->add_option("name", c.models_only, "show only this model");

  c.export_ = app.add_subcommand("export", "Write the runs of DB as CSV.");
  c.export_->add_option("db", c.export_db, "campaign store (SQLite file)")->required();
  c.export_->add_option("--format", c.export_format, "output format (csv)");
  c.export_->add_option("--out,-o", c.export_out, "output file (default: standard output)");

  c.eval = app.add_subcommand(
      "eval", "Evaluate MODEL once at its defaults (changed with --set) and print every output.");
  c.eval->add_option("model", c.eval_model, "model name (see tmex models)")->required();
  c.eval->add_option("--set", c.eval_sets, "parameter value NAME=VALUE (repeatable)");
  c.eval->add_option("--option", c.eval_options, "model option NAME=VALUE (repeatable)");
  c.eval->add_option("--format", c.eval_format, "table or json");
}

// Runs the read-only command that was given; nullopt when none of them was.
std::optional<int> execute_others(const OtherCli& c) {
  if (*c.check) return check_command(c.check_config, c.check_db);
  if (*c.sample) return sample_command(c.sample_config, c.sample_out);
  if (*c.status) return status_command(c.status_db);
  if (*c.models) return models_command(c.models_only);
  if (*c.export_) return export_command(c.export_db, c.export_format, c.export_out);
  if (*c.eval) {
    tmex::models::adopt_orphaned_descendants();
    const int rc = eval_command(c.eval_model, key_values(c.eval_sets, "--set"),
                                key_values(c.eval_options, "--option"), c.eval_format);
    tmex::models::end_adopted_processes();
    return rc;
  }
  return std::nullopt;
}

// Runs a command; everything it wrote to standard output must have arrived there (a full disk
// or a closed pipe is an error, not a silent success).
int with_checked_output(int rc) {
  std::string error;
  if (!flush_standard_output(error)) {
    std::fprintf(stderr, "tmex: error: writing to standard output failed: %s\n", error.c_str());
    return rc == kExitOk ? kExitError : rc;
  }
  return rc;
}

int run_command(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG and the command reports it
  // (removing a partial output) instead of being killed by the signal.
  std::signal(SIGXFSZ, SIG_IGN);
  tmex::storage::set_store_notice_handler(
      [](const std::string& text) { std::fprintf(stderr, "tmex: warning: %s\n", text.c_str()); });
  CLI::App app{
      "tmex: tumour-microenvironment explorer. Runs parameter-exploration campaigns on "
      "MPI and stores every outcome in one SQLite file."};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);
  RunCli run = add_run(app);
  OtherCli others;
  add_store_commands(app, others);
  VerifyCli verify = add_verify(app);
  add_model_and_export_commands(app, others);
  AnalyzeCli analyze = add_analyze(app);
  AnalyzeCli compare = add_compare(app);
  ReportCli report = add_report(app);

  // A mistyped command (tmex anlyze) gets the nearest one, not CLI11's "A subcommand is
  // required".
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const auto* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::fprintf(stderr, "tmex: error: unknown command '%s'%s (commands: %s; tmex --help)\n",
                   argv[1], suggestion(argv[1], names).c_str(), tmex::text::join(names).c_str());
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  try {
    if (*run.command) return execute_run(run, argc, argv);
    if (*verify.command) return execute_verify(verify);
    if (*analyze.command) return execute_analyze(analyze);
    if (*compare.command) return execute_analyze(compare);
    if (*report.command) return execute_report(report);
    if (const auto rc = execute_others(others)) return *rc;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    return kExitUsage;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    return kExitUsage;
  } catch (const tmex::analysis::AnalysisError& e) {
    std::fprintf(stderr, "tmex: analysis error: %s\n", e.what());
    return kExitError;
  } catch (const tmex::storage::StorageError& e) {
    std::fprintf(stderr, "tmex: storage error: %s\n", e.what());
    return kExitError;
  } catch (const std::exception& e) {
    // An OutputError (a full disk) too: the message names the file and the reason.
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) { return with_checked_output(run_command(argc, argv)); }
