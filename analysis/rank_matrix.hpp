// RankMatrix: the centred ranks of many columns, made once and reused for leading subsamples.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

namespace tmex::analysis {

/// Centred ranks of the columns of a data set (average ranks for ties), held as twice their
/// value, which is an integer (doubled_centred_ranks): 4 bytes per entry instead of 8.
/// Ranking is the costly step of every rank statistic; this matrix is made once (one sort per
/// column), gives the rank correlation matrix of all columns, and turns into the ranks of the
/// leading rows by counting (keep_leading), with no second sort: what PRCC on growing
/// subsamples needs.
class RankMatrix {
 public:
  /// An unranked rows x cols matrix. Throws AnalysisError when rows >= 2^31.
  RankMatrix(Eigen::Index rows, Eigen::Index cols);

  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }

  /// Ranks `values` (rows() finite values) into column j. Thread-safe for distinct columns.
  /// Throws AnalysisError for a NaN or a length other than rows().
  void rank_column(Eigen::Index j, std::span<const double> values);
  /// Ranks column[rows[0]], column[rows[1]], ... (rows() of them) into column j, without a
  /// copy. Thread-safe for distinct columns. Throws as above.
  void rank_column(Eigen::Index j, const double* column, std::span<const std::size_t> rows);

  /// True when every entry of column j is equal (a constant column).
  bool constant(Eigen::Index j) const;

  /// Replaces every column by the ranks of its first n values among themselves (exactly what
  /// ranking those n values would give), in place, and makes rows() n. O(rows()) per column
  /// (a counting pass over the ranks); columns on up to `threads` threads. Throws
  /// AnalysisError unless 1 <= n <= rows().
  void keep_leading(Eigen::Index n, unsigned threads = 1);

  /// The Pearson correlation matrix of the rank columns (Spearman's rho of the data): the Gram
  /// matrix of fixed blocks of rows, computed on up to `threads` threads and summed in block
  /// order, so the result is the same for any number of threads. Rows and columns of a
  /// constant column are NaN; the diagonal is otherwise exactly 1.
  Eigen::MatrixXd correlation(unsigned threads = 1) const;

 private:
  const std::int32_t* column(Eigen::Index j) const {
    return data_.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(stride_);
  }
  std::int32_t* column(Eigen::Index j) {
    return data_.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(stride_);
  }

  Eigen::Index rows_ = 0;
  Eigen::Index cols_ = 0;
  Eigen::Index stride_ = 0;  ///< rows allocated per column (rows() before keep_leading)
  std::vector<std::int32_t> data_;
};

/// Correlation matrix from a Gram matrix of centred columns (g_ij = sum of x_i x_j): g_ij /
/// sqrt(g_ii g_jj), with NaN rows and columns for zero-variance columns and an exact 1 on the
/// remaining diagonal.
Eigen::MatrixXd correlation_from_gram(Eigen::MatrixXd gram);

}  // namespace tmex::analysis
