// check_checkpoint: PRCC or Sobol' indices at a checkpoint and the one before, and the criteria.
#include "analysis/checkpoint_check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "analysis/analysis_error.hpp"
#include "analysis/partial_correlation.hpp"
#include "analysis/pipeline_stages.hpp"
#include "analysis/sobol_indices.hpp"
#include "text/number_text.hpp"
#include "text/strings.hpp"

namespace tmex::analysis {

namespace {

std::string brief(double v) { return text::format_number(v, text::NumberStyle::kBrief); }
std::string shortest(double v) { return text::format_number(v, text::NumberStyle::kShortest); }

// The indices of one measure at the checkpoint (with intervals) and at the one before.
struct Indices {
  std::vector<std::string> rows;  ///< index names ("x1", or "S(x1)" ... "ST(x1)" ...)
  Eigen::MatrixXd value, low, high;
  Eigen::Index ranked_offset = 0;  ///< the rows ranked: [offset, offset + count)
  Eigen::Index ranked_count = 0;
  Eigen::MatrixXd before;  ///< the ranked rows at the previous checkpoint (empty: none)
  std::uint64_t rows_used = 0;
  std::vector<bool> defined;  ///< per output: every index is a number
};

// Rows of `runs` in the checkpoint (sample < limit), successful with every value of `columns`,
// one per sample (replicates averaged), in sample order; `table` is where they are.
std::vector<std::size_t> checkpoint_rows(const RunTable& runs,
                                         const std::vector<std::size_t>& columns,
                                         std::uint64_t limit, RunTable& averaged,
                                         const RunTable*& table,
                                         std::vector<std::size_t>& table_columns) {
  const RowSelection selection = select_rows(runs, columns);
  std::vector<std::size_t> rows;
  bool replicated = false;
  for (const std::size_t r : selection.analysed) {
    if (runs.sample[r] >= limit) continue;
    replicated = replicated || runs.replicate[r] != 0;
    rows.push_back(r);
  }
  table = &runs;
  table_columns = columns;
  if (!replicated) return rows;
  averaged = average_replicates(runs, rows, columns);
  table = &averaged;
  table_columns.resize(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) table_columns[c] = c;
  std::vector<std::size_t> all(averaged.rows);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

Indices prcc_indices(const CampaignInfo& campaign, const RunTable& runs,
                     const std::vector<std::string>& outputs, std::uint64_t size,
                     std::uint64_t previous_size, const StoppingRule& rule) {
  std::vector<std::string> names = campaign.parameter_names();
  names.insert(names.end(), outputs.begin(), outputs.end());
  RunTable averaged;
  const RunTable* table = nullptr;
  std::vector<std::size_t> columns;
  const auto rows = checkpoint_rows(runs, columns_of(runs, names), size, averaged, table, columns);
  const auto k = static_cast<Eigen::Index>(campaign.parameters.size());
  const auto n = static_cast<Eigen::Index>(rows.size());
  if (n < k + 4) {
    throw AnalysisError("PRCC of " + std::to_string(k) + " parameters needs at least " +
                        std::to_string(k + 4) + " successful samples, the checkpoint has " +
                        std::to_string(n));
  }
  RankMatrix ranks(n, static_cast<Eigen::Index>(columns.size()));
  for (std::size_t c = 0; c < columns.size(); ++c) {
    ranks.rank_column(static_cast<Eigen::Index>(c), table->column(columns[c]), rows);
  }
  for (Eigen::Index j = 0; j < k; ++j) {
    if (ranks.constant(j)) {
      throw AnalysisError("parameter " + campaign.parameters[static_cast<std::size_t>(j)].name +
                          " does not vary among the checkpoint's successful samples");
    }
  }
  const Labels labels{campaign.parameter_names(), outputs};
  PartialCorrelationOptions pc;
  pc.confidence = rule.confidence;
  const CorrelationTable now = prcc(ranks, k, labels, pc);
  Indices out;
  out.rows = campaign.parameter_names();
  out.value = now.coefficient;
  out.low = now.ci_low;
  out.high = now.ci_high;
  out.ranked_count = k;
  out.rows_used = rows.size();
  if (previous_size > 0) {
    // Rows are in sample order: the previous checkpoint's are the leading ones.
    const auto m = static_cast<Eigen::Index>(std::count_if(
        rows.begin(), rows.end(), [&](std::size_t r) { return table->sample[r] < previous_size; }));
    if (m >= k + 4) {
      ranks.keep_leading(m);
      bool varies = true;
      for (Eigen::Index j = 0; j < k; ++j) varies = varies && !ranks.constant(j);
      if (varies) out.before = prcc(ranks, k, labels, pc).coefficient;
    }
  }
  return out;
}

Indices sobol_check_indices(const CampaignInfo& campaign, const RunTable& runs,
                            const std::vector<std::string>& outputs, std::uint64_t size,
                            std::uint64_t previous_size, const StoppingRule& rule) {
  const auto k = static_cast<Eigen::Index>(campaign.parameters.size());
  const auto width = static_cast<std::uint64_t>(k + 2);
  RunTable averaged;
  const RunTable* table = nullptr;
  std::vector<std::size_t> columns;
  const auto rows =
      checkpoint_rows(runs, columns_of(runs, outputs), size * width, averaged, table, columns);
  // The whole base rows (every one of their k + 2 runs analysed), in base-row order.
  std::vector<std::size_t> row_of;
  const auto whole = whole_groups(*table, rows, size, width, row_of);
  const auto used = static_cast<Eigen::Index>(whole.size());
  if (used < 2) {
    throw AnalysisError("Sobol' indices need at least 2 whole base rows, the checkpoint has " +
                        std::to_string(used));
  }
  const auto m = static_cast<Eigen::Index>(outputs.size());
  Eigen::MatrixXd y(used * static_cast<Eigen::Index>(width), m);
  for (Eigen::Index i = 0; i < used; ++i) {
    for (std::uint64_t b = 0; b < width; ++b) {
      const std::size_t r =
          row_of[static_cast<std::size_t>(whole[static_cast<std::size_t>(i)] * width + b)];
      for (Eigen::Index o = 0; o < m; ++o) {
        y(i * static_cast<Eigen::Index>(width) + static_cast<Eigen::Index>(b), o) =
            table->column(columns[static_cast<std::size_t>(o)])[r];
      }
    }
  }
  const Labels labels{campaign.parameter_names(), outputs};
  SobolOptions so;
  so.resamples = rule.resamples;
  so.confidence = rule.confidence;
  so.seed = rule.seed;
  const SobolIndices now = sobol_indices(y, k, labels, so);
  Indices out;
  for (const auto& p : campaign.parameter_names()) out.rows.push_back("S(" + p + ")");
  for (const auto& p : campaign.parameter_names()) out.rows.push_back("ST(" + p + ")");
  out.value.resize(2 * k, m);
  out.value << now.first, now.total;
  out.low.resize(2 * k, m);
  out.low << now.first_low, now.total_low;
  out.high.resize(2 * k, m);
  out.high << now.first_high, now.total_high;
  out.ranked_offset = k;
  out.ranked_count = k;
  out.rows_used = static_cast<std::uint64_t>(used);
  if (previous_size > 0) {
    const auto before = static_cast<Eigen::Index>(std::count_if(
        whole.begin(), whole.end(), [&](std::size_t j) { return j < previous_size; }));
    if (before >= 2) {
      SobolOptions no_intervals;
      no_intervals.resamples = 0;
      out.before = sobol_indices(y.topRows(before * static_cast<Eigen::Index>(width)), k, labels,
                                 no_intervals)
                       .total;
    }
  }
  return out;
}

// Dummy parameters are yardsticks, not results: their indices neither widen the criterion nor
// take a place among the top parameters (NaN intervals and values are left out of both).
void mask_dummies(const CampaignInfo& campaign, Indices& ix) {
  const auto k = static_cast<Eigen::Index>(campaign.parameters.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (Eigen::Index p = 0; p < k; ++p) {
    if (!campaign.parameters[static_cast<std::size_t>(p)].dummy) continue;
    for (Eigen::Index r = p; r < ix.value.rows(); r += k) {
      ix.low.row(r).setConstant(nan);
      ix.high.row(r).setConstant(nan);
      ix.value.row(r).setConstant(nan);
    }
    if (ix.before.size() > 0) ix.before.row(p).setConstant(nan);
  }
}

// The criteria of `outs` (column o of the indices is outs[o]'s output).
void judge(const Indices& ix, const StoppingRule& rule, std::span<OutputCheck> outs) {
  const auto block = [&](const Eigen::MatrixXd& m) {
    return Eigen::MatrixXd(m.middleRows(ix.ranked_offset, ix.ranked_count));
  };
  const Eigen::MatrixXd now = block(ix.value), low = block(ix.low), high = block(ix.high);
  const auto name = [&](Eigen::Index ranked_row) {
    return ix.rows[static_cast<std::size_t>(ix.ranked_offset + ranked_row)];
  };
  for (std::size_t o = 0; o < outs.size(); ++o) {
    OutputCheck& out = outs[o];
    const auto j = static_cast<Eigen::Index>(o);
    out.defined = ix.defined[static_cast<std::size_t>(o)];
    out.halfwidths = halfwidth_check(ix.low, ix.high, rule.criteria.halfwidth, j);
    if (out.halfwidths.row >= 0) out.widest = ix.rows[static_cast<std::size_t>(out.halfwidths.row)];
    out.ranked = ranked_count(low, high, j, rule.criteria.stable_top);
    for (const auto i : top_rows(now, j, out.ranked)) out.top.push_back(name(i));
    if (ix.before.size() > 0) {
      for (const auto i : top_rows(ix.before, j, out.ranked)) out.before.push_back(name(i));
      out.top_stable = same_top(ix.before, now, j, out.ranked);
    }
  }
}

// The rows of `runs` whose sample lies below `limit` (all of them: `runs` itself).
RunTable leading_samples(const RunTable& runs, std::uint64_t limit) {
  std::vector<std::size_t> keep;
  for (std::size_t r = 0; r < runs.rows; ++r) {
    if (runs.sample[r] < limit) keep.push_back(r);
  }
  if (keep.size() == runs.rows) return runs;
  return runs.rows_at(keep);
}

// `table`'s coefficients (and intervals) as a k x m matrix over every parameter of the campaign
// in its order (NaN for the parameters that did not vary, which the table leaves out).
Eigen::MatrixXd over_parameters(const CampaignInfo& campaign, const CorrelationTable& table,
                                const Eigen::MatrixXd& values) {
  const auto k = static_cast<Eigen::Index>(campaign.parameters.size());
  Eigen::MatrixXd out = Eigen::MatrixXd::Constant(k, values.cols(), std::nan(""));
  for (std::size_t i = 0; i < table.parameters.size(); ++i) {
    for (Eigen::Index p = 0; p < k; ++p) {
      if (campaign.parameters[static_cast<std::size_t>(p)].name == table.parameters[i]) {
        out.row(p) = values.row(static_cast<Eigen::Index>(i));
      }
    }
  }
  return out;
}

// The checks of the rule's contrasts at `size`: per contrast and output the mean paired
// difference against its target, and the PRCC of the differences (who benefits) with the
// previous checkpoint's coefficients where the order of the top parameters is judged.
void check_contrasts(const CampaignInfo& campaign, const RunTable& runs,
                     const std::vector<std::string>& outputs, std::uint64_t size,
                     std::uint64_t previous_size, const StoppingRule& rule,
                     CheckpointCheck& check) {
  ContrastRequest request;
  request.contrasts = rule.contrasts;
  request.outputs = outputs;
  request.confidence = rule.confidence;
  request.seed = rule.seed;
  request.threads = 1;  // the analysis thread of rank 0; the result does not depend on it
  const ContrastPlan plan = plan_contrasts(campaign, request);
  const std::vector<Contrast> now = contrast_arms(campaign, leading_samples(runs, size), plan);
  const bool indices = rule.judge_halfwidth || rule.judge_stable_top;
  std::vector<Contrast> before;
  if (rule.judge_stable_top && previous_size > 0) {
    ContrastPlan coefficients_only = plan;
    coefficients_only.bootstrap = 0;
    coefficients_only.resamples = 0;
    before = contrast_arms(campaign, leading_samples(runs, previous_size), coefficients_only);
  }
  const auto m = static_cast<Eigen::Index>(outputs.size());
  check.rows = now.empty() ? 0 : now.front().samples;
  for (std::size_t c = 0; c < now.size(); ++c) {
    const Contrast& contrast = now[c];
    check.rows = std::min(check.rows, contrast.samples);
    const std::size_t first = check.outputs.size();
    for (std::size_t o = 0; o < outputs.size(); ++o) {
      OutputCheck out;
      out.output = outputs[o];
      out.contrast = contrast.arm + ":" + contrast.reference;
      out.judge_halfwidth = rule.judge_halfwidth;
      out.judge_stable_top = rule.judge_stable_top;
      DifferenceCheck& d = out.difference;
      d.target = rule.difference.empty() ? std::nan("") : rule.difference[o];
      d.judged = std::isfinite(d.target);
      const OutputContrast& oc = contrast.outputs[o];
      d.samples = oc.samples;
      d.mean = oc.difference.mean;
      d.low = oc.difference.mean_low;
      d.high = oc.difference.mean_high;
      d.halfwidth = 0.5 * (d.high - d.low);
      d.met = d.judged && d.halfwidth <= d.target;
      check.outputs.push_back(std::move(out));
    }
    if (!indices) continue;
    if (!contrast.predictors) {
      throw AnalysisError(
          contrast.arm + ":" + contrast.reference + ": no PRCC of the paired " + "differences (" +
          (contrast.notes.empty() ? std::string("too few samples") : contrast.notes.back()) + ")");
    }
    const CorrelationTable& t = *contrast.predictors;
    Indices ix;
    ix.rows = campaign.parameter_names();
    ix.value = over_parameters(campaign, t, t.coefficient);
    ix.low = over_parameters(campaign, t, t.ci_low);
    ix.high = over_parameters(campaign, t, t.ci_high);
    ix.ranked_count = ix.value.rows();
    for (Eigen::Index j = 0; j < m; ++j) ix.defined.push_back(t.coefficient.col(j).allFinite());
    if (!before.empty()) {
      if (!before[c].predictors) {
        throw AnalysisError(
            "the previous checkpoint has too few paired samples for the PRCC of the differences");
      }
      ix.before =
          over_parameters(campaign, *before[c].predictors, before[c].predictors->coefficient);
    }
    mask_dummies(campaign, ix);
    judge(ix, rule, std::span<OutputCheck>(check.outputs).subspan(first, outputs.size()));
  }
}

// "y", or "y (plus1:base)" for an output of a contrast.
std::string label_of(const OutputCheck& o) {
  return o.contrast.empty() ? o.output : o.output + " (" + o.contrast + ")";
}

std::string summarise(const CheckpointCheck& check, const StoppingRule& rule, const char* unit) {
  const std::string hw = "+/- " + shortest(rule.criteria.halfwidth);
  if (!check.error.empty()) return "not converged: " + check.error;
  const bool indices = rule.judge_halfwidth || rule.judge_stable_top;
  const bool differences = std::any_of(check.outputs.begin(), check.outputs.end(),
                                       [](const OutputCheck& o) { return o.difference.judged; });
  std::vector<std::string> problems;
  const OutputCheck* widest = nullptr;
  for (const auto& o : check.outputs) {
    const std::string of = label_of(o);
    if (indices && (!widest || o.halfwidths.largest > widest->halfwidths.largest)) widest = &o;
    if (indices && !o.defined) {
      problems.push_back(of + (o.contrast.empty()
                                   ? ": an index is not a number (is " + o.output + " constant?)"
                                   : std::string(": a PRCC of the paired difference is not a "
                                                 "number (is the difference constant?)")));
    }
    if (o.difference.judged && !o.difference.met) {
      problems.push_back(
          std::isnan(o.difference.halfwidth)
              ? of + ": fewer than 2 paired samples for the mean difference's interval"
              : of + ": the interval of the mean difference " + brief(o.difference.mean) +
                    " is +/- " + brief(o.difference.halfwidth) + ", wider than +/- " +
                    shortest(o.difference.target));
    }
    if (rule.judge_halfwidth && !o.halfwidths.met) {
      problems.push_back(of + ": the interval of " + o.widest +
                         (o.contrast.empty() ? "" : " (PRCC of the paired difference)") +
                         " is +/- " + brief(o.halfwidths.largest) + ", wider than " + hw);
    }
    if (rule.judge_stable_top && check.previous_size > 0 && !o.top_stable) {
      problems.push_back(of + ": the top " + std::to_string(o.ranked) + " went from (" +
                         text::join(o.before) + ") at " + std::to_string(check.previous_size) +
                         " to (" + text::join(o.top) + ") at " + std::to_string(check.size) + " " +
                         unit);
    }
  }
  std::string widest_text;
  if (indices) {
    widest_text = "no interval excludes 0";
    if (widest && widest->halfwidths.row >= 0) {
      widest_text = "the widest significant interval is +/- " + brief(widest->halfwidths.largest) +
                    " (" + widest->widest + " on " +
                    (widest->contrast.empty() ? "" : "the paired difference of ") +
                    label_of(*widest) + ")";
    }
  }
  if (check.previous_size == 0 && rule.judge_stable_top) {
    std::string s =
        "first checkpoint: the order of the top parameters is compared from the next "
        "one on; " +
        widest_text;
    for (const auto& p : problems) s += "; " + p;
    return s;
  }
  if (!problems.empty()) return "not converged: " + text::join(problems, "; ");
  std::vector<std::string> clauses;
  if (rule.judge_stable_top) {
    std::string tops;
    for (const auto& o : check.outputs) {
      tops += (tops.empty() ? "" : "; ") + label_of(o) + ": " +
              (o.top.empty() ? std::string("none significant") : text::join(o.top));
    }
    clauses.push_back("the top parameters keep their order from " +
                      std::to_string(check.previous_size) + " to " + std::to_string(check.size) +
                      " " + unit + " (" + tops + ")");
  }
  if (rule.judge_halfwidth) clauses.push_back("every interval that excludes 0 is within " + hw);
  if (differences) {
    std::string means;
    for (const auto& o : check.outputs) {
      if (!o.difference.judged) continue;
      means += (means.empty() ? "" : "; ") + label_of(o) + ": " + brief(o.difference.mean) +
               " +/- " + brief(o.difference.halfwidth) + " <= " + shortest(o.difference.target);
    }
    clauses.push_back("every mean difference's interval is within its target (" + means + ")");
  }
  return "converged: " + text::join(clauses, " and ") +
         (widest_text.empty() ? "" : "; " + widest_text);
}

}  // namespace

std::string stopping_measure_name(StoppingMeasure measure) {
  return measure == StoppingMeasure::kSobol ? "sobol" : "prcc";
}

CheckpointCheck check_checkpoint(const CampaignInfo& campaign, const RunTable& runs,
                                 unsigned checkpoint, std::uint64_t size,
                                 std::uint64_t previous_size, const StoppingRule& rule) {
  const bool sobol = rule.measure == StoppingMeasure::kSobol;
  if (sobol != (campaign.layout.kind == DesignKind::kSaltelli)) {
    throw AnalysisError(sobol ? "a Sobol' stopping rule needs a saltelli design, got " +
                                    design_kind_name(campaign.layout.kind)
                              : "a PRCC stopping rule needs a design that samples the space, "
                                "got " +
                                    design_kind_name(campaign.layout.kind));
  }
  if (!campaign.layout.samples_the_space() && !sobol) {
    throw AnalysisError("a PRCC stopping rule needs a design that samples the space");
  }
  if (previous_size >= size && previous_size > 0) {
    throw AnalysisError("checkpoint sizes must grow: " + std::to_string(previous_size) + " then " +
                        std::to_string(size));
  }
  const std::vector<std::string> outputs = rule.outputs.empty() ? campaign.outputs : rule.outputs;
  for (const auto& o : outputs) {
    if (std::find(campaign.outputs.begin(), campaign.outputs.end(), o) == campaign.outputs.end()) {
      throw AnalysisError("the stopping rule names output '" + o +
                          "', which the campaign does not store");
    }
  }
  const bool arms = !rule.contrasts.empty();
  if (arms != (campaign.arms.size() >= 2)) {
    throw AnalysisError(arms ? "the stopping rule names contrasts, and the campaign has " +
                                   std::to_string(campaign.arms.size()) + " arms"
                             : "a campaign with arms stops on its contrasts: the stopping rule "
                               "names none");
  }
  if (arms && sobol) {
    throw AnalysisError("the contrasts of a campaign with arms are judged with PRCC, not Sobol'");
  }
  if (!rule.difference.empty() && (!arms || rule.difference.size() != outputs.size())) {
    throw AnalysisError("the stopping rule's difference targets need a campaign with arms and " +
                        std::string("one target per output"));
  }
  CheckpointCheck check;
  check.checkpoint = checkpoint;
  check.size = size;
  check.previous_size = previous_size;
  try {
    if (arms) {
      check_contrasts(campaign, runs, outputs, size, previous_size, rule, check);
    } else {
      for (const auto& o : outputs) {
        check.outputs.push_back({.output = o,
                                 .judge_halfwidth = rule.judge_halfwidth,
                                 .judge_stable_top = rule.judge_stable_top});
      }
      Indices ix = sobol ? sobol_check_indices(campaign, runs, outputs, size, previous_size, rule)
                         : prcc_indices(campaign, runs, outputs, size, previous_size, rule);
      check.rows = ix.rows_used;
      for (Eigen::Index j = 0; j < ix.value.cols(); ++j)
        ix.defined.push_back(ix.value.col(j).allFinite());
      mask_dummies(campaign, ix);
      judge(ix, rule, check.outputs);
      if (previous_size > 0 && ix.before.size() == 0) {
        check.error = "the previous checkpoint has too few successful " +
                      std::string(sobol ? "base rows" : "samples") + " for the indices";
      }
    }
  } catch (const AnalysisError& e) {
    check.error = e.what();
  }
  check.met = check.error.empty() && (previous_size > 0 || !rule.judge_stable_top) &&
              !check.outputs.empty() &&
              std::all_of(check.outputs.begin(), check.outputs.end(),
                          [](const OutputCheck& o) { return o.met(); });
  check.summary = summarise(check, rule, sobol ? "base rows" : "samples");
  return check;
}

}  // namespace tmex::analysis
