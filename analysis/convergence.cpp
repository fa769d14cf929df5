// Subsample sequences for PRCC and Sobol' indices, the reusable criteria, and the verdict.
#include "analysis/convergence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "analysis/analysis_error.hpp"
#include "analysis/correlation_table.hpp"
#include "analysis/partial_correlation.hpp"
#include "analysis/sobol_indices.hpp"
#include "text/number_text.hpp"
#include "text/strings.hpp"

namespace tmex::analysis {

namespace {

std::string brief(double v) { return text::format_number(v, text::NumberStyle::kBrief); }

std::vector<Eigen::Index> doubling_sizes(Eigen::Index n, int steps, Eigen::Index minimum,
                                         const char* unit) {
  if (steps < 2)
    throw AnalysisError("convergence: steps must be >= 2, got " + std::to_string(steps));
  std::vector<Eigen::Index> sizes;
  for (int s = steps - 1; s >= 0; --s) sizes.push_back(n >> s);
  if (sizes.front() < minimum) {
    throw AnalysisError("convergence: the smallest of " + std::to_string(steps) +
                        " subsamples has " + std::to_string(sizes.front()) + " " + unit +
                        ", fewer than the " + std::to_string(minimum) +
                        " needed; use fewer steps "
                        "or more samples");
  }
  return sizes;
}

void check_criteria(const ConvergenceCriteria& c) {
  if (!(c.halfwidth > 0.0) || !std::isfinite(c.halfwidth)) {
    throw AnalysisError("convergence: the half-width tolerance must be a positive number, got " +
                        text::format_number(c.halfwidth, text::NumberStyle::kShortest));
  }
  if (c.stable_top < 1) {
    throw AnalysisError(
        "convergence: the number of top parameters to keep their order must be "
        ">= 1, got " +
        std::to_string(c.stable_top));
  }
}

bool excludes_zero(double low, double high) {
  return std::isfinite(low) && std::isfinite(high) && (low > 0.0 || high < 0.0);
}

// The rows of `ranked` (rows of one parameter per index, e.g. the ST rows of a Sobol' report)
// restricted view: `offset` is where the ranked block starts, `count` its length.
struct Block {
  Eigen::Index offset = 0;
  Eigen::Index count = 0;
};

// The largest |value(N) - value(N / 2)| and where; then the verdict of each output.
void judge(ConvergenceReport& r, const std::string& measure, const char* unit, Block ranked) {
  const Eigen::MatrixXd& last = r.values.back();
  const Eigen::MatrixXd& before = r.values[r.values.size() - 2];
  const Eigen::MatrixXd& low = r.low.back();
  const Eigen::MatrixXd& high = r.high.back();
  r.max_change = 0.0;
  Eigen::Index undefined = 0;
  std::string undefined_row, undefined_output;
  for (Eigen::Index j = 0; j < last.cols(); ++j) {
    for (Eigen::Index i = 0; i < last.rows(); ++i) {
      const double change = std::abs(last(i, j) - before(i, j));
      if (std::isfinite(change) && (change > r.max_change || r.worst_row.empty())) {
        r.max_change = change;
        r.worst_row = r.rows[static_cast<std::size_t>(i)];
        r.worst_output = r.outputs[static_cast<std::size_t>(j)];
      }
      if (!std::isfinite(last(i, j)) && undefined++ == 0) {
        undefined_row = r.rows[static_cast<std::size_t>(i)];
        undefined_output = r.outputs[static_cast<std::size_t>(j)];
      }
    }
  }
  const auto n = static_cast<std::uint64_t>(r.sample_sizes.back());
  r.rows_needed = n;
  const double tolerance = r.criteria.halfwidth;
  std::vector<std::string> unstable, wide;
  for (Eigen::Index j = 0; j < last.cols(); ++j) {
    OutputConvergence o;
    o.output = r.outputs[static_cast<std::size_t>(j)];
    const auto block = [&](const Eigen::MatrixXd& m) {
      return Eigen::MatrixXd(m.middleRows(ranked.offset, ranked.count));
    };
    const Eigen::MatrixXd now = block(last), then = block(before);
    o.ranked = ranked_count(block(low), block(high), j, r.criteria.stable_top);
    const auto top = top_rows(now, j, o.ranked);
    for (const auto i : top) o.top.push_back(r.rows[static_cast<std::size_t>(ranked.offset + i)]);
    o.top_stable = same_top(then, now, j, o.ranked);
    if (!o.top_stable) {
      std::vector<std::string> was;
      const auto top_then = top_rows(then, j, o.ranked);
      for (const auto i : top_then) {
        was.push_back(r.rows[static_cast<std::size_t>(ranked.offset + i)]);
      }
      o.top_before = text::join(was);
      // Whether two parameters that moved have overlapping intervals (of |index|) at N: then
      // their order may not be decidable at any size.
      const auto magnitude = [&](Eigen::Index i) {
        const double a = std::abs(low(ranked.offset + i, j)),
                     b = std::abs(high(ranked.offset + i, j));
        return std::pair{std::min(a, b), std::max(a, b)};
      };
      std::vector<Eigen::Index> moved;
      for (std::size_t a = 0; a < top.size(); ++a) {
        if (top_then[a] != top[a]) {
          for (const auto i : {top[a], top_then[a]}) {
            if (std::find(moved.begin(), moved.end(), i) == moved.end()) moved.push_back(i);
          }
        }
      }
      for (std::size_t a = 0; a < moved.size(); ++a) {
        for (std::size_t b = a + 1; b < moved.size(); ++b) {
          const auto [alo, ahi] = magnitude(moved[a]);
          const auto [blo, bhi] = magnitude(moved[b]);
          if (std::max(alo, blo) <= std::min(ahi, bhi)) o.overlapping = true;
        }
      }
      unstable.push_back(o.output);
    }
    o.halfwidths = halfwidth_check(low, high, tolerance, j);
    if (o.halfwidths.row >= 0) o.widest = r.rows[static_cast<std::size_t>(o.halfwidths.row)];
    o.rows_needed = rows_for_halfwidth(n, o.halfwidths.largest, tolerance);
    r.rows_needed = std::max(r.rows_needed, o.rows_needed);
    if (!o.halfwidths.met) wide.push_back(o.output);
    r.per_output.push_back(std::move(o));
  }
  const bool all_met = unstable.empty() && wide.empty();
  r.converged = undefined == 0 && all_met;
  const std::string criteria =
      "the top " + std::to_string(r.criteria.stable_top) +
      " significant parameters in the same order at " +
      std::to_string(r.sample_sizes[r.sample_sizes.size() - 2]) + " and " + std::to_string(n) +
      " " + unit + ", and every interval that excludes 0 no wider than +/- " + brief(tolerance);
  if (undefined > 0) {
    r.verdict = "undefined: " + measure + " " + undefined_row + " on " + undefined_output +
                " is not a number at " + std::to_string(n) + " " + unit + " (is " +
                undefined_output + " constant?)";
    if (undefined > 1) r.verdict += "; " + std::to_string(undefined) + " indices in all";
    if (undefined < last.size()) {
      r.verdict += "; the others moved by at most " + brief(r.max_change) + " from " +
                   std::to_string(r.sample_sizes[r.sample_sizes.size() - 2]) + " to " +
                   std::to_string(n) + " " + unit;
    }
    return;
  }
  if (r.converged) {
    r.verdict = "converged: " + criteria;
    return;
  }
  r.verdict = "not converged (" + criteria + "):";
  if (!unstable.empty()) {
    const auto& o = *std::find_if(r.per_output.begin(), r.per_output.end(),
                                  [](const OutputConvergence& x) { return !x.top_stable; });
    r.verdict += " the order of the top parameters of " + text::join(unstable) + " changed (" +
                 o.output + ": " + o.top_before + " at " +
                 std::to_string(r.sample_sizes[r.sample_sizes.size() - 2]) + ", " +
                 text::join(o.top) + " at " + std::to_string(n) + ")" +
                 (o.overlapping ? ", between parameters whose intervals overlap (their order may "
                                  "not be decidable: a smaller top may be the question to ask)"
                                : "") +
                 ";";
  }
  if (!wide.empty()) {
    const auto& o = *std::max_element(r.per_output.begin(), r.per_output.end(),
                                      [](const OutputConvergence& a, const OutputConvergence& b) {
                                        return a.halfwidths.largest < b.halfwidths.largest;
                                      });
    r.verdict +=
        " " + std::to_string(wide.size()) + " output" + (wide.size() > 1 ? "s have" : " has") +
        " wider intervals (widest: " + measure + " " + o.widest + " on " + o.output + ", +/- " +
        brief(o.halfwidths.largest) + "); about " + std::to_string(r.rows_needed) + " " + unit +
        " would likely reach +/- " + brief(tolerance) + " (half-widths shrink as 1/sqrt(N));";
  }
  r.verdict.pop_back();
}

Eigen::MatrixXd nan_like(const Eigen::MatrixXd& m) {
  return Eigen::MatrixXd::Constant(m.rows(), m.cols(), std::numeric_limits<double>::quiet_NaN());
}

}  // namespace

HalfwidthCheck halfwidth_check(const Eigen::MatrixXd& low, const Eigen::MatrixXd& high,
                               double halfwidth, Eigen::Index column) {
  HalfwidthCheck c;
  const Eigen::Index first = column < 0 ? 0 : column;
  const Eigen::Index end = column < 0 ? low.cols() : column + 1;
  for (Eigen::Index j = first; j < end; ++j) {
    for (Eigen::Index i = 0; i < low.rows(); ++i) {
      if (!excludes_zero(low(i, j), high(i, j))) continue;
      ++c.significant;
      const double h = 0.5 * (high(i, j) - low(i, j));
      if (h > c.largest || c.row < 0) {
        c.largest = h;
        c.row = i;
        c.column = j;
      }
    }
  }
  c.met = c.largest <= halfwidth;
  return c;
}

std::vector<Eigen::Index> top_rows(const Eigen::MatrixXd& values, Eigen::Index column,
                                   Eigen::Index k) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(values.rows()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    const double x = std::abs(values(a, column)), y = std::abs(values(b, column));
    if (std::isnan(x)) return false;
    if (std::isnan(y)) return true;
    return x > y;
  });
  order.resize(
      std::min<std::size_t>(order.size(), static_cast<std::size_t>(std::max<Eigen::Index>(k, 0))));
  return order;
}

