// The report as one self-contained HTML document: CSS and figures (SVG) inline, no script.
#pragma once

#include <map>
#include <ostream>
#include <string>

#include "report/report_model.hpp"

namespace tmex::report {

/// What a document needs besides the report: figures drawn as SVG, and words about its making.
struct HtmlInputs {
  /// SVG text per figure file stem (figure_file_stem(figure.name)); a figure without one is
  /// shown as a box saying why (`missing_reason`), so that a reader and a test see the gap.
  std::map<std::string, std::string> svg;
  std::string missing_reason = "not drawn";
  std::string generator;  ///< e.g. "tmex 0.3.0", in the footer and a meta tag
  std::string created;    ///< when it was made (ISO 8601), in the footer
};

/// Writes `report` as HTML5: a header, a table of contents, each section with its paragraphs
/// (or list), facts (a definition list), tables (every column shown to text or documents; an
/// interval as "[low, high]"; tables only for documents inside a <details> element) and figures
/// (after the table of the output they show; inline SVG with its element ids prefixed so that
/// figures never share one; numbered captions). Sections are rendered generically, so a new
/// kind of section needs no code here. The document loads nothing (no network, no script), and
/// holds `<meta name="tmex-figures" content="N">` with the number of figures and one
/// `<figure data-figure="STEM">` per figure, so that tests can count them.
void write_html(const Report& report, const HtmlInputs& inputs, std::ostream& out);

}  // namespace tmex::report
