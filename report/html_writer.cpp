// write_html(): sections rendered generically into one HTML5 document with inline CSS and SVG.
#include "report/html_writer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>
#include <string_view>
#include <vector>

#include "report/figures.hpp"

namespace tmex::report {

namespace {

// Print-friendly, readable on screens, no web fonts (nothing is fetched). Text inside the SVG
// figures takes the document's sans-serif family (CSS overrides SVG presentation attributes).
constexpr std::string_view kStyle = R"css(
:root { --ink: #1f2328; --muted: #57606a; --rule: #d0d7de; --band: #f6f8fa; --accent: #4477aa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
header, main, footer, nav { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; border-bottom: 2px solid var(--accent); }
h1 { font-size: 26px; margin: 0 0 4px; }
header p { margin: 0 0 14px; color: var(--muted); }
nav { padding-top: 12px; }
nav ol { columns: 2; margin: 0; padding-left: 20px; color: var(--muted); }
nav a { color: var(--accent); text-decoration: none; }
section { padding: 8px 0 16px; border-bottom: 1px solid var(--rule); }
h2 { font-size: 20px; margin: 20px 0 8px; }
h3 { font-size: 15px; margin: 16px 0 4px; }
p, li { max-width: 80ch; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.table-wrap { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { padding: 2px 10px; border-bottom: 1px solid var(--rule); white-space: nowrap; }
th { text-align: left; background: var(--band); }
td.num { text-align: right; }
td:last-child:not(.num) { white-space: normal; min-width: 24ch; }
tbody tr:nth-child(even) { background: #fbfcfd; }
details { margin: 6px 0; }
summary { cursor: pointer; color: var(--accent); }
figure { margin: 12px 0 20px; }
figure svg { max-width: 100%; height: auto; display: block; }
figure svg text { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
figcaption { color: var(--muted); font-size: 13px; max-width: 90ch; }
.missing-figure { border: 2px dashed #ee6677; padding: 16px; color: #a0303d; }
.warnings { border-left: 4px solid #ccbb44; background: #fffbea; padding: 4px 12px; }
footer { color: var(--muted); font-size: 12px; padding: 16px 24px 32px; }
@media print { nav { display: none; } section { break-inside: auto; } figure { break-inside: avoid; } }
)css";

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool shown_in_document(unsigned audience) { return (audience & (kText | kHtml)) != 0; }

bool numeric(const Value& v) {
  return std::holds_alternative<double>(v) || std::holds_alternative<std::int64_t>(v);
}

void write_table(const Table& t, std::ostream& out) {
  std::vector<std::size_t> columns;
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (shown_in_document(t.columns[c].audience) && t.columns[c].role != Role::kHigh) {
      columns.push_back(c);
    }
  }
  out << "<div class=\"table-wrap\"><table>";
  if (!t.title.empty()) out << "<caption>" << escape(t.title) << "</caption>";
  out << "<thead><tr>";
  for (const auto c : columns) out << "<th>" << escape(t.columns[c].heading) << "</th>";
  out << "</tr></thead><tbody>\n";
  for (const auto& row : t.rows) {
    out << "<tr>";
    for (const auto c : columns) {
      const bool number = numeric(row[c]) || t.columns[c].role == Role::kLow;
      out << (number ? "<td class=\"num\">" : "<td>") << escape(cell_text(t, row, c)) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody></table></div>\n";
}

// `svg` with its XML prologue dropped, its title set and every id (and reference to one)
// prefixed by `prefix`: gnuplot names its point symbols and plots alike in every file.
std::string inline_svg(std::string svg, const std::string& prefix, const std::string& title) {
  if (const auto start = svg.find("<svg"); start != std::string::npos) svg.erase(0, start);
  std::string out;
  out.reserve(svg.size() + 1024);
  static constexpr std::string_view kPatterns[] = {"id=\"", "id='", "href=\"#", "href='#", "url(#"};
  for (std::size_t i = 0; i < svg.size();) {
    bool matched = false;
    for (const auto pattern : kPatterns) {
      if (svg.compare(i, pattern.size(), pattern) == 0 &&
          (pattern[0] != 'i' || i == 0 || svg[i - 1] == ' ' || svg[i - 1] == '\n')) {
        out += pattern;
        out += prefix;
        i += pattern.size();
        matched = true;
        break;
      }
    }
    if (!matched) out += svg[i++];
  }
  const auto t = out.find("<title>");
  const auto e = out.find("</title>");
  if (t != std::string::npos && e != std::string::npos && e > t) {
    out.replace(t, e - t, "<title>" + escape(title));
  }
  return out;
}

void write_figure(const Figure& f, int number, const HtmlInputs& in, std::ostream& out) {
  const std::string stem = figure_file_stem(f.name);
  out << "<figure id=\"fig-" << escape(stem) << "\" data-figure=\"" << escape(stem) << "\">\n";
  if (const auto it = in.svg.find(stem); it != in.svg.end() && !it->second.empty()) {
    out << inline_svg(it->second, "f" + std::to_string(number) + "-", f.title) << '\n';
  } else {
    out << "<div class=\"missing-figure\">Figure " << number << " (" << escape(stem)
        << ") could not be drawn: " << escape(in.missing_reason) << "</div>\n";
  }
  out << "<figcaption><b>Figure " << number << ".</b> " << escape(f.title) << ". "
      << escape(f.caption) << "</figcaption></figure>\n";
}

std::string output_of(const Table& t) {
  for (const auto& f : t.context) {
    if (f.key == "output") {
      if (const auto* s = std::get_if<std::string>(&f.value)) return *s;
    }
  }
  return "";
}

void write_section(const Section& s, int& figure_number, const HtmlInputs& in, std::ostream& out) {
  out << "<section id=\"sec-" << escape(s.key) << "\">\n";
  if (!s.heading.empty()) out << "<h2>" << escape(s.heading) << "</h2>\n";
  if (s.bullets && !s.paragraphs.empty()) {
    out << "<ul" << (s.key == "warnings" ? " class=\"warnings\"" : "") << ">\n";
    for (const auto& p : s.paragraphs) out << "<li>" << escape(p) << "</li>\n";
    out << "</ul>\n";
  } else {
    for (const auto& p : s.paragraphs) out << "<p>" << escape(p) << "</p>\n";
  }
  bool any_fact = false;
  for (const auto& f : s.facts) {
    if (!shown_in_document(f.audience) || f.label.empty()) continue;
    if (!any_fact) out << "<dl class=\"facts\">\n";
    any_fact = true;
    out << "<dt>" << escape(f.label) << "</dt><dd>" << escape(format_value(f.value, f.style))
        << "</dd>\n";
  }
  if (any_fact) out << "</dl>\n";
  // Figures follow the table of the output they show; the others come last.
  std::set<std::size_t> placed;
  const auto figures_of = [&](const std::string& output) {
    for (std::size_t i = 0; i < s.figures.size(); ++i) {
      if (placed.count(i) || output.empty() || s.figures[i].output != output) continue;
      placed.insert(i);
      write_figure(s.figures[i], ++figure_number, in, out);
    }
  };
  for (const auto& t : s.tables) {
    if (!shown_in_document(t.audience)) continue;
    const bool extra = t.folded;
    if (extra) {
      out << "<details><summary>" << escape(t.title.empty() ? t.key : t.title)
          << ": values</summary>\n";
    }
    write_table(t, out);
    if (extra) out << "</details>\n";
    figures_of(output_of(t));
  }
  for (std::size_t i = 0; i < s.figures.size(); ++i) {
    if (!placed.count(i)) write_figure(s.figures[i], ++figure_number, in, out);
  }
  out << "</section>\n";
}

std::size_t figure_count(const Report& r) {
  std::size_t n = 0;
  for (const auto& s : r.sections) n += s.figures.size();
  return n;
}

}  // namespace

void write_html(const Report& report, const HtmlInputs& inputs, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"generator\" content=\"" << escape(inputs.generator) << "\">\n"
      << "<meta name=\"tmex-figures\" content=\"" << figure_count(report) << "\">\n"
      << "<title>" << escape(report.title) << "</title>\n<style>" << kStyle << "</style>\n"
      << "</head>\n<body>\n<header><h1>" << escape(report.title) << "</h1>\n";
  if (!report.subtitle.empty()) out << "<p>" << escape(report.subtitle) << "</p>\n";
  out << "</header>\n<nav><ol>\n";
  for (const auto& s : report.sections) {
    if (s.heading.empty()) continue;
    out << "<li><a href=\"#sec-" << escape(s.key) << "\">" << escape(s.heading) << "</a></li>\n";
  }
  out << "</ol></nav>\n<main>\n";
  int figure_number = 0;
  for (const auto& s : report.sections) write_section(s, figure_number, inputs, out);
  out << "</main>\n<footer>Made by " << escape(inputs.generator)
      << (inputs.created.empty() ? "" : " on " + escape(inputs.created))
      << ". Figures are inline SVG; every number is also in <code>tmex analyze --format json"
         "</code>.</footer>\n</body>\n</html>\n";
}

}  // namespace tmex::report
