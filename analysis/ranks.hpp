// Rank transforms with average ranks for ties, the first step of every rank-based statistic.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

namespace tmex::analysis {

/// Ranks 1..n of the values (ties share the average of the ranks they span). O(n log n).
/// Throws AnalysisError for a NaN value (callers drop incomplete rows first; see
/// complete_rows.hpp). Thread-safe.
Eigen::VectorXd average_ranks(const Eigen::Ref<const Eigen::VectorXd>& values);

/// average_ranks() of every column. Throws AnalysisError for a NaN value.
Eigen::MatrixXd rank_columns(const Eigen::Ref<const Eigen::MatrixXd>& data);

/// Writes average_ranks(values) - (n + 1) / 2 into `out` (length n). The mean rank is exactly
/// (n + 1) / 2 with or without ties, so the result is exactly centred: half-integers or
/// averages of them, free of the cancellation that uncentred ranks suffer at large n.
void centred_ranks(const Eigen::Ref<const Eigen::VectorXd>& values,
                   Eigen::Ref<Eigen::VectorXd> out);

/// Writes 2 (average rank - (n + 1) / 2) of each value into `out` (length n < 2^31): twice
/// the exactly centred rank, which is an integer (ties share first + last - n for the 0-based
/// positions first..last - 1 they span). The compact form of centred_ranks() (RankMatrix).
/// Throws AnalysisError for a NaN value or mismatched lengths.
void doubled_centred_ranks(std::span<const double> values, std::span<std::int32_t> out);

/// doubled_centred_ranks() of column[rows[0]], column[rows[1]], ... (a column of a table at
/// chosen rows), without copying them out first.
void doubled_centred_ranks(const double* column, std::span<const std::size_t> rows,
                           std::span<std::int32_t> out);

/// Sorts `values` ascending: an LSD radix sort of order-preserving integer keys, O(N) and
/// several times faster than std::sort for 10^6 values. Throws AnalysisError for a NaN.
void sort_values(std::vector<double>& values);

/// Sum over groups of equal values of (t^3 - t), t the size of each group (0 without ties).
/// The tie correction of rank tests such as Mann-Whitney.
double tie_correction_sum(const Eigen::Ref<const Eigen::VectorXd>& values);

}  // namespace tmex::analysis
