// RankMatrix: integer centred ranks, re-ranking of leading rows by counting, blocked Gram.
#include "analysis/rank_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "analysis/analysis_error.hpp"
#include "analysis/parallel.hpp"
#include "analysis/ranks.hpp"

namespace tmex::analysis {

namespace {

// Rows per block of the Gram matrix: small enough that a block converted to double stays in
// cache (16384 x 30 doubles = 3.75 MiB), large enough that the update runs at full speed. Fixed,
// so that the summation order does not depend on the number of threads.
constexpr Eigen::Index kGramBlockRows = 16384;

}  // namespace

RankMatrix::RankMatrix(Eigen::Index rows, Eigen::Index cols)
    : rows_(rows), cols_(cols), stride_(rows) {
  if (rows < 0 || cols < 0 || rows >= (Eigen::Index{1} << 31)) {
    throw AnalysisError("RankMatrix: " + std::to_string(rows) + " x " + std::to_string(cols) +
                        " is not a size 32-bit ranks can hold");
  }
  data_.resize(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
}

void RankMatrix::rank_column(Eigen::Index j, std::span<const double> values) {
  if (static_cast<Eigen::Index>(values.size()) != rows_ || j < 0 || j >= cols_) {
    throw AnalysisError("RankMatrix: column " + std::to_string(j) + " of " +
                        std::to_string(values.size()) + " values for " + std::to_string(rows_) +
                        " rows and " + std::to_string(cols_) + " columns");
  }
  doubled_centred_ranks(values, {column(j), static_cast<std::size_t>(rows_)});
}

void RankMatrix::rank_column(Eigen::Index j, const double* values,
                             std::span<const std::size_t> rows) {
  if (static_cast<Eigen::Index>(rows.size()) != rows_ || j < 0 || j >= cols_) {
    throw AnalysisError("RankMatrix: column " + std::to_string(j) + " of " +
                        std::to_string(rows.size()) + " rows for " + std::to_string(rows_) +
                        " rows and " + std::to_string(cols_) + " columns");
  }
  doubled_centred_ranks(values, rows, {column(j), static_cast<std::size_t>(rows_)});
}

bool RankMatrix::constant(Eigen::Index j) const {
  const std::int32_t* c = column(j);
  return std::all_of(c, c + rows_, [&](std::int32_t v) { return v == c[0]; });
}

void RankMatrix::keep_leading(Eigen::Index n, unsigned threads) {
  if (n < 1 || n > rows_) {
    throw AnalysisError("RankMatrix::keep_leading: " + std::to_string(n) + " of " +
                        std::to_string(rows_) + " rows");
  }
  const Eigen::Index old_rows = rows_;
  parallel_for(static_cast<std::size_t>(cols_), threads, [&](std::size_t jj) {
    std::int32_t* c = column(static_cast<Eigen::Index>(jj));
    // Doubled centred ranks s lie in [-(N - 1), N - 1], and two distinct values differ by at
    // least 2 (a tie group [f, l) has s = f + l - N; the next starts at l and ends past it),
    // so (s + N - 1) / 2 is a distinct slot in [0, N) for each value: count the leading rows
    // at each slot.
    thread_local std::vector<std::int32_t> at;
    at.assign(static_cast<std::size_t>(old_rows), 0);
    const auto slot = [&](std::int32_t s) {
      return static_cast<std::size_t>((static_cast<std::int64_t>(s) + old_rows - 1) / 2);
    };
    for (Eigen::Index i = 0; i < n; ++i) ++at[slot(c[i])];
    // Each value held by t of the n leading rows spans positions first..first + t - 1 among
    // them: its new doubled centred rank is first + (first + t) - n.
    std::int64_t first = 0;
    for (auto& a : at) {
      if (a == 0) continue;
      const std::int64_t last = first + a;
      a = static_cast<std::int32_t>(first + last - n);
      first = last;
    }
    for (Eigen::Index i = 0; i < n; ++i) c[i] = at[slot(c[i])];
  });
  rows_ = n;
}

Eigen::MatrixXd RankMatrix::correlation(unsigned threads) const {
  const Eigen::Index p = cols_;
  const Eigen::Index blocks = (rows_ + kGramBlockRows - 1) / kGramBlockRows;
  std::vector<Eigen::MatrixXd> partial(static_cast<std::size_t>(blocks));
  parallel_for(static_cast<std::size_t>(blocks), threads, [&](std::size_t b) {
    const Eigen::Index first = static_cast<Eigen::Index>(b) * kGramBlockRows;
    const Eigen::Index count = std::min(kGramBlockRows, rows_ - first);
    Eigen::MatrixXd block(count, p);
    for (Eigen::Index j = 0; j < p; ++j) {
      const std::int32_t* c = column(j) + first;
      for (Eigen::Index i = 0; i < count; ++i) block(i, j) = static_cast<double>(c[i]);
    }
    Eigen::MatrixXd& g = partial[b];
    g = Eigen::MatrixXd::Zero(p, p);
    g.selfadjointView<Eigen::Lower>().rankUpdate(block.transpose());
  });
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(p, p);
  for (const auto& g : partial) gram.triangularView<Eigen::Lower>() += g;
  return correlation_from_gram(gram.selfadjointView<Eigen::Lower>());
}

Eigen::MatrixXd correlation_from_gram(Eigen::MatrixXd gram) {
  const Eigen::Index p = gram.cols();
  Eigen::VectorXd inv_sd(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    inv_sd[j] =
        gram(j, j) > 0.0 ? 1.0 / std::sqrt(gram(j, j)) : std::numeric_limits<double>::quiet_NaN();
  }
  Eigen::MatrixXd c = inv_sd.asDiagonal() * gram * inv_sd.asDiagonal();
  for (Eigen::Index j = 0; j < p; ++j) {
    if (!std::isnan(inv_sd[j])) c(j, j) = 1.0;
  }
  return c;
}

}  // namespace tmex::analysis
