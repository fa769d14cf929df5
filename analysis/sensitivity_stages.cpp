// Pipeline stage 4: sensitivity by design kind (samples of the space, Saltelli, Morris).
#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/analysis_error.hpp"
#include "analysis/complete_rows.hpp"
#include "analysis/correlation.hpp"
#include "analysis/parallel.hpp"
#include "analysis/pipeline_stages.hpp"
#include "text/number_text.hpp"

namespace tmex::analysis {

namespace {

// Above this many rows the convergence check compares N / 2 with N only (the verdict needs no
// more), which saves the cost of N / 8 and N / 4.
constexpr std::size_t kShortConvergenceRows = 100000;

// Columns `columns` of `table` at `rows`, as a matrix.
Eigen::MatrixXd gather(const RunTable& table, const std::vector<std::size_t>& rows,
                       const std::vector<std::size_t>& columns) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()),
                    static_cast<Eigen::Index>(columns.size()));
  for (std::size_t j = 0; j < columns.size(); ++j) {
    const double* column = table.column(columns[j]);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = column[rows[i]];
    }
  }
  return m;
}

// The ranks of `columns` at `rows`, one column per task.
RankMatrix rank_columns(const RunTable& table, const std::vector<std::size_t>& rows,
                        const std::vector<std::size_t>& columns, unsigned threads) {
  RankMatrix ranks(static_cast<Eigen::Index>(rows.size()),
                   static_cast<Eigen::Index>(columns.size()));
  parallel_for(columns.size(), threads, [&](std::size_t j) {
    ranks.rank_column(static_cast<Eigen::Index>(j), table.column(columns[j]), rows);
  });
  return ranks;
}

// The correlation-type table(s) of a method other than PRCC, on copies of the columns.
void other_correlations(Method method, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                        const Labels& labels, const PartialCorrelationOptions& pc,
                        CampaignAnalysis& out) {
  switch (method) {
    case Method::kPcc:
      out.correlations.push_back({Coefficient::kPcc, pcc(x, y, labels, pc)});
      break;
    case Method::kCorrelation:
      out.correlations.push_back({Coefficient::kPearson, pearson(x, y, labels, pc.confidence)});
      out.correlations.push_back({Coefficient::kSpearman, spearman(x, y, labels, pc.confidence)});
      break;
    case Method::kSrc:
      out.regressions.push_back({Coefficient::kSrc, src(x, y, labels)});
      break;
    case Method::kSrrc:
      out.regressions.push_back({Coefficient::kSrrc, srrc(x, y, labels)});
      break;
    default:
      break;
  }
}

// PRCC over time of each trajectory of `samples` against the parameters `x` (rows matched).
void time_courses(const RunTable& samples, const std::vector<std::size_t>& rows,
                  const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                  const PartialCorrelationOptions& pc, CampaignAnalysis& out) {
  for (const auto& t : samples.trajectories) {
    const auto nt = static_cast<Eigen::Index>(t.times.size());
    Eigen::MatrixXd traj(static_cast<Eigen::Index>(rows.size()), nt);
    for (Eigen::Index ti = 0; ti < nt; ++ti) {
      const double* column = t.values.data() + static_cast<std::size_t>(ti) * samples.rows;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        traj(static_cast<Eigen::Index>(i), ti) = column[rows[i]];
      }
    }
    const auto clean = complete_rows(x, traj);
    if (clean.inputs.rows() < x.cols() + 4) {
      out.notes.push_back("Trajectory " + t.variable +
                          ": too few complete rows for PRCC over time.");
      continue;
    }
    out.time_courses.push_back(
        prcc_over_time(clean.inputs, clean.outputs, t.times, t.variable, names, pc));
  }
}

// A sample of rows for scatter plots, each output's scale over all `rows`, and for 0/1 outputs
// the probability along each parameter over all `rows`.
ScatterSample scatter_sample(const CampaignInfo& campaign, const AnalysisPlan& plan,
                             const RunTable& samples, const std::vector<std::size_t>& rows,
                             const std::vector<std::size_t>& parameters,
                             const std::vector<std::size_t>& outputs,
                             std::vector<std::string> parameter_names) {
  const std::size_t n = std::min<std::size_t>(plan.scatter_rows, rows.size());
  std::vector<std::size_t> picked(n);
  for (std::size_t i = 0; i < n; ++i) picked[i] = rows[i * rows.size() / n];
  ScatterSample s;
  s.parameters = std::move(parameter_names);
  s.outputs = plan.outputs;
  s.inputs = gather(samples, picked, parameters);
  s.outputs_values = gather(samples, picked, outputs);
  for (const auto& name : s.parameters) {
    const auto p = std::find_if(campaign.parameters.begin(), campaign.parameters.end(),
                                [&](const ParameterInfo& info) { return info.name == name; });
    s.parameter_log.push_back(p != campaign.parameters.end() && p->log_scaled);
  }
  s.output_scales.resize(outputs.size());
  s.binned.resize(outputs.size());
  parallel_for(outputs.size(), plan.threads, [&](std::size_t o) {
    std::vector<double> y(rows.size());
    const double* column = samples.column(outputs[o]);
    for (std::size_t i = 0; i < rows.size(); ++i) y[i] = column[rows[i]];
    s.output_scales[o] = value_scale(y);
    if (s.output_scales[o] != ValueScale::kBinary) return;
    std::vector<double> x(rows.size());
    for (const std::size_t p : parameters) {
      const double* xs = samples.column(p);
      for (std::size_t i = 0; i < rows.size(); ++i) x[i] = xs[rows[i]];
      s.binned[o].push_back(binned_event_probability(x, y, kProbabilityBins, plan.confidence));
    }
  });
  return s;
}

