// Writing an AnalysisReport as an aligned terminal report, Markdown, long-format CSV or JSON.
#pragma once

#include <ostream>
#include <string>

#include "driver/analysis_report.hpp"

namespace tmex::driver {

/// Writes `report` to `out` as "table" (aligned text for a terminal; parameters sorted by the
/// size of their index per output), "markdown" (the same tables as GitHub Markdown), "csv"
/// (long format, one estimate per line: section, output, parameter, time, statistic,
/// estimate, ci_low, ci_high, p_value, p_adjusted) or "json" (one object; NaN as null).
/// Throws UsageError for another format.
void write_report(const AnalysisReport& report, const std::string& format, std::ostream& out);

/// "***" for p < 0.001, "**" for p < 0.01, "*" for p < 0.05, else "" (NaN: "").
std::string significance_marker(double p);

}  // namespace tmex::driver
