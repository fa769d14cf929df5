// The exceptions of the analysis module: data it cannot analyse, requests that do not fit.
#pragma once

#include <stdexcept>

namespace tmex::analysis {

/// Thrown for data an analysis cannot use: mismatched shapes, too few rows, a constant or
/// collinear input, a design layout that does not match. The message names the offending
/// quantity and its value.
class AnalysisError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Thrown for an analysis request that does not fit the campaign, before any data is read: an
/// unknown method or output, a malformed event, a method the design cannot support (with the
/// reason and what to use instead), an option out of range. A usage error for the caller.
class RequestError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace tmex::analysis
