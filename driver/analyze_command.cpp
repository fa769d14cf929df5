// `tmex analyze`: reads a campaign store, picks the methods that fit its design, runs them.
#include "driver/analyze_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <set>

#include "analysis/analysis_error.hpp"
#include "analysis/complete_rows.hpp"
#include "analysis/correlation.hpp"
#include "analysis/p_value_adjustment.hpp"
#include "driver/errors.hpp"
#include "driver/plots.hpp"
#include "driver/report_writer.hpp"
#include "storage/campaign_store.hpp"
#include "storage/run_reader.hpp"

namespace tmex::driver {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kDefaultResamples = 1000;
// A bootstrap summary costs about 3 N resamples operations per output: up to this many
// values it is cheap (0.15 s per output), above it large-sample intervals replace it.
constexpr Eigen::Index kBootstrapSummaryRows = 50000;
constexpr Eigen::Index kScatterRows = 2000;
constexpr Eigen::Index kFailureComparisonRows = 100000;
// Above this many rows the convergence check compares N / 2 with N only (the verdict needs no
// more), which saves the cost of N / 8 and N / 4.
constexpr Eigen::Index kShortConvergenceRows = 100000;

enum class DesignKind { kSample, kGrid, kSaltelli, kMorris };

// Runs (or samples) as one column-major rows x cols buffer, viewed as a matrix without a copy.
struct Table {
  std::vector<double> data;
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  std::vector<std::uint64_t> sample;
  std::vector<std::int64_t> run_id;

  Eigen::Map<const Eigen::MatrixXd> matrix() const { return {data.data(), rows, cols}; }
  double at(Eigen::Index r, Eigen::Index c) const {
    return data[static_cast<std::size_t>(c * rows + r)];
  }
};

// Keeps the rows with keep[r] != 0, in place: a destination index never exceeds its source
// index, so one ascending pass per column is safe.
void keep_rows(Table& t, const std::vector<std::uint8_t>& keep) {
  Eigen::Index kept = 0;
  for (Eigen::Index r = 0; r < t.rows; ++r) kept += keep[static_cast<std::size_t>(r)] ? 1 : 0;
  if (kept == t.rows) return;
  for (Eigen::Index c = 0; c < t.cols; ++c) {
    Eigen::Index w = 0;
    for (Eigen::Index r = 0; r < t.rows; ++r) {
      if (keep[static_cast<std::size_t>(r)]) {
        t.data[static_cast<std::size_t>(c * kept + w)] =
            t.data[static_cast<std::size_t>(c * t.rows + r)];
        ++w;
      }
    }
  }
  std::size_t w = 0;
  for (std::size_t r = 0; r < static_cast<std::size_t>(t.rows); ++r) {
    if (keep[r]) {
      t.sample[w] = t.sample[r];
      t.run_id[w] = t.run_id[r];
      ++w;
    }
  }
  t.sample.resize(w);
  t.run_id.resize(w);
  t.data.resize(static_cast<std::size_t>(kept * t.cols));
  t.data.shrink_to_fit();
  t.rows = kept;
}

// Row ranges [start[g], start[g + 1]) of runs of the same sample (rows are in id order).
std::vector<Eigen::Index> sample_groups(const Table& t) {
  std::vector<Eigen::Index> start;
  for (Eigen::Index r = 0; r < t.rows; ++r) {
    if (r == 0 ||
        t.sample[static_cast<std::size_t>(r)] != t.sample[static_cast<std::size_t>(r - 1)]) {
      start.push_back(r);
    }
  }
  start.push_back(t.rows);
  return start;
}

// Mean of each column of a column-major buffer over the row groups.
std::vector<double> group_means(const double* data, Eigen::Index rows, Eigen::Index cols,
                                const std::vector<Eigen::Index>& start) {
  const auto groups = static_cast<Eigen::Index>(start.size()) - 1;
  std::vector<double> out(static_cast<std::size_t>(groups * cols));
  for (Eigen::Index c = 0; c < cols; ++c) {
    const double* col = data + c * rows;
    for (Eigen::Index g = 0; g < groups; ++g) {
      const auto a = start[static_cast<std::size_t>(g)];
      const auto b = start[static_cast<std::size_t>(g + 1)];
      double sum = 0.0;
      for (Eigen::Index r = a; r < b; ++r) sum += col[r];
      out[static_cast<std::size_t>(c * groups + g)] = sum / static_cast<double>(b - a);
    }
  }
  return out;
}

// One row per sample: the mean over its replicates (its first run's id).
Table average_replicates(const Table& t, const std::vector<Eigen::Index>& start) {
  Table out;
  out.cols = t.cols;
  out.rows = static_cast<Eigen::Index>(start.size()) - 1;
  out.data = group_means(t.data.data(), t.rows, t.cols, start);
  for (Eigen::Index g = 0; g < out.rows; ++g) {
    const auto r = static_cast<std::size_t>(start[static_cast<std::size_t>(g)]);
    out.sample.push_back(t.sample[r]);
    out.run_id.push_back(t.run_id[r]);
  }
  return out;
}

std::string design_method_of(const std::string& design) {
  const auto paren = design.find('(');
  return design.substr(0, paren);
}

DesignKind kind_of(const std::string& method) {
  if (method == "saltelli") return DesignKind::kSaltelli;
  if (method == "morris") return DesignKind::kMorris;
  if (method == "grid") return DesignKind::kGrid;
  return DesignKind::kSample;
}

bool is_correlation_method(const std::string& m) {
  return m == "prcc" || m == "pcc" || m == "src" || m == "srrc" || m == "correlation";
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Refuses a method that does not fit the design, with the reason and what to use instead.
void check_method_fits(const std::string& method, DesignKind kind, const std::string& design) {
  if (is_correlation_method(method)) {
    const std::string name = method == "correlation" ? "correlation" : upper(method);
    if (kind == DesignKind::kSaltelli) {
      throw UsageError(
          name + " needs a sample of the parameter space, but this campaign's design (" + design +
          ") is a Saltelli design whose rows come in A, A_B and B blocks; use "
          "--method sobol (or auto)");
    }
    if (kind == DesignKind::kMorris) {
      throw UsageError(
          name + " needs a sample of the parameter space, but this campaign's design (" + design +
          ") is made of Morris one-at-a-time trajectories; use --method morris (or "
          "auto)");
    }
  } else if (method == "sobol" && kind != DesignKind::kSaltelli) {
    throw UsageError(
        "Sobol' indices need a Saltelli design (design: {method: saltelli}), but this "
        "campaign's design is " +
        design + "; use --method " + (kind == DesignKind::kMorris ? "morris" : "prcc") +
        " (or auto)");
  } else if (method == "morris" && kind != DesignKind::kMorris) {
    throw UsageError(
        "Morris elementary effects need a Morris design (design: {method: morris}), "
        "but this campaign's design is " +
        design + "; use --method " + (kind == DesignKind::kSaltelli ? "sobol" : "prcc") +
        " (or auto)");
  } else if (method == "uncertainty" && kind == DesignKind::kMorris) {
    throw UsageError(
        "an uncertainty summary needs a random sample of the inputs, but Morris "
        "trajectories (" +
        design + ") sit on a few grid levels; run an lhs campaign");
  }
}

std::optional<double> key_value(const std::string& text, const std::string& key) {
  const auto at = text.find(key + "=");
  if (at == std::string::npos) return std::nullopt;
  const char* begin = text.data() + at + key.size() + 1;
  double v = 0.0;
  const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), v);
  if (ec != std::errc()) {
    if (text.compare(at + key.size() + 1, 3, "inf") == 0)
      return std::numeric_limits<double>::infinity();
    if (text.compare(at + key.size() + 1, 4, "-inf") == 0)
      return -std::numeric_limits<double>::infinity();
    return std::nullopt;
  }
  return v;
}

