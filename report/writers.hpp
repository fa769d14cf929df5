// The writers of a report: aligned text, Markdown, long-format CSV and JSON.
#pragma once

#include <ostream>
#include <string_view>

#include "report/report_model.hpp"

namespace tmex::report {

/// The formats of write_report().
enum class Format {
  kTable,     ///< aligned text for a terminal, paragraphs wrapped at 96 columns
  kMarkdown,  ///< the same tables as GitHub Markdown
  kCsv,       ///< long format, one estimate per line
  kJson,      ///< one object
};

/// The format named "table", "markdown", "csv" or "json"; throws std::invalid_argument naming
/// the text and the known names.
Format parse_format(std::string_view name);

/// Writes `report` to `out` in `format`:
/// - table and markdown: each section's heading, paragraphs, text facts and text tables (an
///   interval's two columns as one "[low, high]" column);
/// - csv: the header section,output,parameter,time,statistic,estimate,ci_low,ci_high,p_value,
///   p_adjusted and one line per estimate of each CSV table and estimate fact, with its
///   interval and p-values; output, parameter and time from the row or the table's facts. A
///   report whose tables name arms (a campaign with arms) has arm and reference columns after
///   section;
/// - json: {"report": title, KEY: section, ...} in section order, each section an object with
///   "heading", "text" (paragraphs), its JSON facts as fields, and per table key an array of
///   {table facts..., "rows": [{column: value, ...}]}; non-finite numbers are null.
/// Numbers in text go through text::format_number in each column's style; JSON and CSV carry
/// them exactly (shortest round-trip text).
void write_report(const Report& report, Format format, std::ostream& out);

}  // namespace tmex::report
