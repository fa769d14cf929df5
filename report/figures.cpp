// gnuplot scripts for each kind of figure; one data file per figure, read from the script's folder.
#include "report/figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

namespace tmex::report {

namespace {

std::string file_stem(const std::string& name) {
  std::string s;
  for (char c : name) {
    const bool safe =
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    s += safe ? c : '_';
  }
  return s;
}

// A gnuplot string literal in double quotes.
std::string gp_string(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

// A data-file field: numbers exact (NaN for missing, which gnuplot skips), labels quoted.
std::string field(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) {
    return std::isfinite(*d) ? text::format_number(*d, text::NumberStyle::kShortest) : "NaN";
  }
  if (const auto* s = std::get_if<std::string>(&v)) return gp_string(*s);
  return format_value(v, text::NumberStyle::kShortest);
}

std::string data_file(const Figure& f, const std::string& comment) {
  std::string data = comment.empty() ? "" : "# " + comment + "\n";
  for (const auto& row : f.data.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) data += (c ? " " : "") + field(row[c]);
    data += '\n';
  }
  return data;
}

std::string header_comment(const Figure& f) {
  std::string h;
  for (const auto& c : f.data.columns) h += (h.empty() ? "" : " ") + c.key;
  return h;
}

// Script lines after the terminal and output, and the picture size, for each kind.
struct Body {
  std::string script;
  int width = 800;
  int height = 500;
};

Body tornado(const Figure& f, const std::string& name) {
  const auto n = static_cast<double>(f.data.rows.size());
  return {fmt::format(
              "set title {}\n"
              "set xrange [-1:1]\nset yrange [-0.6:{}]\nset xlabel {}\nset grid xtics\n"
              "set yzeroaxis lt -1\nset key off\nset style fill solid 0.7 noborder\n"
              "plot '{}.dat' using ($2/2):0:(abs($2)/2):(0.35):yticlabels(1) with boxxyerror lc "
              "rgb '#4477aa', \\\n     '' using 2:0:3:4 with xerrorbars pt -1 lc rgb 'black'\n",
              gp_string(f.title), n - 0.4, gp_string(f.x_label), name),
          800, std::max(300, 120 + 40 * static_cast<int>(f.data.rows.size()))};
}

Body index_bars(const Figure& f, const std::string& name) {
  return {fmt::format(
      "set title {}\nset style data histograms\nset style histogram errorbars gap 1 lw 1\n"
      "set style fill solid 0.7 border -1\nset yrange [0:*]\nset ylabel {}\nset grid ytics\n"
      "set key top right\n"
      "plot '{}.dat' using 2:3:4:xtic(1) title {} lc rgb '#4477aa', \\\n"
      "     '' using 5:6:7 title {} lc rgb '#ee6677'\n",
      gp_string(f.title), gp_string(f.y_label), name, gp_string(f.data.columns[1].heading),
      gp_string(f.data.columns[4].heading))};
}

Body mu_sigma(const Figure& f, const std::string& name) {
  return {fmt::format(
      "set title {}\nset xlabel {}\nset ylabel {}\n"
      "set key off\nset grid\nset xrange [0:*]\nset yrange [0:*]\nset offsets graph 0, graph "
      "0.15, graph 0.1, 0\n"
      "plot '{}.dat' using 2:4 with points pt 7 ps 1.2 lc rgb '#4477aa', \\\n"
      "     '' using 2:4:1 with labels offset char 1,0.6 left\n",
      gp_string(f.title), gp_string(f.x_label), gp_string(f.y_label), name)};
}

Body lines(const Figure& f, const std::string& name) {
  return {fmt::format("set title {}\nset xlabel {}\nset ylabel {}\nset yrange [-1:1]\nset grid\n"
                      "set xzeroaxis lt -1\nset key outside right\n"
                      "plot for [i=2:{}] '{}.dat' using 1:i with linespoints pt 7 ps 0.6 title "
                      "columnheader(i)\n",
                      gp_string(f.title), gp_string(f.x_label), gp_string(f.y_label),
                      f.data.columns.size(), name),
          900, 500};
}

Body histogram(const Figure& f, const std::string& name) {
  return {
      fmt::format("set title {}\nset xlabel {}\nset ylabel {}\nset key off\n"
                  "set style fill solid 0.7 border -1\nset grid ytics\n"
                  "plot '{}.dat' using (($1+$2)/2):3:($2-$1) with boxes lc rgb '#4477aa'\n",
                  gp_string(f.title), gp_string(f.x_label), gp_string(f.y_label), name)};
}

Body scatter(const Figure& f, const std::string& name) {
  const std::size_t panels = f.data.columns.size() - 1;
  std::string script =
      fmt::format("set multiplot layout 1,{} title {}\nset key off\n", panels, gp_string(f.title));
  for (std::size_t p = 0; p < panels; ++p) {
    script += fmt::format(
        "set xlabel {}\nset ylabel {}\nplot '{}.dat' using {}:{} with points pt 7 ps 0.25 lc rgb "
        "'#4477aa'\n",
        gp_string(f.data.columns[p].heading), gp_string(f.y_label), name, p + 1, panels + 1);
  }
  script += "unset multiplot\n";
  return {script, 1200, 420};
}

Body forest(const Figure& f, const std::string& name) {
  const auto n = static_cast<double>(f.data.rows.size());
  // The x range holds every interval and 0, with a margin, so that the line at 0 is inside.
  double lo = 0.0, hi = 0.0;
  for (const auto& row : f.data.rows) {
    for (std::size_t c = 1; c < row.size() && c < 4; ++c) {
      if (const auto* d = std::get_if<double>(&row[c]); d && std::isfinite(*d)) {
        lo = std::min(lo, *d);
        hi = std::max(hi, *d);
      }
    }
  }
  const double pad = hi > lo ? 0.08 * (hi - lo) : 1.0;
  return {
      fmt::format("set title {}\nset xlabel {}\nset xrange [{}:{}]\nset yrange [-0.6:{}]\n"
                  "set grid xtics\nset key off\n"
                  "set arrow from first 0, graph 0 to first 0, graph 1 nohead lt -1 dt 2\n"
                  "plot '{}.dat' using 2:0:3:4:yticlabels(1) with xerrorbars pt 7 ps 1.2 lc rgb "
                  "'#4477aa'\n",
                  gp_string(f.title), gp_string(f.x_label),
                  text::format_number(lo - pad, text::NumberStyle::kShortest),
                  text::format_number(hi + pad, text::NumberStyle::kShortest), n - 0.4, name),
      900, std::max(260, 140 + 36 * static_cast<int>(f.data.rows.size()))};
}

FigureScript script_of(const Figure& f, const std::string& terminal) {
  const std::string name = file_stem(f.name);
  Body body;
  std::string data;
  switch (f.kind) {
    case FigureKind::kTornado:
      body = tornado(f, name);
      data = data_file(f, header_comment(f) + " (largest last)");
      break;
    case FigureKind::kIndexBars:
      body = index_bars(f, name);
      data = data_file(f, header_comment(f));
      break;
    case FigureKind::kMuSigma:
      body = mu_sigma(f, name);
      data = data_file(f, header_comment(f));
      break;
    case FigureKind::kLines: {
      body = lines(f, name);
      // gnuplot's columnheader() reads the titles from the first line.
      std::string header;
      for (const auto& c : f.data.columns) header += (header.empty() ? "" : " ") + gp_string(c.key);
      data = header + "\n" + data_file(f, "");
      break;
    }
    case FigureKind::kHistogram:
      body = histogram(f, name);
      data = data_file(f, header_comment(f));
      break;
    case FigureKind::kScatter:
      body = scatter(f, name);
      data = data_file(f, header_comment(f));
      break;
    case FigureKind::kForest:
      body = forest(f, name);
      data = data_file(f, header_comment(f) + " (first shown last)");
      break;
  }
  return {name, data,
          // noenhanced: names such as growth_rate are text, not subscripts.
          fmt::format("# {0}.png from {0}.dat; run `gnuplot {0}.gp` in this folder.\n"
                      "set terminal {1} size {2},{3}\nset termoption noenhanced\n"
                      "set output '{0}.png'\n{4}",
                      name, terminal, body.width, body.height, body.script)};
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write '" + path.string() + "'");
}

}  // namespace

std::vector<FigureScript> figure_scripts(const Report& report, const std::string& terminal) {
  std::vector<FigureScript> out;
  for (const auto& s : report.sections) {
    for (const auto& f : s.figures) out.push_back(script_of(f, terminal));
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