// The width of a parameter's support from its canonical distribution text (uniform,
// loguniform, triangular, beta, bounded truncnormal: max - min; discrete: the span of the
// levels), or nullopt for an unbounded distribution.
std::optional<double> distribution_range(const std::string& text) {
  if (text.rfind("discrete(", 0) == 0) {
    const auto open = text.find('[');
    const auto close = text.find(']');
    if (open == std::string::npos || close == std::string::npos) return std::nullopt;
    std::vector<double> levels;
    const char* p = text.data() + open + 1;
    const char* end = text.data() + close;
    while (p < end) {
      while (p < end && (*p == ' ' || *p == ',')) ++p;
      double v = 0.0;
      const auto [next, ec] = std::from_chars(p, end, v);
      if (ec != std::errc()) break;
      levels.push_back(v);
      p = next;
    }
    if (levels.size() < 2) return std::nullopt;
    return *std::max_element(levels.begin(), levels.end()) -
           *std::min_element(levels.begin(), levels.end());
  }
  const auto lo = key_value(text, "min");
  const auto hi = key_value(text, "max");
  if (lo && hi && std::isfinite(*lo) && std::isfinite(*hi) && *hi > *lo) return *hi - *lo;
  return std::nullopt;
}

std::string fmt_p(double p) {
  if (!std::isfinite(p)) return "nan";
  if (p == 0.0) return "< 1e-300";
  return fmt::format("{:.2g}", p);
}

