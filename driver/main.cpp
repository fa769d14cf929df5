// The tmex executable: command-line parsing and dispatch to the subcommands.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "analysis/analysis_error.hpp"
#include "driver/analyze_command.hpp"
#include "driver/campaign_runner.hpp"
#include "driver/commands.hpp"
#include "driver/errors.hpp"
#include "driver/job_deadline.hpp"
#include "driver/verify_command.hpp"
#include "driver/version.hpp"
#include "models/subprocess.hpp"
#include "storage/database.hpp"

namespace {

// Splits NAME=VALUE arguments of --set / --option.
std::map<std::string, std::string> key_values(const std::vector<std::string>& items,
                                              const char* flag) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw tmex::driver::UsageError(std::string(flag) + " expects NAME=VALUE, got '" + item + "'");
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tmex::driver;
  CLI::App app{
      "tmex: tumour-microenvironment explorer. Runs parameter-exploration campaigns on "
      "MPI and stores every outcome in one SQLite file."};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);

  RunOptions run;
  auto* run_cmd = app.add_subcommand(
      "run",
      "Run (or resume) the campaign described by CONFIG. Launch under mpirun/srun for "
      "several ranks. Exit status: 0 done, 2 bad config, 3 interrupted (run again to "
      "resume), 4 too many failed evaluations, 1 other errors.");
  run_cmd->add_option("config", run.config_path, "campaign YAML file")->required();
  run_cmd->add_option("--db", run.db_override, "store file (overrides storage.path)");
  run_cmd
      ->add_option("--stop-after", run.stop_after_s,
                   "stop cleanly after this many seconds (exit status 3; resumable)")
      ->check(CLI::PositiveNumber);
  std::string deadline_text;
  run_cmd
      ->add_option("--deadline", deadline_text,
                   "stop cleanly --deadline-margin seconds before TIME (Unix seconds or ISO "
                   "8601, e.g. 2026-11-29T18:30:00, local time unless Z or +HH:MM is given)")
      ->option_text("TIME");
  run_cmd
      ->add_option("--deadline-margin", run.deadline_margin_s,
                   "seconds to stop before --deadline and before the end of the SLURM job, "
                   "enough to drain and commit")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_flag("!--no-slurm-deadline", run.read_slurm_end_time,
                    "inside a SLURM job, do not read the job's end time (rely on signals)");

  std::string check_config, check_db;
  auto* check_cmd = app.add_subcommand(
      "check",
      "Validate CONFIG without running it: errors with file:line:column (exit 2), or a "
      "summary of the campaign and of an existing store.");
  check_cmd->add_option("config", check_config, "campaign YAML file")->required();
  check_cmd->add_option("--db", check_db, "store file (overrides storage.path)");

  std::string sample_config, sample_out;
  auto* sample_cmd = app.add_subcommand(
      "sample",
      "Write the design of CONFIG (parameter values per point) as CSV without running "
      "anything, and print its quality (min distance, discrepancy, rank correlation).");
  sample_cmd->add_option("config", sample_config, "campaign YAML file")->required();
  sample_cmd->add_option("--out,-o", sample_out, "CSV file (default: standard output)");

  std::string status_db;
  auto* status_cmd = app.add_subcommand("status", "Show progress, failures and sessions of DB.");
  status_cmd->add_option("db", status_db, "campaign store (SQLite file)")->required();

  tmex::driver::VerifyOptions verify;
  double verify_fraction = 0.0;
  auto* verify_cmd = app.add_subcommand(
      "verify",
      "Re-evaluate a deterministic random subset of the runs stored in DB on this machine and "
      "compare them bit for bit with the store (outputs, status, parameters, trajectories); "
      "failed runs too. Launch under mpirun/srun to spread the work like run; the store is only "
      "read. Exit status: 0 identical, 1 some run differs (each is listed with its sample and "
      "first differing column), 2 bad input.");
  verify_cmd->add_option("db", verify.db_path, "campaign store (SQLite file)")->required();
  auto* fraction_opt =
      verify_cmd
          ->add_option("--fraction", verify_fraction,
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

  std::string models_only;
  auto* models_cmd =
      app.add_subcommand("models", "List the models with parameters, defaults and outputs.");
  models_cmd->add_option("name", models_only, "show only this model");

  std::string export_db, export_format = "csv", export_out;
  auto* export_cmd = app.add_subcommand("export", "Write the runs of DB as CSV.");
  export_cmd->add_option("db", export_db, "campaign store (SQLite file)")->required();
  export_cmd->add_option("--format", export_format, "output format (csv)");
  export_cmd->add_option("--out,-o", export_out, "output file (default: standard output)");

  std::string eval_model, eval_format = "table";
  std::vector<std::string> eval_sets, eval_options;
  auto* eval_cmd = app.add_subcommand(
      "eval", "Evaluate MODEL once at its defaults (changed with --set) and print every output.");
  eval_cmd->add_option("model", eval_model, "model name (see tmex models)")->required();
  eval_cmd->add_option("--set", eval_sets, "parameter value NAME=VALUE (repeatable)");
  eval_cmd->add_option("--option", eval_options, "model option NAME=VALUE (repeatable)");
  eval_cmd->add_option("--format", eval_format, "table or json");

  AnalyzeOptions analyze;
  std::uint64_t analyze_seed = 0;
  int analyze_bootstrap = 0;
  auto* analyze_cmd = app.add_subcommand(
      "analyze",
      "Sensitivity and uncertainty analysis of the campaign in DB. By default the methods that "
      "fit its design: PRCC with inference and an uncertainty summary for lhs, sobol, grid and "
      "file designs; Sobol' indices for saltelli; Morris mu*, mu, sigma for morris. Failed runs "
      "are excluded, counted, and tested for dependence on the inputs. Exit status: 0 done, 2 "
      "bad usage (including a method that does not fit the design), 1 other errors.");
  analyze_cmd->add_option("db", analyze.db_path, "campaign store (SQLite file)")->required();
  analyze_cmd
      ->add_option("--method,-m", analyze.method,
                   "auto, prcc, pcc, src, srrc, correlation (Pearson and Spearman), sobol, morris "
                   "or uncertainty")
      ->capture_default_str();
  // One value per use, so that `--event 'y > 1' DB` leaves DB to the positional argument.
  analyze_cmd
      ->add_option("--outputs", analyze.outputs,
                   "outputs to analyse, comma-separated (default: all stored outputs)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  analyze_cmd->add_option("--format,-f", analyze.format, "table, csv, json or markdown")
      ->capture_default_str();
  analyze_cmd->add_option("--out,-o", analyze.out, "output file (default: standard output)");
  analyze_cmd->add_option("--plots", analyze.plots_dir,
                          "folder for PNG plots (gnuplot) with their data files and scripts");
  analyze_cmd
      ->add_option("--event", analyze.events,
                   "probability of an event 'OUTPUT OP NUMBER', OP one of < <= > >= == != "
                   "(repeatable), e.g. --event 'cured == 1'")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  analyze_cmd->add_option("--confidence", analyze.confidence, "level of every interval")
      ->capture_default_str();
  auto* bootstrap_opt = analyze_cmd->add_option(
      "--bootstrap", analyze_bootstrap,
      "bootstrap resamples of Sobol', Morris and uncertainty intervals (default 1000; "
      "uncertainty summaries of more than 50000 runs use large-sample intervals unless this is "
      "given; 0: no intervals)");
  auto* seed_opt = analyze_cmd->add_option("--seed", analyze_seed,
                                           "bootstrap seed (default: the campaign's seed)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  try {
    if (*run_cmd) {
      if (!deadline_text.empty()) run.deadline = parse_deadline(deadline_text);
      for (int i = 0; i < argc; ++i) run.command_line += (i ? " " : "") + std::string(argv[i]);
      const int rc = run_campaign(run);
      if (needs_hard_exit()) {
        // Abandoned evaluations may still be running external programs: none outlives us.
        tmex::models::kill_running_processes();
        std::fflush(nullptr);
        std::_Exit(rc);
      }
      return rc;
    }
    if (*verify_cmd) {
      if (fraction_opt->count() > 0) verify.fraction = verify_fraction;
      const int rc = verify_campaign(verify);
      if (needs_hard_exit()) {
        tmex::models::kill_running_processes();
        std::fflush(nullptr);
        std::_Exit(rc);
      }
      return rc;
    }
    if (*check_cmd) return check_command(check_config, check_db);
    if (*sample_cmd) return sample_command(sample_config, sample_out);
    if (*status_cmd) return status_command(status_db);
    if (*analyze_cmd) {
      if (bootstrap_opt->count() > 0) analyze.bootstrap = analyze_bootstrap;
      if (seed_opt->count() > 0) analyze.seed = analyze_seed;
      return analyze_command(analyze);
    }
    if (*models_cmd) return models_command(models_only);
    if (*export_cmd) return export_command(export_db, export_format, export_out);
    if (*eval_cmd) {
      return eval_command(eval_model, key_values(eval_sets, "--set"),
                          key_values(eval_options, "--option"), eval_format);
    }
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
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    return kExitError;
  }
  return kExitOk;
}
