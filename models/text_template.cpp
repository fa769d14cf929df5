// TextTemplate parsing and rendering, and the round-trip number format used in rendered text.
#include "models/text_template.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace tmex::models {

namespace {
bool starts_name(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool continues_name(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
}  // namespace

TextTemplate::TextTemplate(std::string_view text, const std::vector<std::string>& names)
    : used_(names.size(), false) {
  Piece current;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      current.literal += '{';
      i += 2;
      continue;
    }
    if (c == '{' && i + 1 < text.size() && starts_name(text[i + 1])) {
      std::size_t end = i + 1;
      while (end < text.size() && continues_name(text[end])) ++end;
      if (end < text.size() && text[end] == '}') {
        const std::string name(text.substr(i + 1, end - i - 1));
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
          std::string known;
          for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
          throw std::invalid_argument("unknown placeholder {" + name + "}; known: " + known +
                                      " (write {{ for a literal {)");
        }
        current.slot = static_cast<int>(it - names.begin());
        used_[static_cast<std::size_t>(current.slot)] = true;
        pieces_.push_back(std::move(current));
        current = Piece{};
        i = end + 1;
        continue;
      }
    }
    current.literal += c;
    ++i;
  }
  if (!current.literal.empty()) pieces_.push_back(std::move(current));
}

std::string TextTemplate::render(const std::vector<std::string>& values) const {
  std::string out;
  for (const auto& piece : pieces_) {
    out += piece.literal;
    if (piece.slot >= 0) out += values[static_cast<std::size_t>(piece.slot)];
  }
  return out;
}

std::string shortest_decimal(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, ec == std::errc() ? end : buf);
}

}  // namespace tmex::models
