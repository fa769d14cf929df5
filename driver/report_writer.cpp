// The four report formats of `tmex analyze`; table and Markdown share one list of text tables.
#include "driver/report_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <string_view>
#include <vector>

#include "driver/errors.hpp"

namespace tmex::driver {

namespace {

// A titled table of strings, or a paragraph when it has no header.
struct TextBlock {
  std::string heading;  ///< a section heading (level 2) when not empty
  std::string title;    ///< a line above the table (level 3 in Markdown)
  std::string text;     ///< a paragraph
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> left;  ///< per column: left-aligned (text) instead of right (numbers)
};

std::string num(double v, int digits = 4) {
  if (std::isnan(v)) return "nan";
  return fmt::format("{:.{}g}", v, digits);
}

std::string coef(double v) {
  if (std::isnan(v)) return "nan";
  return fmt::format("{:.4f}", v);
}

std::string pval(double p) {
  if (std::isnan(p)) return "nan";
  if (p == 0.0) return "<1e-300";
  if (p >= 0.001) return fmt::format("{:.3f}", p);
  return fmt::format("{:.1e}", p);
}

std::string interval(double lo, double hi, bool coefficient) {
  if (std::isnan(lo) || std::isnan(hi)) return "";
  return coefficient ? fmt::format("[{:.4f}, {:.4f}]", lo, hi)
                     : fmt::format("[{}, {}]", num(lo), num(hi));
}

std::string upper_name(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string percent(double c) { return fmt::format("{:g}%", 100.0 * c); }

// Parameter rows of column j sorted by decreasing |value| (NaN last).
std::vector<Eigen::Index> order_by_size(const Eigen::MatrixXd& values, Eigen::Index j) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(values.rows()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    const double x = std::abs(values(a, j)), y = std::abs(values(b, j));
    if (std::isnan(x)) return false;
    if (std::isnan(y)) return true;
    return x > y;
  });
  return order;
}

std::string quantile_name(double level) { return fmt::format("q{:02g}", 100.0 * level); }

std::vector<TextBlock> text_blocks(const AnalysisReport& r) {
  std::vector<TextBlock> blocks;
  {
    TextBlock b;
    b.heading = "Campaign";
    b.header = {"", ""};
    b.left = {true, true};
    b.rows.push_back({"store", r.store});
    b.rows.push_back({"campaign", r.campaign});
    b.rows.push_back({"model", r.model});
    b.rows.push_back({"design", r.design});
    b.rows.push_back({"runs", fmt::format("{} stored of {}: {} ok, {} failed (excluded)",
                                          r.stored_runs, r.total_runs, r.ok_runs, r.failed_runs)});
    if (r.replicates > 1) b.rows.push_back({"replicates", std::to_string(r.replicates)});
    std::string methods;
    for (const auto& m : r.methods) methods += (methods.empty() ? "" : ", ") + m;
    b.rows.push_back({"methods", methods});
    blocks.push_back(std::move(b));
  }
  {
    TextBlock b;
    b.heading = "Failures";
    b.text = r.failures ? r.failures->summary : "No run failed.";
    blocks.push_back(std::move(b));
  }
  if (!r.notes.empty()) {
    TextBlock b;
    b.heading = "Notes";
    for (const auto& n : r.notes) b.text += (b.text.empty() ? "- " : "\n- ") + n;
    blocks.push_back(std::move(b));
  }
  for (const auto& c : r.correlations) {
    const auto& t = c.table;
    TextBlock intro;
    intro.heading = c.title;
    intro.text = fmt::format(
        "{} rows; {} Fisher-z intervals; two-sided p from Student's t (df = {:g}); p (BH) "
        "adjusted by Benjamini-Hochberg across all {} parameter-output pairs; * p (BH) < 0.05, "
        "** < 0.01, *** < 0.001. Parameters sorted by |coefficient|.",
        t.samples, percent(t.confidence), t.degrees_of_freedom, t.coefficient.size());
    blocks.push_back(std::move(intro));
    for (Eigen::Index j = 0; j < t.coefficient.cols(); ++j) {
      TextBlock b;
      b.title = "output " + t.outputs[static_cast<std::size_t>(j)];
      b.header = {"parameter", upper_name(c.method), percent(t.confidence) + " CI", "p", "p (BH)",
                  ""};
      b.left = {true, false, false, false, false, true};
      for (auto i : order_by_size(t.coefficient, j)) {
        b.rows.push_back({t.parameters[static_cast<std::size_t>(i)], coef(t.coefficient(i, j)),
                          interval(t.ci_low(i, j), t.ci_high(i, j), true), pval(t.p_value(i, j)),
                          pval(t.p_bh(i, j)), significance_marker(t.p_bh(i, j))});
      }
      blocks.push_back(std::move(b));
    }
  }
  for (const auto& g : r.regressions) {
    const auto& t = g.table;
    TextBlock intro;
    intro.heading = g.title;
    intro.text = fmt::format(
        "{} rows. R^2 is the share of the output's {}variance the linear model "
        "explains; below about 0.7 the coefficients miss much of it.",
        t.samples, g.method == "srrc" ? "rank " : "");
    blocks.push_back(std::move(intro));
    for (Eigen::Index j = 0; j < t.coefficient.cols(); ++j) {
      TextBlock b;
      b.title = fmt::format("output {} (R^2 = {:.3f})", t.outputs[static_cast<std::size_t>(j)],
                            t.r_squared[j]);
      b.header = {"parameter", upper_name(g.method)};
      b.left = {true, false};
      for (auto i : order_by_size(t.coefficient, j)) {
        b.rows.push_back({t.parameters[static_cast<std::size_t>(i)], coef(t.coefficient(i, j))});
      }
      blocks.push_back(std::move(b));
    }
  }
  if (r.sobol) {
    const auto& s = *r.sobol;
    TextBlock intro;
    intro.heading = "Sobol' indices";
    intro.text = fmt::format(
        "{} base rows; first order S1 (Saltelli 2010) and total ST (Jansen 1999); {} percentile "
        "bootstrap intervals over the base rows ({} resamples). Parameters sorted by ST. "
        "ST - S1 is the share of variance from interactions.",
        s.base_rows, percent(s.confidence), s.resamples);
    blocks.push_back(std::move(intro));
    for (Eigen::Index j = 0; j < s.first.cols(); ++j) {
      TextBlock b;
      b.title = fmt::format("output {} (variance {})", s.outputs[static_cast<std::size_t>(j)],
                            num(s.variance[j]));
      const std::string ci = percent(s.confidence) + " CI";
      b.header = {"parameter", "S1", ci, "ST", ci};
      b.left = {true, false, false, false, false};
      for (auto i : order_by_size(s.total, j)) {
        b.rows.push_back({s.parameters[static_cast<std::size_t>(i)], coef(s.first(i, j)),
                          interval(s.first_low(i, j), s.first_high(i, j), true),
                          coef(s.total(i, j)),
                          interval(s.total_low(i, j), s.total_high(i, j), true)});
      }
      blocks.push_back(std::move(b));
    }
  }
  if (r.morris) {
    const auto& s = *r.morris;
    TextBlock intro;
    intro.heading = "Morris elementary effects";
    intro.text = fmt::format(
        "{} trajectories; effects per unit fraction of each parameter's range. mu* (mean |EE|) "
        "ranks importance, mu its sign, sigma non-linearity or interactions. Intervals of mu*: "
        "{} percentile bootstrap. Parameters sorted by mu*.",
        s.trajectories, percent(r.confidence));
    blocks.push_back(std::move(intro));
    for (Eigen::Index j = 0; j < s.mu.cols(); ++j) {
      TextBlock b;
      b.title = "output " + s.outputs[static_cast<std::size_t>(j)];
      b.header = {"parameter", "mu*", percent(r.confidence) + " CI", "mu", "sigma", "effects"};
      b.left = {true, false, false, false, false, false};
      for (auto i : order_by_size(s.mu_star, j)) {
        b.rows.push_back({s.parameters[static_cast<std::size_t>(i)], num(s.mu_star(i, j)),
                          interval(s.mu_star_low(i, j), s.mu_star_high(i, j), false),
                          num(s.mu(i, j)), num(s.sigma(i, j)),
                          std::to_string(s.effects[static_cast<std::size_t>(i)])});
      }
      blocks.push_back(std::move(b));
    }
  }
  if (r.convergence) {
    TextBlock b;
    b.heading = "Convergence";
    std::string sizes;
    for (auto n : r.convergence->sample_sizes)
      sizes += (sizes.empty() ? "" : ", ") + std::to_string(n);
    b.text = fmt::format("Indices recomputed on the leading {} {}: {}.", sizes,
                         r.sobol ? "base rows" : "rows", r.convergence->verdict);
    blocks.push_back(std::move(b));
  }
  for (const auto& tc : r.time_courses) {
    const auto& t = tc.table;
    constexpr std::size_t kMaxColumns = 12;
    const std::size_t nt = tc.times.size();
    const std::size_t step = (nt + kMaxColumns - 1) / kMaxColumns;
    TextBlock b;
    b.heading = "PRCC over time: " + tc.variable;
    b.title = fmt::format(
        "{} rows; markers from p adjusted by Benjamini-Hochberg across all "
        "parameters and times{}",
        t.samples, step > 1 ? fmt::format("; every {}th time shown", step) : "");
    b.header = {"parameter"};
    b.left = {true};
    for (std::size_t ti = 0; ti < nt; ti += step) {
      b.header.push_back(fmt::format("t={}", num(tc.times[ti])));
      b.left.push_back(false);
    }
    for (Eigen::Index i = 0; i < t.coefficient.rows(); ++i) {
      std::vector<std::string> row = {t.parameters[static_cast<std::size_t>(i)]};
      for (std::size_t ti = 0; ti < nt; ti += step) {
        const auto c = static_cast<Eigen::Index>(ti);
        row.push_back(coef(t.coefficient(i, c)) + significance_marker(t.p_bh(i, c)));
      }
      b.rows.push_back(std::move(row));
    }
    blocks.push_back(std::move(b));
  }
  if (!r.uncertainty.empty()) {
    const auto& first = r.uncertainty.front();
    TextBlock b;
    b.heading = "Uncertainty";
    b.title = fmt::format("{} runs; {} {}; quantiles of type 7", r.uncertainty_runs,
                          percent(first.confidence), r.uncertainty_intervals);
    b.header = {"output", "statistic", "estimate", percent(first.confidence) + " CI"};
    b.left = {true, true, false, false};
    for (const auto& u : r.uncertainty) {
      b.rows.push_back({u.output, "mean", num(u.mean), interval(u.mean_low, u.mean_high, false)});
      b.rows.push_back({"", "sd", num(u.sd), interval(u.sd_low, u.sd_high, false)});
      for (std::size_t q = 0; q < u.levels.size(); ++q) {
        b.rows.push_back({"", quantile_name(u.levels[q]), num(u.quantiles[q]),
                          interval(u.quantile_low[q], u.quantile_high[q], false)});
      }
      b.rows.push_back({"", "min .. max", num(u.min) + " .. " + num(u.max), ""});
    }
    blocks.push_back(std::move(b));
  }
  if (!r.events.empty()) {
    TextBlock b;
    b.heading = "Events";
    b.title = fmt::format("probability over the successful runs; {} Wilson score intervals",
                          percent(r.confidence));
    b.header = {"event", "runs", "events", "P", percent(r.confidence) + " CI"};
    b.left = {true, false, false, false, false};
    for (const auto& e : r.events) {
      const auto& p = e.probability;
      b.rows.push_back({e.expression, std::to_string(p.samples), std::to_string(p.events),
                        num(p.probability), interval(p.ci_low, p.ci_high, false)});
    }
    blocks.push_back(std::move(b));
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

void write_markdown(const std::vector<TextBlock>& blocks, std::ostream& out) {
  out << "# tmex analyze\n";
  const auto cell = [](std::string s) {
    std::string o;
    for (char c : s) {
      if (c == '|') o += '\\';
      if (c == '*') o += '\\';
      o += c;
    }
    return o;
  };
  for (const auto& b : blocks) {
    if (!b.heading.empty()) out << "\n## " << b.heading << '\n';
    if (!b.text.empty()) out << '\n' << b.text << '\n';
    if (b.header.empty()) continue;
    if (!b.title.empty()) out << "\n### " << b.title << '\n';
    out << '\n' << '|';
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

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

std::string csv_num(double v) { return std::isnan(v) ? "" : fmt::format("{:.10g}", v); }

void write_csv(const AnalysisReport& r, std::ostream& out) {
  out << "section,output,parameter,time,statistic,estimate,ci_low,ci_high,p_value,p_adjusted\n";
  const double nan = std::nan("");
  const auto row = [&](std::string_view section, const std::string& output,
                       const std::string& parameter, double time, const std::string& statistic,
                       double estimate, double lo, double hi, double p, double padj) {
    out << section << ',' << csv_field(output) << ',' << csv_field(parameter) << ','
        << csv_num(time) << ',' << csv_field(statistic) << ',' << csv_num(estimate) << ','
        << csv_num(lo) << ',' << csv_num(hi) << ',' << csv_num(p) << ',' << csv_num(padj) << '\n';
  };
  if (r.failures) {
    const auto& t = r.failures->test;
    for (Eigen::Index i = 0; i < t.p_value.size(); ++i) {
      row("failure_dependence", "", t.parameters[static_cast<std::size_t>(i)], nan,
          "P(failed > ok)", t.effect[i], nan, nan, t.p_value[i], r.failures->p_bonferroni[i]);
    }
  }
  for (const auto& c : r.correlations) {
    const auto& t = c.table;
    for (Eigen::Index j = 0; j < t.coefficient.cols(); ++j) {
      for (auto i : order_by_size(t.coefficient, j)) {
        row(c.method, t.outputs[static_cast<std::size_t>(j)],
            t.parameters[static_cast<std::size_t>(i)], nan, c.method, t.coefficient(i, j),
            t.ci_low(i, j), t.ci_high(i, j), t.p_value(i, j), t.p_bh(i, j));
      }
    }
  }
  for (const auto& g : r.regressions) {
    const auto& t = g.table;
    for (Eigen::Index j = 0; j < t.coefficient.cols(); ++j) {
      const auto& o = t.outputs[static_cast<std::size_t>(j)];
      row(g.method, o, "", nan, "r_squared", t.r_squared[j], nan, nan, nan, nan);
      for (auto i : order_by_size(t.coefficient, j)) {
        row(g.method, o, t.parameters[static_cast<std::size_t>(i)], nan, g.method,
            t.coefficient(i, j), nan, nan, nan, nan);
      }
    }
  }
  if (r.sobol) {
    const auto& s = *r.sobol;
    for (Eigen::Index j = 0; j < s.first.cols(); ++j) {
      const auto& o = s.outputs[static_cast<std::size_t>(j)];
      for (auto i : order_by_size(s.total, j)) {
        const auto& p = s.parameters[static_cast<std::size_t>(i)];
        row("sobol", o, p, nan, "S1", s.first(i, j), s.first_low(i, j), s.first_high(i, j), nan,
            nan);
        row("sobol", o, p, nan, "ST", s.total(i, j), s.total_low(i, j), s.total_high(i, j), nan,
            nan);
      }
    }
  }
  if (r.morris) {
    const auto& s = *r.morris;
    for (Eigen::Index j = 0; j < s.mu.cols(); ++j) {
      const auto& o = s.outputs[static_cast<std::size_t>(j)];
      for (auto i : order_by_size(s.mu_star, j)) {
        const auto& p = s.parameters[static_cast<std::size_t>(i)];
        row("morris", o, p, nan, "mu_star", s.mu_star(i, j), s.mu_star_low(i, j),
            s.mu_star_high(i, j), nan, nan);
        row("morris", o, p, nan, "mu", s.mu(i, j), nan, nan, nan, nan);
        row("morris", o, p, nan, "sigma", s.sigma(i, j), nan, nan, nan, nan);
      }
    }
  }
  for (const auto& tc : r.time_courses) {
    const auto& t = tc.table;
    for (Eigen::Index i = 0; i < t.coefficient.rows(); ++i) {
      for (Eigen::Index j = 0; j < t.coefficient.cols(); ++j) {
        row("prcc_over_time", tc.variable, t.parameters[static_cast<std::size_t>(i)],
            tc.times[static_cast<std::size_t>(j)], "prcc", t.coefficient(i, j), t.ci_low(i, j),
            t.ci_high(i, j), t.p_value(i, j), t.p_bh(i, j));
      }
    }
  }
  if (r.convergence) {
    row("convergence", r.convergence->worst_output, r.convergence->worst_row, nan, "max_change",
        r.convergence->max_change, nan, nan, nan, nan);
  }
  for (const auto& u : r.uncertainty) {
    row("uncertainty", u.output, "", nan, "mean", u.mean, u.mean_low, u.mean_high, nan, nan);
    row("uncertainty", u.output, "", nan, "sd", u.sd, u.sd_low, u.sd_high, nan, nan);
    row("uncertainty", u.output, "", nan, "min", u.min, nan, nan, nan, nan);
    row("uncertainty", u.output, "", nan, "max", u.max, nan, nan, nan, nan);
    for (std::size_t q = 0; q < u.levels.size(); ++q) {
      row("uncertainty", u.output, "", nan, quantile_name(u.levels[q]), u.quantiles[q],
          u.quantile_low[q], u.quantile_high[q], nan, nan);
    }
  }
  for (const auto& e : r.events) {
    const auto& p = e.probability;
    row("event", "", "", nan, e.expression, p.probability, p.ci_low, p.ci_high, nan, nan);
  }
}

// A streaming JSON writer that places the commas.
class JsonOut {
 public:
  explicit JsonOut(std::ostream& out) : out_(out) {}
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    separate();
    string(k);
    out_ << ':';
    after_key_ = true;
  }
  void value(double v) {
    separate();
    if (std::isfinite(v)) {
      out_ << fmt::format("{:.17g}", v);
    } else {
      out_ << "null";
    }
  }
  void value(std::int64_t v) {
    separate();
    out_ << v;
  }
  void value(std::uint64_t v) {
    separate();
    out_ << v;
  }
  void value(bool v) {
    separate();
    out_ << (v ? "true" : "false");
  }
  void value(std::string_view v) {
    separate();
    string(v);
  }
  void value(const std::string& v) { value(std::string_view(v)); }
  void value(const char* v) { value(std::string_view(v)); }
  void null() {
    separate();
    out_ << "null";
  }
  template <typename T>
  void field(std::string_view k, const T& v) {
    key(k);
    value(v);
  }
  void numbers(std::string_view k, const std::vector<double>& v) {
    key(k);
    begin_array();
    for (double x : v) value(x);
    end_array();
  }

 private:
  void open(char c) {
    separate();
    out_ << c;
    first_.push_back(true);
  }
  void close(char c) {
    first_.pop_back();
    out_ << c;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_ << ',';
      first_.back() = false;
    }
  }
  void string(std::string_view s) {
    out_ << '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out_ << '\\' << c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out_ << fmt::format("\\u{:04x}", static_cast<int>(c));
      } else {
        out_ << c;
      }
    }
    out_ << '"';
  }

  std::ostream& out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

void write_json(const AnalysisReport& r, std::ostream& out) {
  JsonOut j(out);
  j.begin_object();
  j.field("store", r.store);
  j.field("campaign", r.campaign);
  j.field("model", r.model);
  j.field("design", r.design);
  j.field("design_method", r.design_method);
  j.key("runs");
  j.begin_object();
  j.field("total", r.total_runs);
  j.field("stored", r.stored_runs);
  j.field("ok", r.ok_runs);
  j.field("failed", r.failed_runs);
  j.end_object();
  j.field("replicates", static_cast<std::uint64_t>(r.replicates));
  j.field("sensitivity_rows", r.sensitivity_rows);
  j.field("confidence", r.confidence);
  j.field("bootstrap_resamples", static_cast<std::int64_t>(r.resamples));
  j.field("seed", r.seed);
  j.key("methods");
  j.begin_array();
  for (const auto& m : r.methods) j.value(m);
  j.end_array();
  j.key("notes");
  j.begin_array();
  for (const auto& n : r.notes) j.value(n);
  j.end_array();
  j.key("failures");
  if (r.failures) {
    const auto& t = r.failures->test;
    j.begin_object();
    j.field("summary", r.failures->summary);
    j.field("failed", static_cast<std::int64_t>(t.failed));
    j.field("succeeded", static_cast<std::int64_t>(t.succeeded));
    j.key("parameters");
    j.begin_array();
    for (Eigen::Index i = 0; i < t.p_value.size(); ++i) {
      j.begin_object();
      j.field("parameter", t.parameters[static_cast<std::size_t>(i)]);
      j.field("effect", t.effect[i]);
      j.field("z", t.z[i]);
      j.field("p", t.p_value[i]);
      j.field("p_bonferroni", r.failures->p_bonferroni[i]);
      j.field("median_failed", t.median_failed[i]);
      j.field("median_ok", t.median_succeeded[i]);
      j.end_object();
    }
    j.end_array();
    j.end_object();
  } else {
    j.null();
  }
  j.key("correlations");
  j.begin_array();
  for (const auto& c : r.correlations) {
    const auto& t = c.table;
    j.begin_object();
    j.field("method", c.method);
    j.field("title", c.title);
    j.field("rows", static_cast<std::int64_t>(t.samples));
    j.field("degrees_of_freedom", t.degrees_of_freedom);
    j.key("outputs");
    j.begin_array();
    for (Eigen::Index o = 0; o < t.coefficient.cols(); ++o) {
      j.begin_object();
      j.field("output", t.outputs[static_cast<std::size_t>(o)]);
      j.key("parameters");
      j.begin_array();
      for (auto i : order_by_size(t.coefficient, o)) {
        j.begin_object();
        j.field("parameter", t.parameters[static_cast<std::size_t>(i)]);
        j.field("coefficient", t.coefficient(i, o));
        j.field("ci_low", t.ci_low(i, o));
        j.field("ci_high", t.ci_high(i, o));
        j.field("t", t.t_statistic(i, o));
        j.field("p", t.p_value(i, o));
        j.field("p_bonferroni", t.p_bonferroni(i, o));
        j.field("p_bh", t.p_bh(i, o));
        j.end_object();
      }
      j.end_array();
      j.end_object();
    }
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.key("regressions");
  j.begin_array();
  for (const auto& g : r.regressions) {
    const auto& t = g.table;
    j.begin_object();
    j.field("method", g.method);
    j.field("rows", static_cast<std::int64_t>(t.samples));
    j.key("outputs");
    j.begin_array();
    for (Eigen::Index o = 0; o < t.coefficient.cols(); ++o) {
      j.begin_object();
      j.field("output", t.outputs[static_cast<std::size_t>(o)]);
      j.field("r_squared", t.r_squared[o]);
      j.key("parameters");
      j.begin_array();
      for (auto i : order_by_size(t.coefficient, o)) {
        j.begin_object();
        j.field("parameter", t.parameters[static_cast<std::size_t>(i)]);
        j.field("coefficient", t.coefficient(i, o));
        j.end_object();
      }
      j.end_array();
      j.end_object();
    }
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.key("sobol");
  if (r.sobol) {
    const auto& s = *r.sobol;
    j.begin_object();
    j.field("base_rows", static_cast<std::int64_t>(s.base_rows));
    j.field("resamples", static_cast<std::int64_t>(s.resamples));
    j.key("outputs");
    j.begin_array();
    for (Eigen::Index o = 0; o < s.first.cols(); ++o) {
      j.begin_object();
      j.field("output", s.outputs[static_cast<std::size_t>(o)]);
      j.field("variance", s.variance[o]);
      j.key("parameters");
      j.begin_array();
      for (auto i : order_by_size(s.total, o)) {
        j.begin_object();
        j.field("parameter", s.parameters[static_cast<std::size_t>(i)]);
        j.field("first", s.first(i, o));
        j.field("first_low", s.first_low(i, o));
        j.field("first_high", s.first_high(i, o));
        j.field("total", s.total(i, o));
        j.field("total_low", s.total_low(i, o));
        j.field("total_high", s.total_high(i, o));
        j.end_object();
      }
      j.end_array();
      j.end_object();
    }
    j.end_array();
    j.end_object();
  } else {
    j.null();
  }
  j.key("morris");
  if (r.morris) {
    const auto& s = *r.morris;
    j.begin_object();
    j.field("trajectories", static_cast<std::int64_t>(s.trajectories));
    j.key("outputs");
    j.begin_array();
    for (Eigen::Index o = 0; o < s.mu.cols(); ++o) {
      j.begin_object();
      j.field("output", s.outputs[static_cast<std::size_t>(o)]);
      j.key("parameters");
      j.begin_array();
      for (auto i : order_by_size(s.mu_star, o)) {
        j.begin_object();
        j.field("parameter", s.parameters[static_cast<std::size_t>(i)]);
        j.field("mu_star", s.mu_star(i, o));
        j.field("mu_star_low", s.mu_star_low(i, o));
        j.field("mu_star_high", s.mu_star_high(i, o));
        j.field("mu", s.mu(i, o));
        j.field("sigma", s.sigma(i, o));
        j.field("effects", static_cast<std::int64_t>(s.effects[static_cast<std::size_t>(i)]));
        j.end_object();
      }
      j.end_array();
      j.end_object();
    }
    j.end_array();
    j.end_object();
  } else {
    j.null();
  }
  j.key("prcc_over_time");
  j.begin_array();
  for (const auto& tc : r.time_courses) {
    const auto& t = tc.table;
    j.begin_object();
    j.field("variable", tc.variable);
    j.field("rows", static_cast<std::int64_t>(t.samples));
    j.numbers("times", tc.times);
    j.key("parameters");
    j.begin_array();
    for (Eigen::Index i = 0; i < t.coefficient.rows(); ++i) {
      j.begin_object();
      j.field("parameter", t.parameters[static_cast<std::size_t>(i)]);
      const auto row = [&](const Eigen::MatrixXd& m) {
        return std::vector<double>(m.row(i).begin(), m.row(i).end());
      };
      j.numbers("prcc", row(t.coefficient));
      j.numbers("ci_low", row(t.ci_low));
      j.numbers("ci_high", row(t.ci_high));
      j.numbers("p_bh", row(t.p_bh));
      j.end_object();
    }
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.key("convergence");
  if (r.convergence) {
    const auto& c = *r.convergence;
    j.begin_object();
    j.field("converged", c.converged);
    j.field("max_change", c.max_change);
    j.field("tolerance", c.tolerance);
    j.field("worst_row", c.worst_row);
    j.field("worst_output", c.worst_output);
    j.field("verdict", c.verdict);
    j.key("sample_sizes");
    j.begin_array();
    for (auto n : c.sample_sizes) j.value(static_cast<std::int64_t>(n));
    j.end_array();
    j.end_object();
  } else {
    j.null();
  }
  j.key("uncertainty");
  j.begin_object();
  j.field("runs", r.uncertainty_runs);
  j.field("intervals", r.uncertainty_intervals);
  j.key("outputs");
  j.begin_array();
  for (std::size_t o = 0; o < r.uncertainty.size(); ++o) {
    const auto& u = r.uncertainty[o];
    j.begin_object();
    j.field("output", u.output);
    j.field("samples", static_cast<std::int64_t>(u.samples));
    j.field("resamples", static_cast<std::int64_t>(u.resamples));
    j.field("mean", u.mean);
    j.field("mean_low", u.mean_low);
    j.field("mean_high", u.mean_high);
    j.field("sd", u.sd);
    j.field("sd_low", u.sd_low);
    j.field("sd_high", u.sd_high);
    j.field("min", u.min);
    j.field("max", u.max);
    j.key("quantiles");
    j.begin_array();
    for (std::size_t q = 0; q < u.levels.size(); ++q) {
      j.begin_object();
      j.field("level", u.levels[q]);
      j.field("value", u.quantiles[q]);
      j.field("low", u.quantile_low[q]);
      j.field("high", u.quantile_high[q]);
      j.end_object();
    }
    j.end_array();
    const auto& h = r.histograms[o];
    j.key("histogram");
    j.begin_object();
    j.numbers("edges", h.edges);
    j.key("counts");
    j.begin_array();
    for (auto c : h.counts) j.value(static_cast<std::int64_t>(c));
    j.end_array();
    j.end_object();
    j.end_object();
  }
  j.end_array();
  j.end_object();
  j.key("events");
  j.begin_array();
  for (const auto& e : r.events) {
    const auto& p = e.probability;
    j.begin_object();
    j.field("event", e.expression);
    j.field("runs", static_cast<std::int64_t>(p.samples));
    j.field("events", static_cast<std::int64_t>(p.events));
    j.field("probability", p.probability);
    j.field("ci_low", p.ci_low);
    j.field("ci_high", p.ci_high);
    j.field("interval", "wilson");
    j.end_object();
  }
  j.end_array();
  j.end_object();
  out << '\n';
}

}  // namespace

std::string significance_marker(double p) {
  if (std::isnan(p)) return "";
  if (p < 0.001) return "***";
  if (p < 0.01) return "**";
  if (p < 0.05) return "*";
  return "";
}

void write_report(const AnalysisReport& report, const std::string& format, std::ostream& out) {
  if (format == "table") {
    write_aligned(text_blocks(report), out);
  } else if (format == "markdown") {
    write_markdown(text_blocks(report), out);
  } else if (format == "csv") {
    write_csv(report, out);
  } else if (format == "json") {
    write_json(report, out);
  } else {
    throw UsageError("unknown --format '" + format + "'; expected table, csv, json or markdown");
  }
}

}  // namespace tmex::driver
