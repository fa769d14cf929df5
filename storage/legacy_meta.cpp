// Reading schema-1 descriptions ("kind(name=value, ...)") back into typed metadata.
#include "storage/legacy_meta.hpp"

#include <charconv>
#include <limits>
#include <sstream>

#include "text/strings.hpp"

namespace tmex::storage {

namespace {

// A number as %.17g wrote it ("inf" and "-inf" included); nullopt-like false when it is not one.
bool read_number(const std::string& text, double& value) {
  const std::string t = text::trim(text);
  if (t == "inf") {
    value = std::numeric_limits<double>::infinity();
    return true;
  }
  if (t == "-inf") {
    value = -std::numeric_limits<double>::infinity();
    return true;
  }
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  return ec == std::errc() && end == t.data() + t.size() && !t.empty();
}

}  // namespace

DesignLayout legacy_design_layout(const std::string& design, std::size_t parameters) {
  DesignLayout layout;
  layout.kind = design.substr(0, design.find('('));
  if (layout.kind == "extension") layout.kind = "lhs";
  if (layout.kind == "saltelli") layout.group_size = parameters + 2;
  if (layout.kind == "morris") layout.group_size = parameters + 1;
  return layout;
}

void fill_legacy_parameter(ParameterColumn& column, const std::string& config) {
  column.kind.clear();
  column.arguments.clear();
  const std::string& d = column.distribution;
  const auto open = d.find('(');
  if (open != std::string::npos && !d.empty() && d.back() == ')') {
    const std::string kind = d.substr(0, open);
    const std::string body = d.substr(open + 1, d.size() - open - 2);
    std::vector<DistributionArgument> arguments;
    bool ok = true;
    if (kind == "discrete") {
      const auto lb = body.find('[');
      const auto rb = body.rfind(']');
      ok = body.rfind("levels=", 0) == 0 && lb != std::string::npos && rb != std::string::npos;
      if (ok) {
        for (const auto& field : text::split_list(body.substr(lb + 1, rb - lb - 1))) {
          DistributionArgument a{"level", 0.0};
          ok = ok && read_number(field, a.value);
          arguments.push_back(a);
        }
      }
    } else {
      for (const auto& field : text::split_list(body)) {
        const auto eq = field.find('=');
        DistributionArgument a{field.substr(0, eq), 0.0};
        ok = ok && eq != std::string::npos && read_number(field.substr(eq + 1), a.value);
        arguments.push_back(a);
      }
    }
    if (ok && !arguments.empty()) {
      column.kind = kind;
      column.arguments = std::move(arguments);
    }
  }
  std::istringstream lines(config);
  const std::string prefix = "parameters." + column.name + ": ";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) == 0) {
      column.dummy = line.size() >= 6 && line.compare(line.size() - 6, 6, " dummy") == 0;
    }
  }
}

}  // namespace tmex::storage