bool same_top(const Eigen::MatrixXd& before, const Eigen::MatrixXd& after, Eigen::Index column,
              Eigen::Index k) {
  return top_rows(before, column, k) == top_rows(after, column, k);
}

Eigen::Index ranked_count(const Eigen::MatrixXd& low, const Eigen::MatrixXd& high,
                          Eigen::Index column, int stable_top) {
  Eigen::Index significant = 0;
  for (Eigen::Index i = 0; i < low.rows(); ++i) {
    if (excludes_zero(low(i, column), high(i, column))) ++significant;
  }
  return std::min<Eigen::Index>(significant, stable_top);
}

std::uint64_t rows_for_halfwidth(std::uint64_t rows, double current, double halfwidth) {
  if (!(current > halfwidth) || !(halfwidth > 0.0)) return rows;
  const double needed =
      std::ceil(static_cast<double>(rows) * (current / halfwidth) * (current / halfwidth));
  return std::max<std::uint64_t>(rows, static_cast<std::uint64_t>(needed));
}

ConvergenceReport prcc_convergence(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                                   const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                   const Labels& labels, const ConvergenceOptions& options) {
  const Labels names = labels.resolve(inputs.cols(), outputs.cols());
  doubling_sizes(inputs.rows(), options.steps, inputs.cols() + 4, "rows");  // checks first
  return prcc_convergence(rank_inputs_and_outputs(inputs, outputs, options.threads), inputs.cols(),
                          names, options);
}

