// CSV parsing of user-supplied designs, with line-numbered errors.
#include "sampling/design_file.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "text/strings.hpp"

namespace tmex::sampling {

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    fields.push_back(text::trim(line.substr(start, comma - start)));
    if (comma == std::string::npos) return fields;
    start = comma + 1;
  }
}

}  // namespace

std::unique_ptr<MaterialisedDesign> read_design_csv(
    std::istream& in, const std::string& source, std::size_t dimension,
    const std::vector<std::string>& parameter_names) {
  auto fail = [&](std::size_t line, const std::string& what) -> DesignError {
    return DesignError(source + ":" + std::to_string(line) + ": " + what);
  };
  std::string line;
  std::size_t line_no = 0;
  std::vector<std::string> header;
  std::size_t header_line = 0;
  // column_of[c]: the parameter column that file column c feeds.
  std::vector<std::size_t> column_of;
  std::vector<double> values;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string t = text::trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (header.empty()) {
      header = split(t);
      header_line = line_no;
      if (parameter_names.empty()) {
        if (header.size() != dimension) {
          throw fail(line_no, "expected " + std::to_string(dimension) + " columns, got " +
                                  std::to_string(header.size()) + " (" + text::join(header) + ")");
        }
        for (std::size_t c = 0; c < header.size(); ++c) column_of.push_back(c);
      } else {
        std::vector<bool> seen(parameter_names.size(), false);
        for (const auto& name : header) {
          std::size_t p = 0;
          while (p < parameter_names.size() && parameter_names[p] != name) ++p;
          if (p == parameter_names.size()) {
            throw fail(line_no, "unknown column '" + name + "'; the parameters are " +
                                    text::join(parameter_names));
          }
          if (seen[p]) throw fail(line_no, "column '" + name + "' appears twice");
          seen[p] = true;
          column_of.push_back(p);
        }
        for (std::size_t p = 0; p < parameter_names.size(); ++p) {
          if (!seen[p]) throw fail(line_no, "missing column '" + parameter_names[p] + "'");
        }
      }
      continue;
    }
    const auto fields = split(t);
    if (fields.size() != header.size()) {
      throw fail(line_no, "expected " + std::to_string(header.size()) + " values, got " +
                              std::to_string(fields.size()));
    }
    const std::size_t row = values.size() / header.size();
    values.resize(values.size() + header.size());
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const std::string& f = fields[c];
      double v = 0.0;
      const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      if (ec != std::errc() || end != f.data() + f.size() || !(v > 0.0 && v < 1.0)) {
        throw fail(line_no, "column '" + header[c] +
                                "': expected a number in the open unit "
                                "interval (0, 1), got '" +
                                f + "'");
      }
      values[row * header.size() + column_of[c]] = v;
    }
  }
  if (header.empty()) throw fail(line_no, "no header line");
  if (values.empty()) throw fail(header_line, "no data lines after the header");

  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a over the values' bytes
  for (double v : values) {
    unsigned char bytes[sizeof v];
    std::memcpy(bytes, &v, sizeof v);
    for (unsigned char b : bytes) hash = (hash ^ b) * 0x100000001b3ULL;
  }
  std::vector<std::string> columns(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) columns[column_of[c]] = header[c];
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  const std::size_t k = header.size();
  const std::string description = "file(n=" + std::to_string(values.size() / k) +
                                  ", k=" + std::to_string(k) + ", columns=[" + text::join(columns) +
                                  "], fnv1a64=" + hex + ")";
  return std::make_unique<MaterialisedDesign>(k, std::move(values), description);
}

std::unique_ptr<MaterialisedDesign> read_design_csv_file(
    const std::string& path, std::size_t dimension,
    const std::vector<std::string>& parameter_names) {
  std::ifstream in(path);
  if (!in) throw DesignError("file: cannot open design file '" + path + "'");
  return read_design_csv(in, path, dimension, parameter_names);
}

}  // namespace tmex::sampling