void check_group_size(const CampaignInfo& campaign, std::uint64_t expected, const char* what) {
  if (campaign.layout.group_size != expected) {
    throw AnalysisError("a " + std::string(what) + " of " +
                        std::to_string(campaign.parameters.size()) + " parameters has groups of " +
                        std::to_string(expected) + " samples, but the campaign says " +
                        std::to_string(campaign.layout.group_size));
  }
}

// What to do when the half-widths are too wide: how many more runs, and how to add them.
// `rows` are the samples (base rows) analysed, each `per_row` design points.
void advise(const CampaignInfo& campaign, std::uint64_t rows, std::uint64_t per_row,
            ConvergenceReport& r) {
  if (r.converged || r.rows_needed <= rows || rows == 0) return;
  const std::uint64_t have = campaign.samples / per_row;  // samples (base rows) of the design
  // The design's samples that would give rows_needed analysed ones (failures scale along).
  const auto wanted = static_cast<std::uint64_t>(std::ceil(
      static_cast<double>(r.rows_needed) * static_cast<double>(have) / static_cast<double>(rows)));
  const std::uint64_t runs_per_sample = per_row * campaign.replicates;
  const auto more = [&](std::uint64_t samples) {
    return std::to_string((samples - have) * runs_per_sample);
  };
  if (campaign.layout.kind == DesignKind::kLhs) {
    // An extension by a multiple of the stored size keeps the design a Latin hypercube.
    const std::uint64_t total = have * ((wanted + have - 1) / have);
    r.advice = "About " + more(wanted) +
               " more runs would likely bring every significant index's "
               "interval within +/- " +
               text::format_number(r.criteria.halfwidth, text::NumberStyle::kBrief) +
               ". The Latin hypercube can be extended keeping every stored run: set samples: " +
               std::to_string(total) +
               " and design: {method: lhs, extend_from: " + std::to_string(have) +
               "} and run the campaign again into the same store (" + more(total) +
               " new runs; a multiple of " + std::to_string(have) + " keeps it a Latin hypercube).";
  } else {
    r.advice = "About " + more(wanted) + " more runs (" + std::to_string(wanted) + " " +
               (campaign.layout.kind == DesignKind::kSaltelli ? "base rows" : "samples") +
               " in all) would likely bring every significant index's interval within +/- " +
               text::format_number(r.criteria.halfwidth, text::NumberStyle::kBrief) +
               "; only a Latin hypercube can be extended in place (extend_from), so this needs "
               "a new campaign with samples: " +
               std::to_string(wanted) + ".";
  }
}

}  // namespace

std::vector<std::size_t> whole_groups(const RunTable& samples, const std::vector<std::size_t>& rows,
                                      std::uint64_t groups, std::uint64_t size,
                                      std::vector<std::size_t>& row_of) {
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  row_of.assign(static_cast<std::size_t>(groups * size), kNone);
  for (const std::size_t r : rows) {
    if (samples.sample[r] < groups * size) row_of[static_cast<std::size_t>(samples.sample[r])] = r;
  }
  std::vector<std::size_t> whole;
  for (std::uint64_t g = 0; g < groups; ++g) {
    bool complete = true;
    for (std::uint64_t p = 0; p < size && complete; ++p) {
      complete = row_of[static_cast<std::size_t>(g * size + p)] != kNone;
    }
    if (complete) whole.push_back(static_cast<std::size_t>(g));
  }
  return whole;
}

