// The four writers of the report model; table and Markdown share one list of text blocks.
#include "report/writers.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "text/strings.hpp"

namespace tmex::report {

namespace {

// A section's part as text: a titled table of strings, or paragraphs when it has no header.
struct TextBlock {
  std::string heading;  // level 2 when not empty
  std::string title;    // a line above the table (level 3 in Markdown)
  std::string text;     // paragraphs
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> left;  // per column: left-aligned (text) instead of right (numbers)
};

bool shown(unsigned audience, unsigned to) { return (audience & to) != 0; }

bool left_aligned(Role role) {
  return role == Role::kKey || role == Role::kStatistic || role == Role::kMarker;
}

// The text columns of a table: every column for text but interval ends, which join their low.
std::vector<std::size_t> text_columns(const Table& t) {
  std::vector<std::size_t> out;
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (shown(t.columns[c].audience, kText) && t.columns[c].role != Role::kHigh) out.push_back(c);
  }
  return out;
}

std::vector<TextBlock> text_blocks(const Report& report) {
  std::vector<TextBlock> blocks;
  for (const auto& s : report.sections) {
    TextBlock intro;
    intro.heading = s.heading;
    for (const auto& p : s.paragraphs) {
      intro.text += std::string(intro.text.empty() ? "" : "\n") + (s.bullets ? "- " : "") + p;
    }
    for (const auto& f : s.facts) {
      if (!shown(f.audience, kText)) continue;
      if (intro.header.empty()) {
        intro.header = {"", ""};
        intro.left = {true, true};
      }
      intro.rows.push_back({f.label, format_value(f.value, f.style)});
    }
    std::vector<TextBlock> tables;
    for (const auto& t : s.tables) {
      if (!shown(t.audience, kText)) continue;
      TextBlock b;
      b.title = t.title;
      const auto columns = text_columns(t);
      for (const auto c : columns) {
        b.header.push_back(t.columns[c].heading);
        b.left.push_back(left_aligned(t.columns[c].role));
      }
      for (const auto& row : t.rows) {
        std::vector<std::string> cells;
        for (const auto c : columns) cells.push_back(cell_text(t, row, c));
        b.rows.push_back(std::move(cells));
      }
      tables.push_back(std::move(b));
    }
    if (intro.text.empty() && intro.header.empty() && tables.empty()) continue;
    blocks.push_back(std::move(intro));
    for (auto& b : tables) blocks.push_back(std::move(b));
  }
  return blocks;
}

// Breaks a paragraph into lines of at most `width` characters at spaces; keeps its newlines,
// and indents continuation lines of "- " items by two spaces.
std::string wrap(const std::string& text, std::size_t width = 96) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    const std::string indent = line.rfind("- ", 0) == 0 ? "  " : "";
    std::size_t column = 0;
    std::size_t pos = 0;
    while (pos < line.size()) {
      auto next = line.find(' ', pos);
      if (next == std::string::npos) next = line.size();
      const std::string word = line.substr(pos, next - pos);
      if (column > 0 && column + 1 + word.size() > width) {
        out += '\n' + indent;
        column = indent.size();
      } else if (column > 0) {
        out += ' ';
        ++column;
      }
      out += word;
      column += word.size();
      pos = next + 1;
    }
    out += '\n';
    start = end + 1;
  }
  return out;
}

void write_aligned(const std::vector<TextBlock>& blocks, std::ostream& out) {
  bool first_block = true;
  for (const auto& b : blocks) {
    if (!b.heading.empty()) {
      if (!first_block) out << '\n';
      out << b.heading << '\n' << std::string(b.heading.size(), '=') << '\n';
    }
    first_block = false;
    if (!b.text.empty()) out << wrap(b.text);
    if (b.header.empty()) continue;
    if (!b.title.empty()) out << '\n' << wrap(b.title);
    std::vector<std::size_t> width(b.header.size(), 0);
    const bool has_header = std::any_of(b.header.begin(), b.header.end(),
                                        [](const std::string& h) { return !h.empty(); });
    for (std::size_t c = 0; c < b.header.size(); ++c) {
      width[c] = b.header[c].size();
      for (const auto& row : b.rows) width[c] = std::max(width[c], row[c].size());
    }
    const auto line = [&](const std::vector<std::string>& cells) {
      std::string s = " ";
      for (std::size_t c = 0; c < cells.size(); ++c) {
        const std::size_t pad = width[c] - cells[c].size();
        s += "  ";
        s += b.left[c] ? cells[c] + std::string(pad, ' ') : std::string(pad, ' ') + cells[c];
      }
      s.erase(s.find_last_not_of(' ') + 1);
      out << s << '\n';
    };
    if (has_header) line(b.header);
    for (const auto& row : b.rows) line(row);
  }
}

