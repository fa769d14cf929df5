// Trimming, splitting, identifiers and CSV quoting.
#include "text/strings.hpp"

#include <algorithm>
#include <cctype>

namespace tmex::text {

namespace {

constexpr std::string_view kBlanks = " \t\r\n";

bool ascii_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool ascii_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

std::string trim(std::string_view s) {
  const auto begin = s.find_first_not_of(kBlanks);
  if (begin == std::string_view::npos) return {};
  const auto end = s.find_last_not_of(kBlanks);
  return std::string(s.substr(begin, end - begin + 1));
}

std::vector<std::string> split_list(std::string_view s, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto end = std::min(s.find(separator, start), s.size());
    std::string field = trim(s.substr(start, end - start));
    if (!field.empty()) out.push_back(std::move(field));
    start = end + 1;
  }
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(ascii_letter(s[0]) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), ascii_word);
}

std::string csv_field(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace tmex::text