void sample_sensitivity(const CampaignInfo& campaign, const AnalysisPlan& plan,
                        const RunTable& samples, const std::vector<std::size_t>& rows,
                        CampaignAnalysis& out) {
  const auto parameters = columns_of(samples, campaign.parameter_names());
  const auto outputs = columns_of(samples, plan.outputs);
  // Constant parameters carry no sensitivity and would make the correlation matrix singular.
  std::vector<std::size_t> varying;
  std::vector<std::string> varying_names;
  for (std::size_t j = 0; j < parameters.size(); ++j) {
    const double* column = samples.column(parameters[j]);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const std::size_t r : rows) {
      lo = std::min(lo, column[r]);
      hi = std::max(hi, column[r]);
    }
    if (!rows.empty() && lo < hi) {
      varying.push_back(parameters[j]);
      varying_names.push_back(campaign.parameters[j].name);
    } else {
      out.notes.push_back("Parameter " + campaign.parameters[j].name +
                          " does not vary: left out of the sensitivity analysis.");
    }
  }
  const Method method = plan.methods.front();
  const auto kk = static_cast<Eigen::Index>(varying.size());
  const auto n = static_cast<Eigen::Index>(rows.size());
  out.sensitivity_rows = rows.size();
  if (is_correlation_method(method) && !outputs.empty()) {
    const Labels labels{varying_names, plan.outputs};
    PartialCorrelationOptions pc;
    pc.confidence = plan.confidence;
    pc.threads = plan.threads;
    std::vector<std::size_t> ranked = varying;
    ranked.insert(ranked.end(), outputs.begin(), outputs.end());
    std::optional<RankMatrix> ranks;
    if (method == Method::kPrcc) {
      ranks = rank_columns(samples, rows, ranked, plan.threads);
      out.correlations.push_back({Coefficient::kPrcc, prcc(*ranks, kk, labels, pc)});
    } else {
      other_correlations(method, gather(samples, rows, varying), gather(samples, rows, outputs),
                         labels, pc, out);
    }
    // Leading rows of a grid are one corner of it, not a sample: no convergence check there.
    if (campaign.layout.kind == DesignKind::kGrid) {
      out.notes.push_back("No convergence check: leading rows of a grid are not a sample.");
    } else if (n / 8 >= kk + 4) {
      if (!ranks) ranks = rank_columns(samples, rows, ranked, plan.threads);
      ConvergenceOptions co;
      co.steps = rows.size() > kShortConvergenceRows ? 2 : 4;
      co.threads = plan.threads;
      co.criteria = plan.convergence;
      co.confidence = plan.confidence;
      const Eigen::MatrixXd* full =
          method == Method::kPrcc ? &out.correlations.back().table.coefficient : nullptr;
      out.convergence = prcc_convergence(std::move(*ranks), kk, labels, co, full);
      advise(campaign, rows.size(), 1, *out.convergence);
    } else {
      out.notes.push_back("No convergence check: it needs at least " +
                          std::to_string(8 * (kk + 4)) + " rows (8 (k + 4)).");
    }
    if (method == Method::kPrcc && !samples.trajectories.empty()) {
      time_courses(samples, rows, gather(samples, rows, varying), varying_names, pc, out);
    }
  }
  if (plan.scatter && !outputs.empty()) {
    out.scatter =
        scatter_sample(campaign, plan, samples, rows, varying, outputs, std::move(varying_names));
  }
}

void saltelli_sensitivity(const CampaignInfo& campaign, const AnalysisPlan& plan,
                          const RunTable& samples, const std::vector<std::size_t>& rows,
                          CampaignAnalysis& out) {
  const auto k = static_cast<Eigen::Index>(campaign.parameters.size());
  const auto block = static_cast<std::uint64_t>(k + 2);
  check_group_size(campaign, block, "Saltelli design");
  const std::uint64_t base_rows = campaign.samples / block;
  const auto outputs = columns_of(samples, plan.outputs);
  const auto m = static_cast<Eigen::Index>(outputs.size());
  // A run's place in its base row is its stored block: A = 0, A_B(i) = i, B = k + 1.
  for (const std::size_t r : rows) {
    const auto b = samples.block[r];
    if (b < 0 || static_cast<std::uint64_t>(b) != samples.sample[r] % block) {
      throw AnalysisError("sample " + std::to_string(samples.sample[r]) + " is in block " +
                          std::to_string(b) +
                          ", which is not its place in a Saltelli base row of " +
                          std::to_string(block) + " samples");
    }
  }
  std::vector<std::size_t> row_of;
  const auto whole = whole_groups(samples, rows, base_rows, block, row_of);
  const auto used = static_cast<Eigen::Index>(whole.size());
  if (static_cast<std::uint64_t>(used) < base_rows) {
    out.notes.push_back(
        std::to_string(base_rows - static_cast<std::uint64_t>(used)) + " of " +
        std::to_string(base_rows) +
        " Saltelli base rows are dropped because one of their k + 2 = " + std::to_string(block) +
        " runs failed or is not stored; the Sobol' indices use the " + std::to_string(used) +
        " whole base rows.");
  }
  out.sensitivity_rows = static_cast<std::uint64_t>(used);
  if (!plan.runs(Method::kSobol) || m == 0) return;
  if (used < 2) {
    throw AnalysisError("Sobol' indices need at least 2 whole base rows, found " +
                        std::to_string(used));
  }
  const auto width = static_cast<Eigen::Index>(block);
  Eigen::MatrixXd y(used * width, m);
  for (Eigen::Index i = 0; i < used; ++i) {
    for (Eigen::Index b = 0; b < width; ++b) {
      const std::size_t r =
          row_of[whole[static_cast<std::size_t>(i)] * block + static_cast<std::size_t>(b)];
      for (Eigen::Index o = 0; o < m; ++o) {
        y(i * width + b, o) = samples.column(outputs[static_cast<std::size_t>(o)])[r];
      }
    }
  }
  const Labels labels{campaign.parameter_names(), plan.outputs};
  SobolOptions so;
  so.resamples = plan.resamples;
  so.confidence = plan.confidence;
  so.seed = plan.seed;
  so.threads = plan.threads;
  out.sobol = sobol_indices(y, k, labels, so);
  if (used / 8 >= 2) {
    ConvergenceOptions co;
    co.criteria = plan.convergence;
    co.confidence = plan.confidence;
    Eigen::MatrixXd low(2 * k, m), high(2 * k, m);
    low << out.sobol->first_low, out.sobol->total_low;
    high << out.sobol->first_high, out.sobol->total_high;
    out.convergence = sobol_convergence(y, k, labels, co, &low, &high);
    advise(campaign, static_cast<std::uint64_t>(used), block, *out.convergence);
  } else {
    out.notes.push_back("No convergence check: it needs at least 16 whole base rows.");
  }
}

