// mcnemar_test(): the binomial tail of the discordant pairs.
#include "analysis/mcnemar.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>

namespace tmex::analysis {

McNemarTest mcnemar_test(std::uint64_t both, std::uint64_t neither, std::uint64_t prevented,
                         std::uint64_t caused) {
  McNemarTest t{both, neither, prevented, caused, 1.0};
  const std::uint64_t discordant = prevented + caused;
  if (discordant == 0) return t;
  const boost::math::binomial_distribution<double> binomial(static_cast<double>(discordant), 0.5);
  const double tail = boost::math::cdf(binomial, static_cast<double>(std::min(prevented, caused)));
  t.p_value = std::min(1.0, 2.0 * tail);
  return t;
}

}  // namespace tmex::analysis
