// The exception thrown by the analysis module for inputs it cannot analyse.
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

}  // namespace tmex::analysis
