// gnuplot scripts for each kind of figure in one house style; one data file per figure.
#include "report/figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace tmex::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Paul Tol's "bright" qualitative scheme, distinct under the common colour-vision deficiencies
// (Tol 2021, "Colour Schemes", SRON/EPS/TN/09-002): blue, red, green, yellow, cyan, purple, grey.
constexpr const char* kPalette[] = {"#4477AA", "#EE6677", "#228833", "#CCBB44",
                                    "#66CCEE", "#AA3377", "#BBBBBB"};
constexpr const char* kBlue = "#4477AA";
constexpr const char* kRed = "#EE6677";
constexpr const char* kGrey = "#BBBBBB";
constexpr const char* kDarkGrey = "#555555";
// Lines beyond the palette (the less important parameters) are drawn thin and light.
constexpr const char* kLightGrey = "#CCCCCC";
// Points labelled on a mu*-sigma plot: more overlap into a smear.
constexpr std::size_t kLabelledPoints = 8;

// A gnuplot string literal in double quotes (backslash escapes are interpreted there, so a
// backslash or quote is escaped; no enhanced-text markup applies, the terminals are noenhanced).
std::string gp_string(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

double number_of(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
  return kNaN;
}

std::string text_of(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return format_value(v, text::NumberStyle::kShortest);
}

// A data-file number: exact, NaN for missing (gnuplot skips it).
std::string num(double v) {
  return std::isfinite(v) ? text::format_number(v, text::NumberStyle::kShortest) : "NaN";
}

// A data-file field: numbers exact, labels quoted.
std::string field(const Value& v) {
  if (std::holds_alternative<std::string>(v)) return gp_string(std::get<std::string>(v));
  return num(number_of(v));
}

std::string plain_rows(const Figure& f) {
  std::string data;
  for (const auto& row : f.data.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) data += (c ? " " : "") + field(row[c]);
    data += '\n';
  }
  return data;
}

std::string header_comment(const Figure& f) {
  std::string h = "#";
  for (const auto& c : f.data.columns) h += " " + c.key;
  return h + "\n";
}

// Script lines after the terminal, data lines, and the picture size (SVG pixels; PNG twice).
struct Body {
  std::string script;
  std::string data;
  int width = 800;
  int height = 500;
};

// The range [lo, hi] of `values` (finite ones) padded by 4% and widened to hold `must`.
std::pair<double, double> padded_range(const std::vector<double>& values, double must_low,
                                       double must_high) {
  double lo = must_low, hi = must_high;
  for (const double v : values) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  const double pad = 0.04 * (hi - lo > 0 ? hi - lo : 1.0);
  return {lo - pad, hi + pad};
}

// A log axis' tic label: plain (0.02, 500) on an axis within [0.001, 10^5), else mantissa and
// exponent without '+' or leading zeros (2e5, 1e-9) for every tic of the axis, so that one axis
// does not mix 10000 and 1e+06.
std::string tic_label(double v, bool exponent_form) {
  if (!exponent_form) return fmt::format("{:g}", v);
  const int exponent = static_cast<int>(std::floor(std::log10(v) + 1e-9));
  const double mantissa = v / std::pow(10.0, exponent);
  return fmt::format("{:g}e{}", std::round(mantissa * 1000) / 1000, exponent);
}