// The plain-language account of failed runs, with Bonferroni-adjusted Mann-Whitney tests.
FailureReport failure_report(analysis::FailureDependence test, std::uint64_t stored) {
  FailureReport out;
  const auto k = test.p_value.size();
  out.p_bonferroni = Eigen::VectorXd::Constant(k, kNaN);
  for (Eigen::Index i = 0; i < k; ++i) {
    if (std::isfinite(test.p_value[i])) {
      out.p_bonferroni[i] = std::min(1.0, test.p_value[i] * static_cast<double>(k));
    }
  }
  std::string s =
      fmt::format("{} of {} stored runs failed ({:.3g}%) and are excluded.", test.failed, stored,
                  100.0 * static_cast<double>(test.failed) / static_cast<double>(stored));
  std::vector<Eigen::Index> dependent;
  for (Eigen::Index i = 0; i < k; ++i) {
    if (out.p_bonferroni[i] < 0.05) dependent.push_back(i);
  }
  std::sort(dependent.begin(), dependent.end(),
            [&](auto a, auto b) { return out.p_bonferroni[a] < out.p_bonferroni[b]; });
  if (!dependent.empty()) {
    s += " Failures depend on the inputs:";
    for (std::size_t d = 0; d < dependent.size(); ++d) {
      const auto i = dependent[d];
      s += fmt::format(
          "{} {} is {} in failed runs (median {:.4g} against {:.4g}; P(failed > ok) = {:.2f}; "
          "Mann-Whitney, Bonferroni-adjusted p = {})",
          d == 0 ? "" : ";", test.parameters[static_cast<std::size_t>(i)],
          test.effect[i] > 0.5 ? "higher" : "lower", test.median_failed[i],
          test.median_succeeded[i], test.effect[i], fmt_p(out.p_bonferroni[i]));
    }
    s += ". Results describe the region where the model succeeds, not the whole space.";
  }
  const auto others = k - static_cast<Eigen::Index>(dependent.size());
  if (others > 0) {
    s += fmt::format(
        " No evidence that failures depend on {}{} parameter{} (Mann-Whitney, "
        "Bonferroni-adjusted p >= 0.05).",
        dependent.empty() ? "any of the " : "the other ", others, others == 1 ? "" : "s");
  }
  if (test.failed < 8) s += " With fewer than 8 failed runs the tests have little power.";
  out.summary = s;
  out.test = std::move(test);
  return out;
}

std::vector<std::string> split_commas(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    std::size_t start = 0;
    while (start <= item.size()) {
      const auto comma = std::min(item.find(',', start), item.size());
      std::string name = item.substr(start, comma - start);
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      if (!name.empty()) out.push_back(name);
      start = comma + 1;
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Large-sample intervals at `confidence` for a summary of `values`: normal for the mean, the
// delta method with the fourth moment for the sd, and distribution-free order-statistic
// intervals for the quantiles (ranks n p -/+ z sqrt(n p (1 - p))). Accurate for the
// sizes they are used at (kBootstrapSummaryRows and up) and O(N log N) in all.
void large_sample_intervals(Eigen::VectorXd values, analysis::UncertaintySummary& s,
                            double confidence) {
  const auto n = static_cast<double>(values.size());
  const double z =
      boost::math::quantile(boost::math::normal_distribution<double>(), (1.0 + confidence) / 2.0);
  const double se_mean = s.sd / std::sqrt(n);
  s.mean_low = s.mean - z * se_mean;
  s.mean_high = s.mean + z * se_mean;
  const double m4 = (values.array() - s.mean).pow(4).mean();
  const double var_s2 = std::max(0.0, (m4 - std::pow(s.sd, 4) * (n - 3.0) / (n - 1.0)) / n);
  const double se_sd = s.sd > 0.0 ? std::sqrt(var_s2) / (2.0 * s.sd) : 0.0;
  s.sd_low = std::max(0.0, s.sd - z * se_sd);
  s.sd_high = s.sd + z * se_sd;
  const auto last = static_cast<double>(values.size() - 1);
  std::vector<Eigen::Index> lo(s.levels.size()), hi(s.levels.size()), wanted;
  for (std::size_t q = 0; q < s.levels.size(); ++q) {
    const double p = s.levels[q];
    const double h = z * std::sqrt(n * p * (1.0 - p));
    lo[q] = static_cast<Eigen::Index>(std::clamp(std::floor(n * p - h) - 1.0, 0.0, last));
    hi[q] = static_cast<Eigen::Index>(std::clamp(std::ceil(n * p + h) - 1.0, 0.0, last));
    wanted.push_back(lo[q]);
    wanted.push_back(hi[q]);
  }
  // Only these order statistics are needed: successive selections, no full sort.
  std::sort(wanted.begin(), wanted.end());
  auto from = values.begin();
  for (const auto w : wanted) {
    if (values.begin() + w < from) continue;
    std::nth_element(from, values.begin() + w, values.end());
    from = values.begin() + w + 1;
  }
  for (std::size_t q = 0; q < s.levels.size(); ++q) {
    s.quantile_low[q] = std::min(values[lo[q]], s.quantiles[q]);
    s.quantile_high[q] = std::max(values[hi[q]], s.quantiles[q]);
  }
}

// Every selected output's summary and histogram over the rows of `t`, each output without its
// NaN values. Bootstrap intervals up to kBootstrapSummaryRows values (or whenever --bootstrap
// is given), large-sample intervals above.
void add_uncertainty(AnalysisReport& report, const Table& t, Eigen::Index first_output,
                     const std::vector<std::string>& outputs, const AnalyzeOptions& options) {
  bool large_sample = false;
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    const auto col = first_output + static_cast<Eigen::Index>(o);
    Eigen::VectorXd values(t.rows);
    Eigen::Index n = 0;
    for (Eigen::Index r = 0; r < t.rows; ++r) {
      const double v = t.at(r, col);
      if (std::isfinite(v)) values[n++] = v;
    }
    values.conservativeResize(n);
    if (n < 2) {
      report.notes.push_back(
          fmt::format("Output {} has fewer than 2 finite values: no summary.", outputs[o]));
      continue;
    }
    analysis::UncertaintyOptions u;
    u.confidence = options.confidence;
    const bool bootstrap = options.bootstrap.has_value() || n <= kBootstrapSummaryRows;
    u.resamples = bootstrap ? options.bootstrap.value_or(kDefaultResamples) : 0;
    u.seed = report.seed;
    auto summary = analysis::summarize(values, outputs[o], u);
    if (!bootstrap) {
      large_sample_intervals(values, summary, options.confidence);
      large_sample = true;
    }
    report.uncertainty.push_back(std::move(summary));
    report.histograms.push_back(analysis::histogram(values));
  }
  report.uncertainty_intervals =
      large_sample ? "large-sample intervals (normal for the mean, delta method for the sd, "
                     "order statistics for the quantiles)"
                   : fmt::format("percentile bootstrap intervals ({} resamples)",
                                 options.bootstrap.value_or(kDefaultResamples));
  if (large_sample) {
    report.notes.push_back(fmt::format(
        "With more than {} runs the uncertainty intervals are large-sample ones instead of "
        "bootstrap ones (as accurate at this size, and 1000 times cheaper); --bootstrap N "
        "forces the bootstrap.",
        kBootstrapSummaryRows));
  }
}

void add_events(AnalysisReport& report, const Table& t, const std::vector<EventExpression>& events,
                const std::vector<std::string>& columns, const AnalyzeOptions& options) {
  for (const auto& e : events) {
    const auto col = static_cast<Eigen::Index>(std::find(columns.begin(), columns.end(), e.output) -
                                               columns.begin());
    Eigen::Array<bool, Eigen::Dynamic, 1> mask(t.rows);
    Eigen::Index n = 0;
    for (Eigen::Index r = 0; r < t.rows; ++r) {
      const double v = t.at(r, col);
      if (std::isfinite(v)) mask[n++] = e.holds(v);
    }
    if (n == 0) {
      throw analysis::AnalysisError("event '" + e.text() + "': output " + e.output +
                                    " has no finite value in the successful runs");
    }
    mask.conservativeResize(n);
    report.events.push_back(
        {e.text(), analysis::event_probability(mask, analysis::ProportionInterval::kWilson,
                                               options.confidence)});
  }
}

ScatterSample scatter_sample(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                             const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                             const std::vector<std::string>& parameters,
                             const std::vector<std::string>& output_names) {
  ScatterSample s;
  s.parameters = parameters;
  s.outputs = output_names;
  const Eigen::Index n = std::min<Eigen::Index>(kScatterRows, inputs.rows());
  s.inputs.resize(n, inputs.cols());
  s.outputs_values.resize(n, outputs.cols());
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::Index r = i * inputs.rows() / n;
    s.inputs.row(i) = inputs.row(r);
    s.outputs_values.row(i) = outputs.row(r);
  }
  return s;
}

}  // namespace

