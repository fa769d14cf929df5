// The read-only subcommands of tmex: status, models, export, eval.
#pragma once

#include <map>
#include <string>

namespace tmex::driver {

/// `tmex check CONFIG [--db FILE]`: validates a campaign without running it (no MPI) and says
/// what a run would do: the design, the number of runs, and whether an existing store matches.
int check_command(const std::string& config_path, const std::string& db_override);

/// `tmex sample CONFIG [--out FILE]`: writes the design (parameter values, one row per point)
/// without running anything, and prints its quality.
int sample_command(const std::string& config_path, const std::string& out);

/// `tmex status DB`: progress, failures grouped by reason, sessions. Returns an exit status.
int status_command(const std::string& db_path);

/// `tmex models [NAME]`: every model (or one) with parameters, defaults, units and outputs.
int models_command(const std::string& only);

/// `tmex export DB --format csv [--out FILE]`.
int export_command(const std::string& db_path, const std::string& format, const std::string& out);

/// `tmex eval MODEL --set k=v --option k=v --format table|json`: one evaluation at the defaults.
int eval_command(const std::string& model, const std::map<std::string, std::string>& sets,
                 const std::map<std::string, std::string>& options, const std::string& format);

}  // namespace tmex::driver