// Commands for axis `axis` ('x' or 'y') over the values [lo, hi]: a range padded by 3% of its
// width (of its decades on a log axis), and on a log axis tics at 1, 2, 5 (1, 2, 3, 5 within a
// decade; every power of ten over many decades) times powers of ten, labelled plainly (0.02, not
// 2e-2): gnuplot's own log axis labels only whole decades and widens the range to them.
std::string axis_commands(char axis, double lo, double hi, bool log) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || (log && !(lo > 0.0))) {
    return log ? fmt::format("set logscale {0}\nset format {0} '%g'\n", axis)
               : fmt::format("unset logscale {0}\nset format {0} '%g'\n", axis);
  }
  if (!log) {
    const double pad = 0.03 * (hi > lo ? hi - lo : std::max(1.0, std::abs(lo)));
    return fmt::format(
        "unset logscale {0}\nset {0}range [{1}:{2}]\nset {0}tics autofreq\n"
        "set format {0} '%g'\n",
        axis, num(lo - pad), num(hi + pad));
  }
  const double ratio = hi > lo ? hi / lo : 10.0;
  const double pad = std::pow(ratio, 0.03);
  lo /= pad;
  hi *= pad;
  const int first = static_cast<int>(std::floor(std::log10(lo)));
  const int last = static_cast<int>(std::ceil(std::log10(hi)));
  const int decades = last - first;
  std::vector<double> mantissas = decades <= 1   ? std::vector<double>{1, 2, 3, 5}
                                  : decades <= 3 ? std::vector<double>{1, 2, 5}
                                                 : std::vector<double>{1};
  const int step = decades > 10 ? (decades + 9) / 10 : 1;
  std::string tics;
  for (int e = first; e <= last; ++e) {
    if ((e - first) % step != 0) continue;
    for (const double m : mantissas) {
      const double v = m * std::pow(10.0, e);
      if (v < lo || v > hi) continue;
      const std::string label = tic_label(v, lo < 1e-3 || hi >= 1e5);
      tics += (tics.empty() ? "" : ", ") + gp_string(label) + " " + label;
    }
  }
  return fmt::format(
      "set logscale {0}\nset {0}range [{1}:{2}]\nset {0}tics ({3})\n"
      "set m{0}tics 10\n",
      axis, num(lo), num(hi), tics);
}

// The smallest and largest finite value of column `c` of `rows`.
std::pair<double, double> column_range(const std::vector<std::vector<Value>>& rows, std::size_t c) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& row : rows) {
    const double v = c < row.size() ? number_of(row[c]) : kNaN;
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  return {lo, hi};
}

// Key entries for colours that no plotted series names.
std::string key_entry(const std::string& colour, const std::string& title) {
  return fmt::format(", \\\n     keyentry with boxes fc rgb '{}' title {}", colour,
                     gp_string(title));
}

std::string band_objects(const Figure& f) {
  std::string s;
  int id = 1;
  for (const auto& b : f.bands) {
    if (!std::isfinite(b.low) || !std::isfinite(b.high)) continue;
    s += fmt::format(
        "set object {} rect from {}, graph 0 to {}, graph 1 fc rgb '{}' fs solid 0.35 noborder "
        "behind\n",
        id++, num(b.low), num(b.high), kGrey);
  }
  return s;
}

std::string band_keys(const Figure& f) {
  std::string s;
  for (const auto& b : f.bands) {
    if (std::isfinite(b.low) && std::isfinite(b.high) && !b.label.empty()) {
      s += fmt::format(", \\\n     keyentry with boxes fc rgb '{}' fs solid 0.35 title {}", kGrey,
                       gp_string(b.label));
    }
  }
  return s;
}

// Rows of a horizontal bar chart get 26 SVG pixels each, so 50 parameters stay readable.
int bar_height(std::size_t rows, int per_row) {
  return std::max(320, 170 + per_row * static_cast<int>(rows));
}