std::string EventExpression::text() const {
  return output + " " + op + " " + fmt::format("{}", threshold);
}

bool EventExpression::holds(double v) const {
  if (std::isnan(v)) return false;
  if (op == "<") return v < threshold;
  if (op == "<=") return v <= threshold;
  if (op == ">") return v > threshold;
  if (op == ">=") return v >= threshold;
  if (op == "==") return v == threshold;
  return v != threshold;
}

EventExpression parse_event(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return UsageError("--event '" + text + "': " + why +
                      "; expected OUTPUT OP NUMBER with OP one of < <= > >= == != (e.g. 'cured "
                      "== 1')");
  };
  const auto op_at = text.find_first_of("<>=!");
  if (op_at == std::string::npos) throw bad("no comparison operator");
  EventExpression e;
  e.output = text.substr(0, op_at);
  e.output.erase(0, e.output.find_first_not_of(" \t"));
  e.output.erase(e.output.find_last_not_of(" \t") + 1);
  if (e.output.empty()) throw bad("no output name before the operator");
  if (e.output.find_first_of(" \t") != std::string::npos)
    throw bad("'" + e.output + "' is not one name");
  std::size_t rest = op_at + 1;
  if (rest < text.size() && text[rest] == '=') ++rest;
  e.op = text.substr(op_at, rest - op_at);
  if (e.op == "=" || e.op == "!") throw bad("unknown operator '" + e.op + "'");
  std::string number = text.substr(rest);
  number.erase(0, number.find_first_not_of(" \t"));
  number.erase(number.find_last_not_of(" \t") + 1);
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), e.threshold);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(e.threshold)) {
    throw bad("'" + number + "' is not a finite number");
  }
  return e;
}

