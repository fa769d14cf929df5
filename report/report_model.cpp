// Finding a section of a report, and formatting one value of the report model as text.
#include "report/report_model.hpp"

#include "text/strings.hpp"

namespace tmex::report {

namespace {

// Both find_section()s: R is Report or const Report.
template <typename R>
auto find_in(R& report, const std::string& key) -> decltype(&report.sections.front()) {
  for (auto& s : report.sections) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

}  // namespace

const Section* find_section(const Report& report, const std::string& key) {
  return find_in(report, key);
}

Section* find_section(Report& report, const std::string& key) { return find_in(report, key); }

std::string format_value(const Value& value, text::NumberStyle style) {
  struct Visitor {
    text::NumberStyle style;
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return text::format_number(v, style); }
    std::string operator()(bool v) const { return v ? "yes" : "no"; }
    std::string operator()(const std::vector<std::string>& v) const { return text::join(v); }
    std::string operator()(const std::vector<std::int64_t>& v) const {
      return text::join(v, ", ", [](std::int64_t x) { return std::to_string(x); });
    }
    std::string operator()(const std::vector<double>& v) const {
      return text::join(v, ", ", [&](double x) { return text::format_number(x, style); });
    }
  };
  return std::visit(Visitor{style}, value);
}

namespace {

// The kHigh column that ends the interval starting at column `low`.
std::size_t high_of(const Table& t, std::size_t low) {
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (t.columns[c].role == Role::kHigh && t.columns[c].of == t.columns[low].of) return c;
  }
  return low;
}

}  // namespace

std::string cell_text(const Table& t, const std::vector<Value>& row, std::size_t c) {
  const Column& col = t.columns[c];
  if (col.role != Role::kLow) return format_value(row[c], col.style);
  const std::string lo = format_value(row[c], col.style);
  const std::string hi = format_value(row[high_of(t, c)], col.style);
  if (lo.empty() || lo == "nan" || hi.empty() || hi == "nan") return "";
  return "[" + lo + ", " + hi + "]";
}

}  // namespace tmex::report