ConvergenceReport prcc_convergence(RankMatrix ranks, Eigen::Index k, const Labels& labels,
                                   const ConvergenceOptions& options, const Eigen::MatrixXd* full) {
  check_criteria(options.criteria);
  const Labels names = labels.resolve(k, ranks.cols() - k);
  ConvergenceReport r;
  r.rows = names.parameters;
  r.outputs = names.outputs;
  r.criteria = options.criteria;
  r.sample_sizes = doubling_sizes(ranks.rows(), options.steps, k + 4, "rows");
  r.values.resize(r.sample_sizes.size());
  r.low.resize(r.sample_sizes.size());
  r.high.resize(r.sample_sizes.size());
  PartialCorrelationOptions pc;
  pc.threads = options.threads;
  pc.confidence = options.confidence;
  // Largest first: each subsample's ranks come from the one before by counting.
  for (std::size_t s = r.sample_sizes.size(); s-- > 0;) {
    const Eigen::Index n = r.sample_sizes[s];
    if (n < ranks.rows()) ranks.keep_leading(n, options.threads);
    CorrelationTable t = s + 1 == r.sample_sizes.size() && full
                             ? correlation_table(*full, names, n, k - 1, options.confidence)
                             : prcc(ranks, k, names, pc);
    r.values[s] = std::move(t.coefficient);
    r.low[s] = std::move(t.ci_low);
    r.high[s] = std::move(t.ci_high);
  }
  judge(r, "PRCC", "rows", {0, k});
  return r;
}

ConvergenceReport sobol_convergence(const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                                    Eigen::Index k, const Labels& labels,
                                    const ConvergenceOptions& options, const Eigen::MatrixXd* low,
                                    const Eigen::MatrixXd* high) {
  check_criteria(options.criteria);
  if (k < 1 || outputs.rows() % (k + 2) != 0) {
    throw AnalysisError("sobol_convergence: " + std::to_string(outputs.rows()) +
                        " rows is not a multiple of k + 2 = " + std::to_string(k + 2));
  }
  const Labels names = labels.resolve(k, outputs.cols());
  ConvergenceReport r;
  for (const auto& p : names.parameters) r.rows.push_back("S(" + p + ")");
  for (const auto& p : names.parameters) r.rows.push_back("ST(" + p + ")");
  r.outputs = names.outputs;
  r.criteria = options.criteria;
  r.sample_sizes = doubling_sizes(outputs.rows() / (k + 2), options.steps, 2, "base rows");
  SobolOptions no_intervals;
  no_intervals.resamples = 0;
  for (const Eigen::Index n : r.sample_sizes) {
    const auto s = sobol_indices(outputs.topRows(n * (k + 2)), k, names, no_intervals);
    Eigen::MatrixXd v(2 * k, outputs.cols());
    v << s.first, s.total;
    r.low.push_back(nan_like(v));
    r.high.push_back(nan_like(v));
    r.values.push_back(std::move(v));
  }
  if (low && high && low->rows() == 2 * k && high->rows() == 2 * k &&
      low->cols() == outputs.cols() && high->cols() == outputs.cols()) {
    r.low.back() = *low;
    r.high.back() = *high;
  }
  judge(r, "Sobol' index", "base rows", {k, k});
  return r;
}

}  // namespace tmex::analysis
