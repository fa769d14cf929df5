// The report model: one typed document (sections, facts, tables, figures) that every writer
// renders.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "text/number_text.hpp"

namespace tmex::report {

/// One cell or fact: nothing, text, a whole number, a number, a yes/no, or a list.
using Value =
    std::variant<std::monostate, std::string, std::int64_t, double, bool, std::vector<std::string>,
                 std::vector<std::int64_t>, std::vector<double>>;

/// Which writers show a part of the report (a bit set).
enum Audience : unsigned {
  kText = 1,             ///< the aligned text table and Markdown
  kJson = 2,             ///< JSON
  kCsv = 4,              ///< long-format CSV
  kHtml = 8,             ///< only documents (HTML), which also show everything for kText
  kData = kJson | kCsv,  ///< the machine-readable formats
  kEveryone = kText | kJson | kCsv | kHtml,
};

/// What a column holds; writers that reshape tables go by it (CSV's long format puts one
/// estimate per line with its interval and p-values; text joins an interval into one column).
enum class Role {
  kKey,        ///< identifies the row (parameter, output, time, ...)
  kStatistic,  ///< identifies the row and names its statistic in CSV (mean, q05, an event)
  kEstimate,   ///< a number in its own right (one CSV line each)
  kLow,        ///< lower end of the interval of the estimate `of`
  kHigh,       ///< upper end of that interval
  kPValue,     ///< the p-value of `of`
  kPAdjusted,  ///< the adjusted p-value of `of` (CSV's p_adjusted)
  kDetail,     ///< more about `of` (a t statistic, another adjustment, a count)
  kMarker,     ///< a short text shown beside (significance stars)
};

/// A column of a table.
struct Column {
  std::string key{};      ///< JSON field; for an estimate, its CSV statistic
  std::string heading{};  ///< text heading (for an interval: on its kLow column)
  Role role = Role::kEstimate;
  text::NumberStyle style = text::NumberStyle::kGeneral;  ///< of numbers in text
  std::string of{};  ///< the estimate a kLow ... kDetail column belongs to
  unsigned audience = kEveryone;
  bool log_scale = false;  ///< values spread over decades: figures draw them on a log axis
};

/// A named value: of a section (rows: 512) or of every row of a table (output: "y").
struct Fact {
  std::string key{};    ///< JSON field
  std::string label{};  ///< text label
  Value value{};
  text::NumberStyle style = text::NumberStyle::kGeneral;
  unsigned audience = kEveryone;
  bool estimate = false;  ///< a number CSV lists as an estimate of its own (a variance, R^2)
};

/// A table: columns and rows, with facts that hold for every row.
struct Table {
  std::string key{};    ///< tables of one key form one JSON array of their section
  std::string title{};  ///< the line above it in text, e.g. "output y (R^2 = 0.998)"
  std::vector<Fact> context{};
  std::vector<Column> columns{};
  std::vector<std::vector<Value>> rows{};  ///< one Value per column
  unsigned audience = kEveryone;
  bool folded = false;  ///< documents show it folded away (details), e.g. per-step values
};

/// The kinds of figure; each expects its data columns in the order documented here.
enum class FigureKind {
  /// Horizontal bars with intervals, largest on top: parameter, value, low, high, adjusted p
  /// (significance: colour and stars), dummy (yes/no). `band`: the dummies' interval.
  kTornado,
  /// Paired horizontal bars with intervals, largest on top: parameter, first, low, high, second,
  /// low, high (the headings of the two estimates name them in the key; NaN ends: no interval).
  kIndexBars,
  kMuSigma,    ///< labelled points (the 8 largest named): parameter, mu*, mu, sigma
  kLines,      ///< one line per column after the first (x) against it; the first 7 in colour
  kHistogram,  ///< bars: bin low, bin high, count (x_log: bins of equal width in log10)
  /// One panel per column but the last (y) against it; a column's log_scale gives a log axis.
  kScatter,
  /// One panel per parameter: probability of a 0/1 outcome in bins of the parameter: parameter,
  /// x (bin median), x low, x high, probability, low, high, log x (yes/no); rows grouped by
  /// parameter.
  kProbability,
  /// Points with interval whiskers around a dashed line at 0: label, value, low, high (the
  /// first row is drawn at the bottom, so a report lists its first entry last).
  kForest,
};

/// A shaded band across a figure's value axis (e.g. the dummy parameter's interval).
struct Band {
  double low = 0.0;
  double high = 0.0;
  std::string label{};
};

/// A figure, drawn from its own data table.
struct Figure {
  FigureKind kind = FigureKind::kTornado;
  std::string name{};  ///< file stem, e.g. "tornado_prcc_y"
  std::string title{};
  std::string x_label{};
  std::string y_label{};
  Table data{};
  bool x_log = false;  ///< a log x axis (lines, histograms)
  bool y_log = false;  ///< a log y axis (scatter: the output's)
  std::vector<Band> bands{};
  /// Bar charts: the value axis shows at most [axis_low, axis_high] (wider intervals run off it).
  double axis_low = -std::numeric_limits<double>::infinity();
  double axis_high = std::numeric_limits<double>::infinity();
  std::string caption{};  ///< a sentence under the figure in documents (what it shows)
  std::string output{};   ///< the output it shows: documents place it after that output's table
};

/// A section: a heading, paragraphs, facts, tables and figures, under a unique key.
struct Section {
  std::string key{};  ///< unique in the report; the JSON field and CSV section
  std::string heading{};
  std::vector<std::string> paragraphs{};
  bool bullets = false;  ///< the paragraphs are list items
  std::vector<Fact> facts{};
  std::vector<Table> tables{};
  std::vector<Figure> figures{};
};

/// A report: its title and sections in reading order.
struct Report {
  std::string title{};
  std::string subtitle{};  ///< one line under the title in documents (what, where, when)
  std::vector<Section> sections{};
};

/// The section of `report` under `key`; nullptr when it has none.
const Section* find_section(const Report& report, const std::string& key);
Section* find_section(Report& report, const std::string& key);

/// `value` as text: numbers in `style`, lists joined by ", ", nothing as "".
std::string format_value(const Value& value, text::NumberStyle style);

/// Cell `c` of `row` in table `t` as a document shows it: the value in its column's style, and
/// for a kLow column the whole interval "[low, high]" with its kHigh partner ("" when either end
/// is missing or NaN).
std::string cell_text(const Table& t, const std::vector<Value>& row, std::size_t c);

}  // namespace tmex::report
