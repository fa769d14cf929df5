// Formatting one value of the report model as text.
#include "report/report_model.hpp"

#include "text/strings.hpp"

namespace tmex::report {

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

}  // namespace tmex::report