// Tornado: bars from 0 to the coefficient, coloured by sign where significant and grey where
// not, the interval as a whisker, stars beyond it, the dummies' interval as a band.
Body tornado(const Figure& f, const std::string& name) {
  const auto& rows = f.data.rows;
  const std::size_t n = rows.size();
  Body b;
  b.data =
      "# parameter centre half colour value low high marker label_right label_left "
      "(largest last: drawn on top)\n";
  std::vector<double> ends;
  for (std::size_t r = n; r-- > 0;) {
    const auto& row = rows[r];
    const double v = number_of(row[1]), lo = number_of(row[2]), hi = number_of(row[3]);
    const double p = number_of(row[4]);
    const bool dummy = row.size() > 5 && number_of(row[5]) == 1.0;
    const bool significant = p < 0.05;
    const char* colour = dummy ? kDarkGrey : !significant ? kGrey : v >= 0 ? kBlue : kRed;
    std::string marker = p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : "";
    const double right = std::isfinite(hi) ? hi : v, left = std::isfinite(lo) ? lo : v;
    b.data += fmt::format("{} {} {} 0x{} {} {} {} {} {} {}\n", field(row[0]), num(v / 2),
                          num(std::abs(v) / 2), std::string(colour + 1), num(v), num(lo), num(hi),
                          gp_string(marker), num(v >= 0 ? right : kNaN), num(v < 0 ? left : kNaN));
    ends.insert(ends.end(), {v, lo, hi});
  }
  auto [xlo, xhi] = padded_range(ends, 0.0, 0.0);
  // Room for the stars on both sides; correlations never leave [-1, 1].
  const double room = 0.08 * (xhi - xlo);
  xlo = std::max(-1.0, xlo - room);
  xhi = std::min(1.0, xhi + room);
  b.script = fmt::format(
      "set title {}\n"
      "set xrange [{}:{}]\nset yrange [-0.7:{}]\nset xlabel {}\nset ytics scale 0\n"
      "set grid xtics lc rgb '#DDDDDD'\nset arrow 1 from 0, graph 0 to 0, graph 1 "
      "nohead lc rgb '#000000' lw 1 front\n"
      "{}"
      "set bmargin 7\nset key at screen 0.5, screen 0.005 center bottom horizontal maxcols 3 "
      "samplen 2\nset style fill solid 1.0 noborder\n"
      "plot '{}.dat' using 2:0:3:(0.36):4:yticlabels(1) with boxxyerror lc rgb variable notitle, "
      "\\\n     '' using 5:0:6:7 with xerrorbars pt -1 lc rgb '#333333' lw 1 notitle, \\\n"
      "     '' using 9:0:8 with labels left offset char 0.4,0 notitle, \\\n"
      "     '' using 10:0:8 with labels right offset char -0.4,0 notitle",
      gp_string(f.title), num(xlo), num(xhi), num(static_cast<double>(n) - 0.3),
      gp_string(f.x_label), band_objects(f), name);
  b.script += key_entry(kBlue, "positive, p (BH) < 0.05") +
              key_entry(kRed, "negative, p (BH) < 0.05") + key_entry(kGrey, "p (BH) >= 0.05");
  const bool has_dummy = std::any_of(rows.begin(), rows.end(), [](const auto& row) {
    return row.size() > 5 && number_of(row[5]) == 1.0;
  });
  if (has_dummy) b.script += key_entry(kDarkGrey, "dummy parameter");
  b.script += band_keys(f) + "\n";
  b.width = 820;
  b.height = bar_height(n, 26);
  return b;
}

// Paired horizontal bars (S1 and ST, mu* and sigma) with whiskers, largest pair on top.
Body index_bars(const Figure& f, const std::string& name) {
  const auto& rows = f.data.rows;
  const std::size_t n = rows.size();
  Body b;
  b.data = "# parameter first low high second low high (largest last: drawn on top)\n";
  std::vector<double> ends;
  for (std::size_t r = n; r-- > 0;) {
    const auto& row = rows[r];
    std::string line = field(row[0]);
    for (std::size_t c = 1; c < 7; ++c) {
      const double v = number_of(row[c]);
      line += " " + num(v);
      ends.push_back(v);
    }
    b.data += line + "\n";
  }
  auto [xlo, xhi] = padded_range(ends, 0.0, 0.0);
  // Estimates from tiny samples can have absurd intervals ([0.17, 20.3]): the axis stays
  // within the figure's limits and the whisker runs off its end.
  xlo = std::max(xlo, f.axis_low);
  xhi = std::min(xhi, f.axis_high);
  const std::string first = f.data.columns.size() > 1 ? f.data.columns[1].heading : "first";
  const std::string second = f.data.columns.size() > 4 ? f.data.columns[4].heading : "second";
  b.script = fmt::format(
      "set title {}\nset xrange [{}:{}]\nset yrange [-0.7:{}]\nset xlabel {}\nset ytics scale 0\n"
      "set grid xtics lc rgb '#DDDDDD'\nset arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "
      "'#000000' lw 1 front\n"
      "set bmargin 7\nset key at screen 0.5, screen 0.005 center bottom horizontal maxcols 3 "
      "samplen 2\nset style fill solid 1.0 noborder\n"
      "plot '{}.dat' using ($2/2):($0+0.19):(abs($2)/2):(0.17):yticlabels(1) with boxxyerror "
      "lc rgb '{}' title {}, \\\n"
      "     '' using ($5/2):($0-0.19):(abs($5)/2):(0.17) with boxxyerror lc rgb '{}' title {}, \\\n"
      "     '' using 2:($0+0.19):3:4 with xerrorbars pt -1 lc rgb '#333333' lw 1 notitle, \\\n"
      "     '' using 5:($0-0.19):6:7 with xerrorbars pt -1 lc rgb '#333333' lw 1 notitle\n",
      gp_string(f.title), num(xlo), num(xhi), num(static_cast<double>(n) - 0.3),
      gp_string(f.x_label), name, kBlue, gp_string(first), kRed, gp_string(second));
  b.width = 820;
  b.height = bar_height(n, 30);
  return b;
}

