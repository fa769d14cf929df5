// A user-supplied design read from CSV: one header line of parameter names, unit-cube values.
#pragma once

#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "sampling/materialised_design.hpp"

namespace tmex::sampling {

/// Reads a CSV design. Format: a header line of column names, then one line per point with one
/// value per column, each strictly inside (0, 1): the design lives in the unit cube and the
/// parameters' distributions turn it into values, exactly as for generated designs (write
/// F(x), the parameter's CDF at x, to place a value x). Blank lines and lines starting with '#'
/// are skipped; fields are trimmed; "\r\n" line ends are accepted.
///
/// With `parameter_names` non-empty, every name must be a column exactly once and no other
/// column may appear; columns are reordered to parameter order. Otherwise the file must have
/// `dimension` columns, used in file order.
/// Throws DesignError as "<source>:<line>: <what>, got <value>".
/// describe() is "file(n=.., k=.., columns=[..], fnv1a64=..)" with a hash of the values, so
/// editing the file changes the description.
std::unique_ptr<MaterialisedDesign> read_design_csv(
    std::istream& in, const std::string& source, std::size_t dimension,
    const std::vector<std::string>& parameter_names);

/// Opens `path` and reads it with read_design_csv; throws DesignError if it cannot be opened.
std::unique_ptr<MaterialisedDesign> read_design_csv_file(
    const std::string& path, std::size_t dimension,
    const std::vector<std::string>& parameter_names);

}  // namespace tmex::sampling