void write_markdown(const std::string& title, const std::vector<TextBlock>& blocks,
                    std::ostream& out) {
  out << "# " << title << '\n';
  const auto cell = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '|' || c == '*') o += '\\';
      o += c;
    }
    return o;
  };
  for (const auto& b : blocks) {
    if (!b.heading.empty()) out << "\n## " << b.heading << '\n';
    if (!b.text.empty()) out << '\n' << b.text << '\n';
    if (b.header.empty()) continue;
    if (!b.title.empty()) out << "\n### " << b.title << '\n';
    out << "\n|";
    for (const auto& h : b.header) out << ' ' << cell(h) << " |";
    out << "\n|";
    for (std::size_t c = 0; c < b.header.size(); ++c) out << (b.left[c] ? " --- |" : " ---: |");
    out << '\n';
    for (const auto& row : b.rows) {
      out << '|';
      for (const auto& x : row) out << ' ' << cell(x) << " |";
      out << '\n';
    }
  }
}

// A number for CSV and JSON: exact, NaN as nothing.
std::string csv_number(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) {
    return std::isnan(*d) ? "" : text::format_number(*d, text::NumberStyle::kShortest);
  }
  return format_value(v, text::NumberStyle::kShortest);
}

// True when a table of the CSV names arms (a report of a campaign with arms): the CSV then
// has arm and reference columns.
bool names_arms(const Report& report) {
  for (const auto& s : report.sections) {
    for (const auto& t : s.tables) {
      if (!shown(t.audience, kCsv)) continue;
      for (const auto& f : t.context) {
        if (f.key == "arm") return true;
      }
      for (const auto& c : t.columns) {
        if (c.key == "arm" && c.role == Role::kKey) return true;
      }
    }
  }
  return false;
}

// One CSV line per estimate: identifiers from the row and the table's facts.
void write_csv_table(const std::string& section, const Table& t, bool arms, std::ostream& out) {
  std::map<std::string, std::string> context;
  for (const auto& f : t.context) context[f.key] = csv_number(f.value);
  const auto line = [&](const std::map<std::string, std::string>& id, const std::string& statistic,
                        const std::string& estimate, const std::string& low,
                        const std::string& high, const std::string& p, const std::string& padj) {
    const auto get = [&](const char* key) {
      const auto it = id.find(key);
      return it == id.end() ? std::string() : text::csv_field(it->second);
    };
    out << section << ',';
    if (arms) out << get("arm") << ',' << get("reference") << ',';
    out << get("output") << ',' << get("parameter") << ',' << get("time") << ','
        << text::csv_field(statistic) << ',' << estimate << ',' << low << ',' << high << ',' << p
        << ',' << padj << '\n';
  };
  for (const auto& f : t.context) {
    if (f.estimate) line(context, f.key, csv_number(f.value), "", "", "", "");
  }
  for (const auto& row : t.rows) {
    std::map<std::string, std::string> id = context;
    std::string statistic;
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      const Column& col = t.columns[c];
      if (col.role == Role::kKey) id[col.key] = csv_number(row[c]);
      if (col.role == Role::kStatistic) statistic = csv_number(row[c]);
    }
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      const Column& e = t.columns[c];
      if (e.role != Role::kEstimate || !shown(e.audience, kCsv)) continue;
      std::string parts[4];  // low, high, p, p adjusted
      for (std::size_t d = 0; d < t.columns.size(); ++d) {
        const Column& col = t.columns[d];
        if (col.of != e.key) continue;
        const int slot = col.role == Role::kLow         ? 0
                         : col.role == Role::kHigh      ? 1
                         : col.role == Role::kPValue    ? 2
                         : col.role == Role::kPAdjusted ? 3
                                                        : -1;
        if (slot >= 0) parts[slot] = csv_number(row[d]);
      }
      line(id, statistic.empty() ? e.key : statistic, csv_number(row[c]), parts[0], parts[1],
           parts[2], parts[3]);
    }
  }
}