// mu* against sigma; the kLabelledPoints largest mu* are named, the others are points only.
Body mu_sigma(const Figure& f, const std::string& name) {
  std::vector<std::size_t> order(f.data.rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t c) {
    return number_of(f.data.rows[a][1]) > number_of(f.data.rows[c][1]);
  });
  std::vector<bool> named(order.size(), false);
  for (std::size_t i = 0; i < std::min(kLabelledPoints, order.size()); ++i) named[order[i]] = true;
  Body b;
  b.data = "# parameter mu_star mu sigma label\n";
  for (std::size_t r = 0; r < f.data.rows.size(); ++r) {
    const auto& row = f.data.rows[r];
    b.data += fmt::format("{} {} {} {} {}\n", field(row[0]), field(row[1]), field(row[2]),
                          field(row[3]), named[r] ? field(row[0]) : "\"\"");
  }
  b.script = fmt::format(
      "set title {}\nset xlabel {}\nset ylabel {}\n"
      "set key off\nset grid lc rgb '#DDDDDD'\nset xrange [0:*]\nset yrange [0:*]\n"
      "set offsets graph 0, graph 0.2, graph 0.1, 0\n"
      "plot '{}.dat' using 2:4 with points pt 7 ps 1.1 lc rgb '{}', \\\n"
      "     '' using 2:4:5 with labels offset char 0.8,0.5 left\n",
      gp_string(f.title), gp_string(f.x_label), gp_string(f.y_label), name, kBlue);
  return b;
}

// Lines: the first 7 series in the palette with points, the rest thin and light without a key.
Body lines(const Figure& f, const std::string& name) {
  Body b;
  // gnuplot's columnheader() reads the titles from the first line.
  for (const auto& c : f.data.columns) {
    b.data += (b.data.empty() ? "" : " ") + gp_string(c.heading.empty() ? c.key : c.heading);
  }
  b.data += "\n" + plain_rows(f);
  const std::size_t series = f.data.columns.size() - 1;
  const std::size_t coloured = std::min<std::size_t>(series, 7);
  std::string plots;
  if (series > coloured) {
    plots += fmt::format(
        "for [i={}:{}] '{}.dat' using 1:i with lines lw 1 lc rgb '{}' notitle, \\\n     ",
        coloured + 2, series + 1, name, kLightGrey);
  }
  plots += fmt::format(
      "for [i=2:{}] '{}.dat' using 1:i with linespoints lt (i-1) title "
      "columnheader(i)",
      coloured + 1, name);
  // A log x axis over the data's range, with a tic at each x when there are few (the sizes of
  // a convergence check), not widened to whole powers.
  std::string x_axis;
  if (f.x_log) {
    const auto [lo, hi] = column_range(f.data.rows, 0);
    x_axis = "set logscale x 2\n";
    if (lo > 0.0 && hi >= lo) {
      x_axis += fmt::format("set xrange [{}:{}]\n", num(lo / 1.15), num(hi * 1.15));
      if (f.data.rows.size() <= 12) {
        std::string tics;
        for (const auto& row : f.data.rows) {
          const double x = number_of(row[0]);
          tics += (tics.empty() ? "" : ", ") + gp_string(fmt::format("{:g}", x)) + " " + num(x);
        }
        x_axis += "set xtics (" + tics + ")\n";
      }
    }
  }
  b.script = fmt::format(
      "set title {}\nset xlabel {}\nset ylabel {}\n{}{}set grid lc rgb '#DDDDDD'\n"
      "set xzeroaxis\nset key outside right top\nplot {}\n",
      gp_string(f.title), gp_string(f.x_label), gp_string(f.y_label), x_axis,
      f.y_log ? "set logscale y\n" : "", plots);
  b.width = 900;
  b.height = 500;
  return b;
}

Body histogram(const Figure& f, const std::string& name) {
  Body b;
  b.data = header_comment(f) + plain_rows(f);
  const double lo = column_range(f.data.rows, 0).first, hi = column_range(f.data.rows, 1).second;
  b.script = fmt::format(
      "set title {}\nset xlabel {}\nset ylabel {}\nset key off\n{}"
      "set style fill solid 1.0 border rgb '#FFFFFF'\nset grid ytics lc rgb '#DDDDDD'\n"
      "set yrange [0:*]\n"
      "plot '{}.dat' using (({})):($3/2):1:2:(0):3 with boxxyerror lc rgb '{}'\n",
      gp_string(f.title), gp_string(f.x_label + (f.x_log ? " (log scale)" : "")),
      gp_string(f.y_label), axis_commands('x', lo, hi, f.x_log), name,
      f.x_log ? "sqrt($1*$2)" : "($1+$2)/2", kBlue);
  return b;
}