void morris_sensitivity(const CampaignInfo& campaign, const AnalysisPlan& plan,
                        const RunTable& samples, const std::vector<std::size_t>& rows,
                        CampaignAnalysis& out) {
  const auto k = static_cast<Eigen::Index>(campaign.parameters.size());
  const auto block = static_cast<std::uint64_t>(k + 1);
  check_group_size(campaign, block, "Morris design");
  const std::uint64_t trajectories = campaign.samples / block;
  const auto parameters = columns_of(samples, campaign.parameter_names());
  const auto outputs = columns_of(samples, plan.outputs);
  const auto m = static_cast<Eigen::Index>(outputs.size());
  std::vector<std::size_t> row_of;
  const auto whole = whole_groups(samples, rows, trajectories, block, row_of);
  const auto used = static_cast<Eigen::Index>(whole.size());
  if (static_cast<std::uint64_t>(used) < trajectories) {
    out.notes.push_back(
        std::to_string(trajectories - static_cast<std::uint64_t>(used)) + " of " +
        std::to_string(trajectories) +
        " Morris trajectories are dropped because one of their k + 1 = " + std::to_string(block) +
        " runs failed or is not stored; the effects use the " + std::to_string(used) +
        " whole trajectories.");
  }
  if (used < 2) {
    throw AnalysisError("Morris effects need at least 2 whole trajectories, found " +
                        std::to_string(used));
  }
  out.sensitivity_rows = static_cast<std::uint64_t>(used);
  const auto width = static_cast<Eigen::Index>(block);
  Eigen::MatrixXd x(used * width, k), y(used * width, m);
  for (Eigen::Index i = 0; i < used; ++i) {
    for (Eigen::Index b = 0; b < width; ++b) {
      const std::size_t r =
          row_of[whole[static_cast<std::size_t>(i)] * block + static_cast<std::size_t>(b)];
      for (Eigen::Index c = 0; c < k; ++c) {
        x(i * width + b, c) = samples.column(parameters[static_cast<std::size_t>(c)])[r];
      }
      for (Eigen::Index o = 0; o < m; ++o) {
        y(i * width + b, o) = samples.column(outputs[static_cast<std::size_t>(o)])[r];
      }
    }
  }
  Eigen::VectorXd ranges(k);
  for (Eigen::Index c = 0; c < k; ++c) {
    const auto& p = campaign.parameters[static_cast<std::size_t>(c)];
    const double observed = x.col(c).maxCoeff() - x.col(c).minCoeff();
    if (const auto range = p.range()) {
      ranges[c] = *range;
    } else {
      ranges[c] = observed > 0.0 ? observed : 1.0;
      out.notes.push_back("Parameter " + p.name +
                          " has an unbounded distribution: its elementary effects are per "
                          "fraction of the range the trajectories cover.");
    }
  }
  MorrisOptions mo;
  mo.resamples = plan.resamples;
  mo.confidence = plan.confidence;
  mo.seed = plan.seed;
  out.morris = morris_effects(x, y, ranges, {campaign.parameter_names(), plan.outputs}, mo);
}

}  // namespace tmex::analysis
