// The report model: one typed document (sections, facts, tables, figures) that every writer
// renders.
#pragma once

#include <cstdint>
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
  kData = kJson | kCsv,  ///< the machine-readable formats
  kEveryone = kText | kJson | kCsv,
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
};

/// The kinds of figure; each expects its data columns in the order documented here.
enum class FigureKind {
  kTornado,    ///< horizontal bars with intervals: label, value, low, high (largest last)
  kIndexBars,  ///< paired bars with intervals: label, first, low, high, total, low, high
  kMuSigma,    ///< labelled points: label, mu*, mu, sigma
  kLines,      ///< one line per column after the first (x) against it
  kHistogram,  ///< bars: bin low, bin high, count
  kScatter,    ///< one panel per column but the last (y) against it
  kForest,     ///< points with interval bars around a line at 0: label, value, low, high (first
               ///< shown last)
};

/// A figure, drawn from its own data table.
struct Figure {
  FigureKind kind = FigureKind::kTornado;
  std::string name{};  ///< file stem, e.g. "tornado_prcc_y"
  std::string title{};
  std::string x_label{};
  std::string y_label{};
  Table data{};
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
  std::vector<Section> sections{};
};

/// `value` as text: numbers in `style`, lists joined by ", ", nothing as "".
std::string format_value(const Value& value, text::NumberStyle style);

}  // namespace tmex::report