// Points of a few thousand runs, half transparent so that dense regions show.
Body scatter(const Figure& f, const std::string& name) {
  const std::size_t panels = f.data.columns.size() - 1;
  Body b;
  b.data = header_comment(f) + plain_rows(f);
  const auto [ylo, yhi] = column_range(f.data.rows, panels);
  b.script = fmt::format(
      "set multiplot layout 1,{} title {}\nset key off\nset grid lc rgb "
      "'#DDDDDD'\n{}",
      panels, gp_string(f.title), axis_commands('y', ylo, yhi, f.y_log));
  for (std::size_t p = 0; p < panels; ++p) {
    const bool log_x = f.data.columns[p].log_scale;
    const auto [xlo, xhi] = column_range(f.data.rows, p);
    b.script += fmt::format(
        "{}set xlabel {}\nset ylabel {}\nplot '{}.dat' using {}:{} with points pt 7 ps 0.35 lc "
        "rgb '#80{}'\n",
        axis_commands('x', xlo, xhi, log_x),
        gp_string(f.data.columns[p].heading + (log_x ? " (log scale)" : "")), gp_string(f.y_label),
        name, p + 1, panels + 1, std::string(kBlue + 1));
  }
  b.script += "unset multiplot\n";
  b.width = 1200;
  b.height = 420;
  return b;
}

// Forest plot: each contrast's estimate as a point with its interval as whiskers around a dashed
// line at 0 (no difference), the first contrast on top.
Body forest(const Figure& f, const std::string& name) {
  const std::size_t n = f.data.rows.size();
  Body b;
  std::string header = header_comment(f);
  header.pop_back();
  b.data = header + " (first shown last: drawn on top)\n" + plain_rows(f);
  std::vector<double> ends;
  for (const auto& row : f.data.rows) {
    for (std::size_t c = 1; c < row.size() && c < 4; ++c) ends.push_back(number_of(row[c]));
  }
  // The x range holds every interval and 0, so that the line at 0 is always inside.
  auto [xlo, xhi] = padded_range(ends, 0.0, 0.0);
  const double room = 0.04 * (xhi - xlo);
  b.script = fmt::format(
      "set title {}\nset xrange [{}:{}]\nset yrange [-0.7:{}]\nset xlabel {}\nset ytics scale 0\n"
      "set grid xtics lc rgb '#DDDDDD'\nset key off\n"
      "set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead lc rgb '#000000' lw 1 dt 2 "
      "back\n"
      "plot '{}.dat' using 2:0:3:4:yticlabels(1) with xerrorbars pt 7 ps 1.3 lc rgb '{}' lw 1.5\n",
      gp_string(f.title), num(xlo - room), num(xhi + room), num(static_cast<double>(n) - 0.3),
      gp_string(f.x_label), name, kBlue);
  b.width = 820;
  b.height = bar_height(n, 34);
  return b;
}

// P(outcome) in bins of each parameter: the bin's extent and the Wilson interval as whiskers.
Body probability(const Figure& f, const std::string& name) {
  Body b;
  b.data = "# parameter x x_low x_high probability low high; one block per parameter\n";
  struct Panel {
    std::string parameter;
    bool log_x = false;
    double low = std::numeric_limits<double>::infinity();
    double high = -std::numeric_limits<double>::infinity();
  };
  std::vector<Panel> panels;
  for (const auto& row : f.data.rows) {
    const std::string p = text_of(row[0]);
    if (panels.empty() || panels.back().parameter != p) {
      if (!panels.empty()) b.data += "\n\n";
      panels.push_back({p, row.size() > 7 && number_of(row[7]) == 1.0});
    }
    panels.back().low = std::min(panels.back().low, number_of(row[2]));
    panels.back().high = std::max(panels.back().high, number_of(row[3]));
    std::string line = field(row[0]);
    for (std::size_t c = 1; c < 7; ++c) line += " " + field(row[c]);
    b.data += line + "\n";
  }
  b.script = fmt::format(
      "set multiplot layout 1,{} title {}\nset key off\nset grid lc rgb '#DDDDDD'\n"
      "set yrange [0:1]\nset ylabel {}\n",
      panels.size(), gp_string(f.title), gp_string(f.y_label));
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const bool log_x = panels[p].log_x;
    b.script += fmt::format(
        "{}set xlabel {}\nplot '{}.dat' index {} using 2:5:3:4:6:7 with xyerrorbars pt 7 ps 0.9 "
        "lc rgb '{}', '' index {} using 2:5 with lines lc rgb '{}' lw 1.5\n",
        axis_commands('x', panels[p].low, panels[p].high, log_x),
        gp_string(panels[p].parameter + (log_x ? " (log scale)" : "")), name, p, kBlue, p, kBlue);
  }
  b.script += "unset multiplot\n";
  b.width = 1200;
  b.height = 420;
  return b;
}