void write_csv(const Report& report, std::ostream& out) {
  const bool arms = names_arms(report);
  out << "section," << (arms ? "arm,reference," : "")
      << "output,parameter,time,statistic,estimate,ci_low,ci_high,p_value,p_adjusted\n";
  for (const auto& s : report.sections) {
    for (const auto& f : s.facts) {
      if (!f.estimate || !shown(f.audience, kCsv)) continue;
      out << s.key << (arms ? ",,,,," : ",,,,") << text::csv_field(f.key) << ','
          << csv_number(f.value) << ",,,,\n";
    }
    for (const auto& t : s.tables) {
      if (shown(t.audience, kCsv)) write_csv_table(s.key, t, arms, out);
    }
  }
}

nlohmann::ordered_json json_value(const Value& v) {
  struct Visitor {
    nlohmann::ordered_json operator()(std::monostate) const { return nullptr; }
    nlohmann::ordered_json operator()(const std::string& s) const { return s; }
    nlohmann::ordered_json operator()(std::int64_t x) const { return x; }
    nlohmann::ordered_json operator()(double x) const {
      return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json();
    }
    nlohmann::ordered_json operator()(bool x) const { return x; }
    nlohmann::ordered_json operator()(const std::vector<std::string>& x) const { return x; }
    nlohmann::ordered_json operator()(const std::vector<std::int64_t>& x) const { return x; }
    nlohmann::ordered_json operator()(const std::vector<double>& x) const {
      auto a = nlohmann::ordered_json::array();
      for (double d : x) a.push_back((*this)(d));
      return a;
    }
  };
  return std::visit(Visitor{}, v);
}

void write_json(const Report& report, std::ostream& out) {
  nlohmann::ordered_json j;
  j["report"] = report.title;
  for (const auto& s : report.sections) {
    nlohmann::ordered_json section = nlohmann::ordered_json::object();
    if (!s.heading.empty()) section["heading"] = s.heading;
    if (!s.paragraphs.empty()) section["text"] = s.paragraphs;
    for (const auto& f : s.facts) {
      if (shown(f.audience, kJson)) section[f.key] = json_value(f.value);
    }
    for (const auto& t : s.tables) {
      if (!shown(t.audience, kJson)) continue;
      nlohmann::ordered_json table = nlohmann::ordered_json::object();
      for (const auto& f : t.context) {
        if (shown(f.audience, kJson)) table[f.key] = json_value(f.value);
      }
      auto rows = nlohmann::ordered_json::array();
      for (const auto& row : t.rows) {
        nlohmann::ordered_json r = nlohmann::ordered_json::object();
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
          if (shown(t.columns[c].audience, kJson)) r[t.columns[c].key] = json_value(row[c]);
        }
        rows.push_back(std::move(r));
      }
      table["rows"] = std::move(rows);
      if (!section.contains(t.key)) section[t.key] = nlohmann::ordered_json::array();
      section[t.key].push_back(std::move(table));
    }
    // A section of figures or documents only has nothing for JSON but its heading.
    if (section.empty() || (section.size() == 1 && section.contains("heading"))) continue;
    j[s.key] = std::move(section);
  }
  out << j.dump(1) << '\n';
}

}  // namespace

Format parse_format(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "markdown") return Format::kMarkdown;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  throw std::invalid_argument("unknown format '" + std::string(name) +
                              "'; expected table, csv, json or markdown");
}

void write_report(const Report& report, Format format, std::ostream& out) {
  switch (format) {
    case Format::kTable:
      write_aligned(text_blocks(report), out);
      break;
    case Format::kMarkdown:
      write_markdown(report.title, text_blocks(report), out);
      break;
    case Format::kCsv:
      write_csv(report, out);
      break;
    case Format::kJson:
      write_json(report, out);
      break;
  }
}

}  // namespace tmex::report