AnalysisReport analyze(const AnalyzeOptions& options) {
  static const std::set<std::string> kMethods = {
      "auto", "prcc", "pcc", "src", "srrc", "correlation", "sobol", "morris", "uncertainty"};
  if (!kMethods.count(options.method)) {
    throw UsageError("unknown --method '" + options.method +
                     "'; expected auto, prcc, pcc, src, srrc, correlation, sobol, morris or "
                     "uncertainty");
  }
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    throw UsageError(fmt::format("--confidence must be in (0, 1), got {}", options.confidence));
  }
  if (options.bootstrap && *options.bootstrap < 0) {
    throw UsageError(fmt::format("--bootstrap must be >= 0, got {}", *options.bootstrap));
  }
  if (!std::filesystem::exists(options.db_path)) {
    throw UsageError("'" + options.db_path + "' does not exist");
  }
  std::optional<storage::CampaignStore> opened;
  try {
    opened.emplace(storage::CampaignStore::open_read_only(options.db_path));
  } catch (const storage::StorageError& e) {
    throw UsageError(e.what());
  }
  storage::CampaignStore& store = *opened;
  const auto& meta = store.meta();

  AnalysisReport report;
  report.store = options.db_path;
  report.campaign = meta.name;
  report.model = meta.model;
  report.design = meta.design;
  report.design_method = design_method_of(meta.design);
  report.total_runs = meta.total_runs();
  report.replicates = meta.replicates;
  report.confidence = options.confidence;
  report.resamples = options.bootstrap.value_or(kDefaultResamples);
  report.seed = options.seed.value_or(meta.seed);
  const DesignKind kind = kind_of(report.design_method);

  // Outputs and events.
  std::vector<std::string> outputs = split_commas(options.outputs);
  if (outputs.empty()) outputs = meta.outputs;
  for (const auto& o : outputs) {
    if (std::find(meta.outputs.begin(), meta.outputs.end(), o) == meta.outputs.end()) {
      throw UsageError("unknown output '" + o + "'; the store has: " + join(meta.outputs));
    }
  }
  {
    std::set<std::string> seen;
    for (const auto& o : outputs) {
      if (!seen.insert(o).second) throw UsageError("--outputs names '" + o + "' twice");
    }
  }
  std::vector<EventExpression> events;
  for (const auto& text : options.events) {
    auto e = parse_event(text);
    if (std::find(meta.outputs.begin(), meta.outputs.end(), e.output) == meta.outputs.end()) {
      throw UsageError("--event '" + text + "': unknown output '" + e.output +
                       "'; the store has: " + join(meta.outputs));
    }
    events.push_back(std::move(e));
  }

  // Methods.
  std::vector<std::string> methods;
  if (options.method == "auto") {
    if (kind == DesignKind::kSaltelli) {
      methods = {"sobol", "uncertainty"};
    } else if (kind == DesignKind::kMorris) {
      methods = {"morris"};
    } else {
      methods = {"prcc", "uncertainty"};
    }
  } else {
    check_method_fits(options.method, kind, meta.design);
    methods = {options.method};
  }
  if (!events.empty() && kind == DesignKind::kMorris) {
    throw UsageError("--event needs a random sample of the inputs, but Morris trajectories (" +
                     meta.design + ") sit on a few grid levels; run an lhs campaign");
  }
  report.methods = methods;
  const bool want_uncertainty =
      std::find(methods.begin(), methods.end(), "uncertainty") != methods.end();
  if (kind == DesignKind::kGrid && (want_uncertainty || !events.empty())) {
    report.notes.push_back(
        "A grid is not a random sample of the inputs: the output distribution describes the grid "
        "points, not the uncertainty of the parameters.");
  }

  // Columns: every parameter, the selected outputs, then outputs only events use.
  const auto k = static_cast<Eigen::Index>(meta.parameters.size());
  const auto m = static_cast<Eigen::Index>(outputs.size());
  std::vector<std::string> parameters;
  for (const auto& p : meta.parameters) parameters.push_back(p.name);
  std::vector<std::string> columns = parameters;
  columns.insert(columns.end(), outputs.begin(), outputs.end());
  for (const auto& e : events) {
    if (std::find(columns.begin() + k, columns.end(), e.output) == columns.end()) {
      columns.push_back(e.output);
    }
  }

  auto read = storage::read_run_columns(store, columns);
  Table runs;
  runs.rows = static_cast<Eigen::Index>(read.rows);
  runs.cols = static_cast<Eigen::Index>(columns.size());
  runs.data = std::move(read.values);
  runs.sample = std::move(read.sample);
  runs.run_id.resize(read.rows);
  for (std::size_t r = 0; r < read.rows; ++r) {
    runs.run_id[r] =
        static_cast<std::int64_t>(runs.sample[r] * meta.replicates + read.replicate[r]);
  }
  read.replicate = {};
  report.stored_runs = read.rows;
  for (auto ok : read.ok) report.ok_runs += ok;
  report.failed_runs = report.stored_runs - report.ok_runs;
  if (report.stored_runs < report.total_runs) {
    report.notes.push_back(fmt::format(
        "The campaign is incomplete: {} of {} runs are stored; the analysis uses what is there.",
        report.stored_runs, report.total_runs));
  }
  if (report.ok_runs == 0) {
    throw analysis::AnalysisError(
        fmt::format("{}: no successful runs to analyse ({} stored, {} failed)", options.db_path,
                    report.stored_runs, report.failed_runs));
  }

  // Failed runs: their inputs against those of the successful ones, then drop them.
  if (report.failed_runs > 0) {
    Eigen::MatrixXd failed(static_cast<Eigen::Index>(report.failed_runs), k);
    Eigen::Index f = 0;
    for (Eigen::Index r = 0; r < runs.rows; ++r) {
      if (read.ok[static_cast<std::size_t>(r)]) continue;
      bool finite = true;
      for (Eigen::Index c = 0; c < k; ++c) finite = finite && std::isfinite(runs.at(r, c));
      if (!finite) continue;
      for (Eigen::Index c = 0; c < k; ++c) failed(f, c) = runs.at(r, c);
      ++f;
    }
    failed.conservativeResize(f, k);
    keep_rows(runs, read.ok);
    // Mann-Whitney's power is set by the smaller group: beyond kFailureComparisonRows successful
    // runs an evenly spaced subset of them (a random sample, rows being in design order) tests
    // as well at a fraction of the cost.
    const Eigen::Index compared = std::min<Eigen::Index>(runs.rows, kFailureComparisonRows);
    Eigen::MatrixXd subset;
    if (compared < runs.rows) {
      subset.resize(compared, k);
      for (Eigen::Index i = 0; i < compared; ++i) {
        subset.row(i) = runs.matrix().row(i * runs.rows / compared).head(k);
      }
    }
    report.failures = failure_report(
        analysis::failure_dependence(
            failed,
            compared < runs.rows ? Eigen::Ref<const Eigen::MatrixXd>(subset)
                                 : Eigen::Ref<const Eigen::MatrixXd>(runs.matrix().leftCols(k)),
            {parameters, {}}),
        report.stored_runs);
    if (compared < runs.rows) {
      report.failures->summary += fmt::format(
          " (The failed runs were compared with {} evenly spaced successful runs of {}.)", compared,
          runs.rows);
    }
  }
  read.ok = {};

  // Successful runs with a missing value in an output we need.
  {
    std::vector<std::uint8_t> complete(static_cast<std::size_t>(runs.rows), 1);
    Eigen::Index missing = 0;
    for (Eigen::Index r = 0; r < runs.rows; ++r) {
      for (Eigen::Index c = 0; c < runs.cols; ++c) {
        if (std::isnan(runs.at(r, c))) {
          complete[static_cast<std::size_t>(r)] = 0;
          ++missing;
          break;
        }
      }
    }
    if (missing > 0) {
      keep_rows(runs, complete);
      report.notes.push_back(fmt::format(
          "{} successful runs have no value for an analysed output (NULL) and are excluded too.",
          missing));
    }
  }

  const std::vector<Eigen::Index> groups = sample_groups(runs);
  std::optional<Table> averaged;
  if (meta.replicates > 1) {
    averaged = average_replicates(runs, groups);
    report.notes.push_back(fmt::format(
        "Each sample has {} replicates: the sensitivity analysis uses each sample's mean over its "
        "successful replicates ({} samples); the uncertainty summary and events use every "
        "successful run ({} runs), so they include the model's own randomness.",
        meta.replicates, averaged->rows, runs.rows));
  }
  const Table& samples = averaged ? *averaged : runs;

  analysis::Labels labels{parameters, outputs};

  if (kind == DesignKind::kSample || kind == DesignKind::kGrid) {
    // Constant parameters carry no sensitivity and would make the correlation matrix singular.
    std::vector<Eigen::Index> varying;
    std::vector<std::string> varying_names;
    for (Eigen::Index c = 0; c < k; ++c) {
      const auto col = samples.matrix().col(c);
      if (samples.rows > 0 && col.minCoeff() < col.maxCoeff()) {
        varying.push_back(c);
        varying_names.push_back(parameters[static_cast<std::size_t>(c)]);
      } else {
        report.notes.push_back("Parameter " + parameters[static_cast<std::size_t>(c)] +
                               " does not vary: left out of the sensitivity analysis.");
      }
    }
    Eigen::MatrixXd selected;
    if (static_cast<Eigen::Index>(varying.size()) != k) {
      selected.resize(samples.rows, static_cast<Eigen::Index>(varying.size()));
      for (std::size_t i = 0; i < varying.size(); ++i) {
        selected.col(static_cast<Eigen::Index>(i)) = samples.matrix().col(varying[i]);
      }
    }
    const Eigen::Ref<const Eigen::MatrixXd> inputs =
        static_cast<Eigen::Index>(varying.size()) == k
            ? Eigen::Ref<const Eigen::MatrixXd>(samples.matrix().leftCols(k))
            : Eigen::Ref<const Eigen::MatrixXd>(selected);
    const Eigen::Ref<const Eigen::MatrixXd> outs = samples.matrix().middleCols(k, m);
    const analysis::Labels used{varying_names, outputs};
    const std::string method = methods.front();
    report.sensitivity_rows = static_cast<std::uint64_t>(samples.rows);
    if (is_correlation_method(method) && m > 0) {
      analysis::PartialCorrelationOptions pc;
      pc.confidence = options.confidence;
      if (method == "prcc") {
        report.correlations.push_back({"prcc", "PRCC: partial rank correlation coefficients",
                                       analysis::prcc(inputs, outs, used, pc)});
      } else if (method == "pcc") {
        report.correlations.push_back({"pcc", "PCC: partial correlation coefficients",
                                       analysis::pcc(inputs, outs, used, pc)});
      } else if (method == "correlation") {
        report.correlations.push_back({"pearson", "Pearson correlation coefficients",
                                       analysis::pearson(inputs, outs, used, options.confidence)});
        report.correlations.push_back({"spearman", "Spearman rank correlation coefficients",
                                       analysis::spearman(inputs, outs, used, options.confidence)});
      } else if (method == "src") {
        report.regressions.push_back({"src", "SRC: standardised regression coefficients",
                                      analysis::src(inputs, outs, used)});
      } else {
        report.regressions.push_back({"srrc", "SRRC: standardised rank regression coefficients",
                                      analysis::srrc(inputs, outs, used)});
      }
      // Leading rows of a grid are one corner of it, not a sample: no convergence check there.
      const auto kk = static_cast<Eigen::Index>(varying.size());
      if (kind == DesignKind::kGrid) {
        report.notes.push_back("No convergence check: leading rows of a grid are not a sample.");
      } else if (samples.rows / 8 >= kk + 4) {
        analysis::ConvergenceOptions co;
        co.steps = samples.rows > kShortConvergenceRows ? 2 : 4;
        report.convergence = analysis::prcc_convergence(inputs, outs, used, co);
      } else {
        report.notes.push_back(fmt::format(
            "No convergence check: it needs at least {} rows (8 (k + 4)).", 8 * (kk + 4)));
      }
      if (!meta.trajectory_variables.empty() && !meta.trajectory_times.empty() &&
          (method == "prcc")) {
        auto trajectories = storage::read_trajectories(store, runs.run_id);
        for (auto& tc : trajectories) {
          const auto nt = static_cast<Eigen::Index>(tc.times.size());
          std::vector<double> values = averaged
                                           ? group_means(tc.values.data(), runs.rows, nt, groups)
                                           : std::move(tc.values);
          const Eigen::Map<const Eigen::MatrixXd> traj(values.data(), samples.rows, nt);
          const auto clean = analysis::complete_rows(inputs, traj);
          if (clean.inputs.rows() < kk + 4) {
            report.notes.push_back("Trajectory " + tc.variable +
                                   ": too few complete rows for PRCC over time.");
            continue;
          }
          report.time_courses.push_back(analysis::prcc_over_time(
              clean.inputs, clean.outputs, tc.times, tc.variable, varying_names, pc));
        }
      }
    }
    if (!options.plots_dir.empty() && m > 0) {
      report.scatter = scatter_sample(inputs, outs, varying_names, outputs);
    }
    if (want_uncertainty) {
      report.uncertainty_runs = static_cast<std::uint64_t>(runs.rows);
      add_uncertainty(report, runs, k, outputs, options);
    }
    add_events(report, runs, events, columns, options);
  } else if (kind == DesignKind::kSaltelli) {
    const auto block = k + 2;
    const auto base_rows = static_cast<Eigen::Index>(meta.samples) / block;
    std::vector<Eigen::Index> row_of(static_cast<std::size_t>(base_rows * block), -1);
    for (Eigen::Index r = 0; r < samples.rows; ++r) {
      const auto s = samples.sample[static_cast<std::size_t>(r)];
      if (s < row_of.size()) row_of[s] = r;
    }
    std::vector<Eigen::Index> complete;
    for (Eigen::Index j = 0; j < base_rows; ++j) {
      bool whole = true;
      for (Eigen::Index b = 0; b < block && whole; ++b) {
        whole = row_of[static_cast<std::size_t>(j * block + b)] >= 0;
      }
      if (whole) complete.push_back(j);
    }
    const auto used_rows = static_cast<Eigen::Index>(complete.size());
    if (used_rows < base_rows) {
      report.notes.push_back(fmt::format(
          "{} of {} Saltelli base rows are dropped because one of their k + 2 = {} runs failed or "
          "is not stored; the Sobol' indices use the {} whole base rows.",
          base_rows - used_rows, base_rows, block, used_rows));
    }
    report.sensitivity_rows = static_cast<std::uint64_t>(used_rows);
    if (std::find(methods.begin(), methods.end(), "sobol") != methods.end() && m > 0) {
      if (used_rows < 2) {
        throw analysis::AnalysisError(
            fmt::format("Sobol' indices need at least 2 whole base rows, found {}", used_rows));
      }
      Eigen::MatrixXd y(used_rows * block, m);
      for (Eigen::Index i = 0; i < used_rows; ++i) {
        for (Eigen::Index b = 0; b < block; ++b) {
          const auto r =
              row_of[static_cast<std::size_t>(complete[static_cast<std::size_t>(i)] * block + b)];
          for (Eigen::Index o = 0; o < m; ++o) y(i * block + b, o) = samples.at(r, k + o);
        }
      }
      analysis::SobolOptions so;
      so.resamples = report.resamples;
      so.confidence = options.confidence;
      so.seed = report.seed;
      report.sobol = analysis::sobol_indices(y, k, labels, so);
      if (used_rows / 8 >= 2) {
        report.convergence = analysis::sobol_convergence(y, k, labels);
      } else {
        report.notes.push_back("No convergence check: it needs at least 16 whole base rows.");
      }
    }
    // The A and B rows of a Saltelli design are independent samples of the inputs.
    std::vector<std::uint8_t> ab(static_cast<std::size_t>(runs.rows));
    for (Eigen::Index r = 0; r < runs.rows; ++r) {
      const auto b = static_cast<Eigen::Index>(runs.sample[static_cast<std::size_t>(r)] %
                                               static_cast<std::uint64_t>(block));
      ab[static_cast<std::size_t>(r)] = (b == 0 || b == block - 1) ? 1 : 0;
    }
    keep_rows(runs, ab);
    if (want_uncertainty || !events.empty()) {
      report.notes.push_back(fmt::format(
          "The uncertainty summary and events use the A and B rows of the Saltelli design ({} "
          "runs), which are a random sample of the inputs; the A_B rows are not.",
          runs.rows));
    }
    if (want_uncertainty) {
      report.uncertainty_runs = static_cast<std::uint64_t>(runs.rows);
      add_uncertainty(report, runs, k, outputs, options);
    }
    add_events(report, runs, events, columns, options);
  } else {
    const auto block = k + 1;
    const auto trajectories = static_cast<Eigen::Index>(meta.samples) / block;
    std::vector<Eigen::Index> row_of(static_cast<std::size_t>(trajectories * block), -1);
    for (Eigen::Index r = 0; r < samples.rows; ++r) {
      const auto s = samples.sample[static_cast<std::size_t>(r)];
      if (s < row_of.size()) row_of[s] = r;
    }
    std::vector<Eigen::Index> complete;
    for (Eigen::Index t = 0; t < trajectories; ++t) {
      bool whole = true;
      for (Eigen::Index b = 0; b < block && whole; ++b) {
        whole = row_of[static_cast<std::size_t>(t * block + b)] >= 0;
      }
      if (whole) complete.push_back(t);
    }
    const auto used = static_cast<Eigen::Index>(complete.size());
    if (used < trajectories) {
      report.notes.push_back(fmt::format(
          "{} of {} Morris trajectories are dropped because one of their k + 1 = {} runs failed or "
          "is not stored; the effects use the {} whole trajectories.",
          trajectories - used, trajectories, block, used));
    }
    if (used < 2) {
      throw analysis::AnalysisError(
          fmt::format("Morris effects need at least 2 whole trajectories, found {}", used));
    }
    report.sensitivity_rows = static_cast<std::uint64_t>(used);
    Eigen::MatrixXd x(used * block, k), y(used * block, m);
    for (Eigen::Index i = 0; i < used; ++i) {
      for (Eigen::Index b = 0; b < block; ++b) {
        const auto r =
            row_of[static_cast<std::size_t>(complete[static_cast<std::size_t>(i)] * block + b)];
        for (Eigen::Index c = 0; c < k; ++c) x(i * block + b, c) = samples.at(r, c);
        for (Eigen::Index o = 0; o < m; ++o) y(i * block + b, o) = samples.at(r, k + o);
      }
    }
    Eigen::VectorXd ranges(k);
    for (Eigen::Index c = 0; c < k; ++c) {
      const auto from_distribution =
          distribution_range(meta.parameters[static_cast<std::size_t>(c)].distribution);
      const double observed = x.col(c).maxCoeff() - x.col(c).minCoeff();
      if (from_distribution) {
        ranges[c] = *from_distribution;
      } else {
        ranges[c] = observed > 0.0 ? observed : 1.0;
        report.notes.push_back("Parameter " + parameters[static_cast<std::size_t>(c)] +
                               " has an unbounded distribution: its elementary effects are per "
                               "fraction of the range the trajectories cover.");
      }
    }
    analysis::MorrisOptions mo;
    mo.resamples = report.resamples;
    mo.confidence = options.confidence;
    mo.seed = report.seed;
    report.morris = analysis::morris_effects(x, y, ranges, labels, mo);
  }
  return report;
}

int analyze_command(const AnalyzeOptions& options) {
  static const std::set<std::string> kFormats = {"table", "csv", "json", "markdown"};
  if (!kFormats.count(options.format)) {
    throw UsageError("unknown --format '" + options.format +
                     "'; expected table, csv, json or markdown");
  }
  const AnalysisReport report = analyze(options);
  if (options.out.empty() || options.out == "-") {
    write_report(report, options.format, std::cout);
  } else {
    std::ofstream file(options.out);
    if (!file) throw UsageError("cannot write --out '" + options.out + "'");
    write_report(report, options.format, file);
    if (!file.flush()) throw std::runtime_error("error writing '" + options.out + "'");
  }
  if (!options.plots_dir.empty()) {
    const PlotResult plots = write_plots(report, options.plots_dir);
    std::fprintf(stderr, "tmex analyze: %s\n", plots.message.c_str());
  }
  return kExitOk;
}

}  // namespace tmex::driver