// The house style: palette as line types, light grid, no mirrored tics.
std::string style_lines() {
  std::string s =
      "set encoding utf8\nset termoption noenhanced\nset border 3 lw 1\n"
      "set tics nomirror out\nset style line 100 lc rgb '#DDDDDD'\n";
  const int points[] = {7, 5, 9, 11, 13, 15, 3};
  for (int i = 0; i < 7; ++i) {
    s += fmt::format("set linetype {} lc rgb '{}' lw 2 pt {} ps 0.8\n", i + 1, kPalette[i],
                     points[i]);
  }
  return s;
}

FigureScript script_of(const Figure& f, const std::string& png_terminal) {
  const std::string name = figure_file_stem(f.name);
  Body body;
  switch (f.kind) {
    case FigureKind::kTornado:
      body = tornado(f, name);
      break;
    case FigureKind::kIndexBars:
      body = index_bars(f, name);
      break;
    case FigureKind::kMuSigma:
      body = mu_sigma(f, name);
      break;
    case FigureKind::kLines:
      body = lines(f, name);
      break;
    case FigureKind::kHistogram:
      body = histogram(f, name);
      break;
    case FigureKind::kScatter:
      body = scatter(f, name);
      break;
    case FigureKind::kProbability:
      body = probability(f, name);
      break;
    case FigureKind::kForest:
      body = forest(f, name);
      break;
  }
  // PNG at twice the SVG's pixels with everything scaled alike: sharp in print and on screens.
  const std::string png =
      png_terminal == "pngcairo"
          ? fmt::format(
                "set terminal pngcairo size {},{} font 'Sans,10' fontscale 2 linewidth 2 "
                "pointscale 2 noenhanced background '#FFFFFF'",
                2 * body.width, 2 * body.height)
          : fmt::format("set terminal png size {},{} noenhanced", 2 * body.width, 2 * body.height);
  const std::string header = fmt::format(
      "# {0} from {0}.dat: `gnuplot {0}.gp` in this folder draws {0}.png,\n"
      "# `gnuplot -e \"fmt='svg'\" {0}.gp` draws {0}.svg.\n"
      "if (!exists(\"fmt\")) fmt = 'png'\n"
      "if (fmt eq 'svg') {{\n"
      "  set terminal svg size {1},{2} font 'Helvetica,13' noenhanced background '#FFFFFF'\n"
      "  set output '{0}.svg'\n"
      "}} else {{\n"
      "  {3}\n"
      "  set output '{0}.png'\n"
      "}}\n",
      name, body.width, body.height, png);
  return {name, body.data, header + style_lines() + body.script};
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write '" + path.string() + "'");
}

}  // namespace

std::string figure_file_stem(const std::string& name) {
  std::string s;
  for (char c : name) {
    const bool safe =
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    s += safe ? c : '_';
  }
  return s;
}

std::vector<FigureScript> figure_scripts(const Report& report, const std::string& png_terminal) {
  std::vector<FigureScript> out;
  for (const auto& s : report.sections) {
    for (const auto& f : s.figures) out.push_back(script_of(f, png_terminal));
  }
  return out;
}

void write_figure_files(const std::vector<FigureScript>& scripts,
                        const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!std::filesystem::is_directory(dir)) {
    throw std::runtime_error("cannot create the plot folder '" + dir.string() + "'");
  }
  for (const auto& s : scripts) {
    write_file(dir / (s.name + ".dat"), s.data);
    write_file(dir / (s.name + ".gp"), s.script);
  }
}

}  // namespace tmex::report
