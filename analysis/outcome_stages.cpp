// Pipeline stages 5 and 6: uncertainty summaries and event probabilities over the runs.
#include <cmath>

#include "analysis/analysis_error.hpp"
#include "analysis/parallel.hpp"
#include "analysis/pipeline_stages.hpp"
#include "analysis/ranks.hpp"

namespace tmex::analysis {

namespace {

constexpr int kDefaultResamples = 1000;
// At most this many histogram bins: more are too thin to draw or read.
constexpr int kMaxHistogramBins = 100;

// One output's summary, or why there is none.
struct OutputSummary {
  bool enough = false;  // at least 2 finite values
  bool large_sample = false;
  UncertaintySummary summary;
  Histogram histogram;
};

}  // namespace

void summarise_uncertainty(const AnalysisPlan& plan, const RunTable& runs,
                           const std::vector<std::size_t>& rows, CampaignAnalysis& out) {
  const auto outputs = columns_of(runs, plan.outputs);
  std::vector<OutputSummary> results(outputs.size());
  parallel_for(outputs.size(), plan.threads, [&](std::size_t o) {
    const double* column = runs.column(outputs[o]);
    std::vector<double> values;
    values.reserve(rows.size());
    for (const std::size_t r : rows) {
      if (std::isfinite(column[r])) values.push_back(column[r]);
    }
    OutputSummary& result = results[o];
    if (values.size() < 2) return;
    result.enough = true;
    // Sorted once, for the summary, its intervals and the histogram.
    sort_values(values);
    UncertaintyOptions u;
    u.confidence = plan.confidence;
    u.seed = plan.seed;
    // A bootstrap summary costs about 3 N resamples operations per output: up to 50000 values
    // it is cheap (0.15 s per output), above it large-sample intervals replace it.
    result.large_sample = !plan.bootstrap && values.size() > plan.bootstrap_summary_runs;
    u.intervals =
        result.large_sample ? SummaryIntervals::kLargeSample : SummaryIntervals::kBootstrap;
    u.resamples = result.large_sample ? 0 : plan.bootstrap.value_or(kDefaultResamples);
    result.summary = summarize_sorted(values, plan.outputs[o], u);
    result.summary.scale = value_scale_of_sorted(values);
    // Bins of equal width in log10(value) for values spread over decades, so that a log axis
    // shows them evenly.
    const bool log = result.summary.scale == ValueScale::kLog;
    if (log) {
      for (double& v : values) v = std::log10(v);
    }
    result.histogram = histogram_of_sorted(values);
    // A narrow peak among wide tails makes Freedman-Diaconis bins too thin to see or read.
    if (result.histogram.counts.size() > static_cast<std::size_t>(kMaxHistogramBins)) {
      result.histogram = histogram_of_sorted(values, kMaxHistogramBins);
    }
    if (log) {
      for (double& e : result.histogram.edges) e = std::pow(10.0, e);
    }
  });
  UncertaintyResult u;
  u.runs = rows.size();
  u.resamples = plan.bootstrap.value_or(kDefaultResamples);
  for (std::size_t o = 0; o < results.size(); ++o) {
    if (!results[o].enough) {
      out.notes.push_back("Output " + plan.outputs[o] +
                          " has fewer than 2 finite values: no summary.");
      continue;
    }
    if (results[o].large_sample) u.intervals = SummaryIntervals::kLargeSample;
    u.summaries.push_back(std::move(results[o].summary));
    u.histograms.push_back(std::move(results[o].histogram));
  }
  if (u.intervals == SummaryIntervals::kLargeSample) {
    out.notes.push_back("With more than " + std::to_string(plan.bootstrap_summary_runs) +
                        " runs the uncertainty intervals are large-sample ones instead of "
                        "bootstrap ones (as accurate at this size, and 1000 times cheaper); "
                        "--bootstrap N forces the bootstrap.");
  }
  out.uncertainty = std::move(u);
}

void estimate_events(const AnalysisPlan& plan, const RunTable& runs,
                     const std::vector<std::size_t>& rows, CampaignAnalysis& out) {
  for (const auto& e : plan.events) {
    const double* column = runs.column(columns_of(runs, {e.output}).front());
    Eigen::Array<bool, Eigen::Dynamic, 1> mask(static_cast<Eigen::Index>(rows.size()));
    Eigen::Index n = 0;
    for (const std::size_t r : rows) {
      if (std::isfinite(column[r])) mask[n++] = e.holds(column[r]);
    }
    if (n == 0) {
      throw AnalysisError("event '" + e.text() + "': output " + e.output +
                          " has no finite value in the successful runs");
    }
    mask.conservativeResize(n);
    out.events.push_back(
        {e, event_probability(mask, ProportionInterval::kWilson, plan.confidence)});
  }
}

}  // namespace tmex::analysis
