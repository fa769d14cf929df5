// Numbers as text: the one formatter of the project, for stored text, messages and reports.
#pragma once

#include <string>

namespace tmex::text {

/// How a number is written. Every module formats numbers through format_number(), so that a
/// p-value or a coefficient reads the same in a table, a sentence and a message.
enum class NumberStyle {
  /// 17 significant digits ("%.17g"): reads back to the same double. The form of numbers in
  /// stored descriptions and canonical configs; changing it would change config hashes.
  kExact,
  /// The shortest text that reads back to the same double: 0.1, 1e-12, 20000.
  kShortest,
  /// 4 decimals: 0.4264, -0.0032 (correlation coefficients, sensitivity indices).
  kCoefficient,
  /// A p-value: 3 decimals from 0.001 (0.358), 2 significant digits below (4.6e-70), "<1e-300"
  /// for 0 (below what a double resolves).
  kPValue,
  /// 4 significant digits: 3.516, 13.47, 1.11e-16.
  kGeneral,
  /// 2 significant digits, for prose: 0.025, 1.5e-17.
  kBrief,
};

/// `value` in `style`. NaN reads "nan", infinities "inf" and "-inf" in every style. Thread-safe.
std::string format_number(double value, NumberStyle style);

}  // namespace tmex::text
