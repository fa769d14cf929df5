// TextTemplate: text with {name} placeholders, parsed once and rendered for each evaluation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tmex::models {

/// A text with placeholders. `{name}`, where name is a letter or _ followed by letters, digits
/// or _, is a placeholder and must be one of the names given; `{{` is a literal `{`; every
/// other character, other braces included (JSON, shell `${...}` written `${{...}`), is copied.
class TextTemplate {
 public:
  TextTemplate() = default;
  /// Parses `text` against `names`. Throws std::invalid_argument naming an unknown placeholder
  /// and listing the known names.
  TextTemplate(std::string_view text, const std::vector<std::string>& names);

  /// The text with each placeholder replaced by values[i] for names[i] (values.size() ==
  /// names.size()). Thread-safe (const).
  std::string render(const std::vector<std::string>& values) const;

  /// Whether names[i] occurs as a placeholder.
  bool uses(std::size_t i) const { return i < used_.size() && used_[i]; }

 private:
  struct Piece {
    std::string literal;  ///< copied first
    int slot = -1;        ///< then the value of names[slot]; -1: none
  };
  std::vector<Piece> pieces_;
  std::vector<bool> used_;
};

/// The shortest decimal text that reads back as exactly `value` ("0.1", "1e-07", "nan").
std::string shortest_decimal(double value);

}  // namespace tmex::models
