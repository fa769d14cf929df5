// Tests of RankMatrix and parallel_for: ranks of leading rows by counting, thread-count-free sums.
#include "analysis/rank_matrix.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "analysis/analysis_error.hpp"
#include "analysis/correlation_matrix.hpp"
#include "analysis/parallel.hpp"
#include "analysis/partial_correlation.hpp"
#include "analysis/ranks.hpp"

namespace tmex::analysis {
namespace {

// Columns with many ties (rounded to a few levels) and without.
Eigen::MatrixXd data(Eigen::Index n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> e;
  Eigen::MatrixXd x(n, 4);
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i, 0) = e(g);
    x(i, 1) = std::round(2.0 * e(g));  // ties
    x(i, 2) = x(i, 0) + 0.5 * e(g);
    x(i, 3) = std::exp(e(g));
  }
  return x;
}

RankMatrix ranked(const Eigen::MatrixXd& x) {
  return rank_inputs_and_outputs(x.leftCols(2), x.rightCols(2));
}

TEST(RankMatrix, DoubledRanksAreTwiceTheCentredRanks) {
  const Eigen::MatrixXd x = data(301, 1);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    Eigen::VectorXd centred(x.rows());
    centred_ranks(x.col(j), centred);
    std::vector<std::int32_t> doubled(static_cast<std::size_t>(x.rows()));
    const Eigen::VectorXd column = x.col(j);
    doubled_centred_ranks({column.data(), doubled.size()}, doubled);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      EXPECT_EQ(static_cast<double>(doubled[static_cast<std::size_t>(i)]), 2.0 * centred[i]);
    }
  }
}

TEST(RankMatrix, LeadingRowsAreRankedAsIfRankedAlone) {
  const Eigen::MatrixXd x = data(1000, 2);
  RankMatrix all = ranked(x);
  for (Eigen::Index n : {700, 333, 64, 5}) {
    all.keep_leading(n, 2);
    const RankMatrix alone = ranked(x.topRows(n));
    ASSERT_EQ(all.rows(), n);
    // Equal ranks give equal correlation matrices, bit for bit.
    const Eigen::MatrixXd a = all.correlation(), b = alone.correlation();
    EXPECT_EQ(a, b) << n;
    // And the correlations are Spearman's: Pearson of the centred ranks.
    Eigen::MatrixXd centred(n, x.cols());
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      Eigen::VectorXd c(n);
      centred_ranks(x.col(j).head(n), c);
      centred.col(j) = c;
    }
    EXPECT_TRUE(a.isApprox(correlation_of_centred(centred), 1e-12)) << n;
  }
  EXPECT_THROW(all.keep_leading(6), AnalysisError);
  EXPECT_THROW(all.keep_leading(0), AnalysisError);
}

TEST(RankMatrix, CorrelationIsTheSameForAnyNumberOfThreads) {
  // More rows than one block of the Gram matrix, so that blocks are summed.
  const Eigen::MatrixXd x = data(50000, 3);
  const RankMatrix r = rank_inputs_and_outputs(x.leftCols(2), x.rightCols(2), 3);
  const RankMatrix single = rank_inputs_and_outputs(x.leftCols(2), x.rightCols(2), 1);
  EXPECT_EQ(r.correlation(1), single.correlation(1));
  EXPECT_EQ(r.correlation(1), r.correlation(2));
  EXPECT_EQ(r.correlation(1), r.correlation(5));
  EXPECT_EQ(prcc(r, 2, {}, {.threads = 4}).coefficient, prcc(single, 2).coefficient);
}

TEST(RankMatrix, ConstantColumnsAreNamedOrNaN) {
  Eigen::MatrixXd x = data(50, 4);
  x.col(3).setConstant(2.0);
  const RankMatrix r = ranked(x);
  EXPECT_TRUE(r.constant(3));
  EXPECT_FALSE(r.constant(0));
  const auto t = prcc(r, 2);
  EXPECT_TRUE(std::isnan(t.coefficient(0, 1)));
  x.col(0).setConstant(1.0);
  EXPECT_THROW(prcc(ranked(x), 2), AnalysisError);
}

TEST(ParallelFor, RunsEveryTaskOnceAndRethrowsTheFirstFailure) {
  for (unsigned threads : {0u, 1u, 2u, 7u}) {
    std::vector<std::atomic<int>> seen(100);
    parallel_for(seen.size(), threads, [&](std::size_t i) { ++seen[i]; });
    for (const auto& s : seen) EXPECT_EQ(s.load(), 1);
  }
  parallel_for(0, 4, [](std::size_t) { FAIL(); });
  try {
    parallel_for(10, 1, [](std::size_t i) {
      if (i >= 3) throw std::runtime_error("task " + std::to_string(i));
    });
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task 3");
  }
  EXPECT_THROW(parallel_for(50, 4,
                            [](std::size_t i) {
                              if (i % 7 == 6) throw std::runtime_error("x");
                            }),
               std::runtime_error);
}

}  // namespace
}  // namespace tmex::analysis
