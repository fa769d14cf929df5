// Words, names and lists as text: joining, trimming, splitting, identifiers, CSV fields.
#pragma once

#include <functional>
#include <ranges>
#include <string>
#include <string_view>
#include <vector>

namespace tmex::text {

/// The items of `range`, each passed through `project` (default: as they are), separated by
/// `separator`: join(names) is "a, b, c". Thread-safe.
template <std::ranges::input_range Range, class Project = std::identity>
std::string join(const Range& range, std::string_view separator = ", ", Project project = {}) {
  std::string out;
  bool first = true;
  for (const auto& item : range) {
    if (!first) out += separator;
    first = false;
    out += std::invoke(project, item);
  }
  return out;
}

/// `s` without leading and trailing blanks (space, tab, CR, LF).
std::string trim(std::string_view s);

/// The non-empty, trimmed fields of `s` between `separator`s: "a, b,,c" is {a, b, c}.
std::vector<std::string> split_list(std::string_view s, char separator = ',');

/// True for a letter or '_' followed by letters, digits or '_' (ASCII): the names tmex accepts
/// for parameters, outputs and placeholders.
bool is_identifier(std::string_view s);

/// `field` as one CSV field (RFC 4180): unchanged unless it holds a comma, a double quote, CR
/// or LF, else in double quotes with its quotes doubled.
std::string csv_field(std::string_view field);

}  // namespace tmex::text
