// Tests of dropping incomplete rows.
#include "analysis/complete_rows.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "analysis/analysis_error.hpp"

namespace tmex::analysis {
namespace {

TEST(CompleteRows, DropsRowsWithNaNInEitherMatrixAndCountsThem) {
  Eigen::MatrixXd x(4, 2);
  x << 1, 2, 3, std::nan(""), 5, 6, 7, 8;
  Eigen::MatrixXd y(4, 1);
  y << 0.1, 0.2, std::nan(""), 0.4;
  const CompleteRows c = complete_rows(x, y);
  EXPECT_EQ(c.dropped, 2);
  EXPECT_EQ(c.kept, (std::vector<Eigen::Index>{0, 3}));
  EXPECT_EQ(c.inputs(1, 0), 7.0);
  EXPECT_EQ(c.outputs(1, 0), 0.4);
  EXPECT_THROW(complete_rows(x, y.topRows(3)), AnalysisError);
}

}  // namespace
}  // namespace tmex::analysis
