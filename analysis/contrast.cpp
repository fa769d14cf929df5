// plan_contrasts() and contrast_arms(): pairing runs across arms and summarising differences.
#include "analysis/contrast.hpp"

#include <algorithm>
#include <array>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>

#include "analysis/analysis_error.hpp"
#include "analysis/analysis_request.hpp"
#include "analysis/partial_correlation.hpp"
#include "analysis/pipeline_stages.hpp"
#include "text/number_text.hpp"
#include "text/strings.hpp"

namespace tmex::analysis {

namespace {

// Above this many paired samples the mean and median get large-sample intervals, unless the
// plan fixes the resamples (as the uncertainty summary of the campaign analysis).
constexpr std::size_t kBootstrapUpTo = 50000;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::uint32_t arm_index(const CampaignInfo& campaign, const std::string& name) {
  for (std::size_t a = 0; a < campaign.arms.size(); ++a) {
    if (campaign.arms[a] == name) return static_cast<std::uint32_t>(a);
  }
  throw RequestError("unknown arm '" + name +
                     "'; the campaign's arms are: " + text::join(campaign.arms));
}

// A run of one arm, by the key it is paired on.
struct Keyed {
  std::uint64_t sample;
  std::uint32_t replicate;
  std::size_t row;

  // Orders runs by (sample, replicate).
  bool operator<(const Keyed& other) const {
    return std::tie(sample, replicate) < std::tie(other.sample, other.replicate);
  }
};

// The runs of `arm` (Saltelli: of the A and B blocks only), ordered by (sample, replicate).
std::vector<Keyed> runs_of(const CampaignInfo& campaign, const RunTable& runs, std::uint32_t arm) {
  const bool saltelli = campaign.layout.kind == DesignKind::kSaltelli;
  const auto b = static_cast<std::int64_t>(campaign.parameters.size() + 1);
  std::vector<Keyed> out;
  for (std::size_t r = 0; r < runs.rows; ++r) {
    if (runs.arm[r] != arm) continue;
    if (saltelli && runs.block[r] != 0 && runs.block[r] != b) continue;
    out.push_back({runs.sample[r], runs.replicate[r], r});
  }
  // A store reads its rows in id order, which is this order within an arm.
  if (!std::is_sorted(out.begin(), out.end())) std::sort(out.begin(), out.end());
  return out;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Student-t interval of the mean of `values` at `confidence` (NaN for fewer than 2).
std::pair<double, double> mean_interval(const std::vector<double>& values, double mean,
                                        double confidence) {
  const auto n = static_cast<double>(values.size());
  if (values.size() < 2) return {kNaN, kNaN};
  double ss = 0.0;
  for (double v : values) ss += (v - mean) * (v - mean);
  const double se = std::sqrt(ss / (n - 1.0) / n);
  const double t =
      boost::math::quantile(boost::math::students_t(n - 1.0), 0.5 * (1.0 + confidence));
  return {mean - t * se, mean + t * se};
}

bool benefits(Direction better, double margin, double difference) {
  return (better == Direction::kLower && difference < -margin) ||
         (better == Direction::kHigher && difference > margin);
}

// The paired samples of one contrast: per sample, its parameters (as run) and the mean over its
// paired replicates of each output under the reference, under the arm, and of the difference.
struct PairedSamples {
  std::vector<std::uint64_t> sample;
  Eigen::MatrixXd parameters;                // samples x k
  Eigen::MatrixXd difference;                // samples x m
  Eigen::VectorXd reference_mean, arm_mean;  // per output, over the samples
};

class ContrastBuilder {
 public:
  ContrastBuilder(const CampaignInfo& campaign, const RunTable& runs, const ContrastPlan& plan,
                  ContrastPair pair)
      : campaign_(campaign),
        runs_(runs),
        plan_(plan),
        parameters_(columns_of(runs, campaign.parameter_names())),
        outputs_(columns_of(runs, plan.outputs)) {
    out_.pair = pair;
    out_.arm = campaign.arms[pair.arm];
    out_.reference = campaign.arms[pair.reference];
  }

  /// Stage 1: pairs the runs of the arm and its reference.
  void pair() { pair_runs(); }
  /// The paired samples (ascending) and their differences (samples x outputs).
  const std::vector<std::uint64_t>& samples() const { return data_.sample; }
  const Eigen::MatrixXd& differences() const { return data_.difference; }
  /// Options of the centre summary of the differences: bootstrap up to kBootstrapUpTo samples.
  CentreOptions centre_options() const {
    CentreOptions co;
    co.confidence = plan_.confidence;
    co.resamples = plan_.resamples;
    co.seed = plan_.seed;
    co.threads = plan_.threads;
    co.intervals =
        static_cast<std::size_t>(data_.difference.rows()) > kBootstrapUpTo && !plan_.bootstrap
            ? SummaryIntervals::kLargeSample
            : SummaryIntervals::kBootstrap;
    return co;
  }
  /// Stage 2, given the summaries of the differences' columns (computed with centre_options(),
  /// alone or beside other contrasts' of the same samples): the rest of the contrast.
  Contrast finish(std::vector<CentreSummary> centres) {
    summarise_outputs(std::move(centres));
    predictors();
    return std::move(out_);
  }

 private:
  // A run with every output of the plan finite.
  bool usable(std::size_t r) const {
    if (!runs_.ok[r]) return false;
    for (const std::size_t c : outputs_) {
      if (!std::isfinite(runs_.column(c)[r])) return false;
    }
    return true;
  }

  void pair_runs() {
    const auto arm = runs_of(campaign_, runs_, out_.pair.arm);
    const auto ref = runs_of(campaign_, runs_, out_.pair.reference);
    const std::size_t k = parameters_.size();
    const std::size_t m = outputs_.size();
    std::vector<std::array<std::size_t, 2>> pairs;  // (reference row, arm row)
    std::size_t i = 0, j = 0;
    while (i < ref.size() || j < arm.size()) {
      if (j == arm.size() || (i < ref.size() && ref[i] < arm[j])) {
        ++out_.unmatched;
        ++i;
      } else if (i == ref.size() || arm[j] < ref[i]) {
        ++out_.unmatched;
        ++j;
      } else {
        const std::size_t rr = ref[i++].row, ra = arm[j++].row;
        check_same_sample(rr, ra);
        const bool ok_ref = usable(rr), ok_arm = usable(ra);
        if (ok_ref && ok_arm) {
          pairs.push_back({rr, ra});
        } else if (ok_ref) {
          ++out_.failed_arm_only;
        } else if (ok_arm) {
          ++out_.failed_reference_only;
        } else {
          ++out_.failed_both;
        }
      }
    }
    out_.run_pairs = pairs.size();
    // Samples: consecutive pairs of one sample, replicates averaged.
    std::vector<std::size_t> start;
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      if (p == 0 || runs_.sample[pairs[p][0]] != runs_.sample[pairs[p - 1][0]]) start.push_back(p);
    }
    start.push_back(pairs.size());
    const auto n = static_cast<Eigen::Index>(start.size() - 1);
    data_.sample.resize(static_cast<std::size_t>(n));
    data_.parameters.resize(n, static_cast<Eigen::Index>(k));
    data_.reference_mean = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(m));
    data_.arm_mean = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(m));
    data_.difference.resize(n, static_cast<Eigen::Index>(m));
    for (Eigen::Index s = 0; s < n; ++s) {
      const std::size_t first = start[static_cast<std::size_t>(s)];
      const std::size_t last = start[static_cast<std::size_t>(s) + 1];
      const auto count = static_cast<double>(last - first);
      data_.sample[static_cast<std::size_t>(s)] = runs_.sample[pairs[first][0]];
      for (std::size_t c = 0; c < k; ++c) {
        data_.parameters(s, static_cast<Eigen::Index>(c)) =
            runs_.column(parameters_[c])[pairs[first][0]];
      }
      for (std::size_t c = 0; c < m; ++c) {
        const double* column = runs_.column(outputs_[c]);
        double ref_sum = 0.0, arm_sum = 0.0, diff_sum = 0.0;
        for (std::size_t p = first; p < last; ++p) {
          ref_sum += column[pairs[p][0]];
          arm_sum += column[pairs[p][1]];
          diff_sum += column[pairs[p][1]] - column[pairs[p][0]];
        }
        const auto e = static_cast<Eigen::Index>(c);
        data_.reference_mean(e) += ref_sum / count;
        data_.arm_mean(e) += arm_sum / count;
        data_.difference(s, e) = diff_sum / count;
      }
    }
    out_.samples = static_cast<std::uint64_t>(n);
    pairs_ = std::move(pairs);
    const std::uint64_t left_out =
        out_.failed_arm_only + out_.failed_reference_only + out_.failed_both;
    if (left_out > 0) {
      out_.notes.push_back(std::to_string(left_out) +
                           " run pairs left out: failed (or without a value for an "
                           "output) under " +
                           out_.arm + " only: " + std::to_string(out_.failed_arm_only) +
                           ", under " + out_.reference +
                           " only: " + std::to_string(out_.failed_reference_only) +
                           ", under both: " + std::to_string(out_.failed_both) + ".");
    }
    if (out_.unmatched > 0) {
      out_.notes.push_back(std::to_string(out_.unmatched) +
                           " runs have no partner under the other arm yet (the campaign is "
                           "incomplete) and are left out.");
    }
  }

  // The runs of one sample under two arms must be the same virtual patient.
  void check_same_sample(std::size_t rr, std::size_t ra) const {
    for (std::size_t c = 0; c < parameters_.size(); ++c) {
      const double a = runs_.column(parameters_[c])[rr], b = runs_.column(parameters_[c])[ra];
      if (!same_bits(a, b) && !(std::isnan(a) && std::isnan(b))) {
        throw AnalysisError(
            "sample " + std::to_string(runs_.sample[rr]) + " has " + campaign_.parameters[c].name +
            " = " + text::format_number(a, text::NumberStyle::kShortest) + " under " +
            out_.reference + " but " + text::format_number(b, text::NumberStyle::kShortest) +
            " under " + out_.arm +
            ": the arms do not share their samples, so they cannot be paired");
      }
    }
  }

  void summarise_outputs(std::vector<CentreSummary> centres) {
    const std::size_t m = outputs_.size();
    const auto n = data_.difference.rows();
    if (n >= 2) {
      if (centre_options().intervals == SummaryIntervals::kLargeSample) {
        out_.notes.push_back(
            "Intervals of the mean and median differences are large-sample "
            "intervals (" +
            std::to_string(n) + " samples; --bootstrap N for bootstrap ones).");
      }
    } else {
      out_.notes.push_back("Fewer than 2 paired samples: no summary of the differences.");
    }
    for (std::size_t c = 0; c < m; ++c) {
      const auto e = static_cast<Eigen::Index>(c);
      OutputContrast o;
      o.output = plan_.outputs[c];
      o.better = plan_.better[c];
      o.samples = static_cast<std::uint64_t>(n);
      if (n > 0) {
        o.reference_mean = data_.reference_mean(e) / static_cast<double>(n);
        o.arm_mean = data_.arm_mean(e) / static_cast<double>(n);
      } else {
        o.reference_mean = o.arm_mean = kNaN;
      }
      if (n >= 2) {
        o.difference = centres[c];
      } else {
        o.difference = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
      }
      o.margin = plan_.margin[c];
      Eigen::Array<bool, Eigen::Dynamic, 1> benefit(n);
      for (Eigen::Index s = 0; s < n; ++s) {
        const double d = data_.difference(s, e);
        o.increased += d > o.margin;
        o.decreased += d < -o.margin;
        o.unchanged += std::abs(d) <= o.margin;
        benefit(s) = benefits(o.better, o.margin, d);
      }
      o.benefit.confidence = plan_.confidence;
      o.benefit.probability = o.benefit.ci_low = o.benefit.ci_high = kNaN;
      if (o.better != Direction::kUnknown && n > 0) {
        o.benefit = event_probability(benefit, ProportionInterval::kWilson, plan_.confidence);
      }
      o.binary = n > 0 && binary(outputs_[c]);
      if (o.binary) o.mcnemar = mcnemar(outputs_[c]);
      out_.outputs.push_back(std::move(o));
    }
    if (std::any_of(out_.outputs.begin(), out_.outputs.end(),
                    [](const OutputContrast& o) { return o.mcnemar.has_value(); }) &&
        campaign_.replicates > 1) {
      out_.notes.push_back(
          "McNemar tests need independent pairs: with " + std::to_string(campaign_.replicates) +
          " replicates per sample the 0/1 outputs show counts of paired runs, without p-values.");
    }
  }

  bool binary(std::size_t column) const {
    const double* v = runs_.column(column);
    for (const auto& p : pairs_) {
      for (const std::size_t r : p) {
        if (v[r] != 0.0 && v[r] != 1.0) return false;
      }
    }
    return true;
  }

  McNemarTest mcnemar(std::size_t column) const {
    const double* v = runs_.column(column);
    std::uint64_t both = 0, neither = 0, prevented = 0, caused = 0;
    for (const auto& p : pairs_) {
      const bool ref = v[p[0]] == 1.0, arm = v[p[1]] == 1.0;
      both += ref && arm;
      neither += !ref && !arm;
      prevented += ref && !arm;
      caused += !ref && arm;
    }
    McNemarTest t = mcnemar_test(both, neither, prevented, caused);
    if (campaign_.replicates > 1) t.p_value = kNaN;
    return t;
  }

  // PRCC of the differences on the parameters that vary; subgroups by fifths; scatter points.
  void predictors() {
    const auto n = data_.parameters.rows();
    std::vector<Eigen::Index> varying;
    std::vector<std::string> names;
    for (std::size_t c = 0; c < parameters_.size(); ++c) {
      const auto e = static_cast<Eigen::Index>(c);
      if (n > 0 && data_.parameters.col(e).minCoeff() < data_.parameters.col(e).maxCoeff()) {
        varying.push_back(e);
        names.push_back(campaign_.parameters[c].name);
      }
    }
    const auto k = static_cast<Eigen::Index>(varying.size());
    if (k == 0 || n < k + 4) {
      out_.notes.push_back("Too few paired samples (" + std::to_string(n) +
                           ") for the PRCC of the differences on " + std::to_string(k) +
                           " parameters: it needs k + 4.");
      return;
    }
    Eigen::MatrixXd x(n, k);
    for (Eigen::Index j = 0; j < k; ++j)
      x.col(j) = data_.parameters.col(varying[static_cast<std::size_t>(j)]);
    PartialCorrelationOptions pc;
    pc.confidence = plan_.confidence;
    pc.threads = plan_.threads;
    try {
      out_.predictors = prcc(x, data_.difference, {names, plan_.outputs}, pc);
    } catch (const AnalysisError& e) {
      out_.notes.push_back(std::string("No PRCC of the differences: ") + e.what() + ".");
      return;
    }
    const CorrelationTable& t = *out_.predictors;
    for (Eigen::Index o = 0; o < data_.difference.cols(); ++o) {
      std::vector<Eigen::Index> top;
      for (Eigen::Index i = 0; i < k; ++i) {
        const auto p = static_cast<std::size_t>(varying[static_cast<std::size_t>(i)]);
        if (std::isfinite(t.coefficient(i, o)) && !campaign_.parameters[p].dummy) top.push_back(i);
      }
      std::stable_sort(top.begin(), top.end(), [&](Eigen::Index a, Eigen::Index b) {
        return std::abs(t.coefficient(a, o)) > std::abs(t.coefficient(b, o));
      });
      if (top.empty()) continue;  // a constant difference: nobody benefits more than anybody
      top.resize(std::min<std::size_t>(top.size(), plan_.subgroup_parameters));
      for (const auto i : top)
        subgroups(o, x.col(i), sorted_by(i, x), names[static_cast<std::size_t>(i)],
                  t.coefficient(i, o));
      scatter(o, x.col(top.front()), names[static_cast<std::size_t>(top.front())]);
    }
  }

  // The samples in increasing order of parameter column i of `x`, sorted once per parameter.
  const std::vector<std::size_t>& sorted_by(Eigen::Index i, const Eigen::MatrixXd& x) {
    auto& order = orders_[i];
    if (order.empty()) {
      const auto n = static_cast<std::size_t>(x.rows());
      order.resize(n);
      std::iota(order.begin(), order.end(), std::size_t{0});
      const double* v = x.col(i).data();
      std::stable_sort(order.begin(), order.end(),
                       [v](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    }
    return order;
  }

  void subgroups(Eigen::Index o, const Eigen::VectorXd& values,
                 const std::vector<std::size_t>& order, const std::string& parameter, double prcc) {
    const auto n = static_cast<std::size_t>(values.size());
    const std::size_t groups = plan_.subgroups;
    // Group g holds sorted positions [n g / groups, n (g + 1) / groups); ties with the last
    // value of a group stay in it, so that one value never lies in two groups.
    std::size_t begin = 0;
    const Direction better = plan_.better[static_cast<std::size_t>(o)];
    const double margin = plan_.margin[static_cast<std::size_t>(o)];
    for (std::size_t g = 0; g < groups && begin < n; ++g) {
      std::size_t end = std::max(begin + 1, n * (g + 1) / groups);
      if (g + 1 == groups) end = n;
      while (end < n && values(static_cast<Eigen::Index>(order[end])) ==
                            values(static_cast<Eigen::Index>(order[end - 1]))) {
        ++end;
      }
      Subgroup s;
      s.output = plan_.outputs[static_cast<std::size_t>(o)];
      s.parameter = parameter;
      s.prcc = prcc;
      s.fifth = g + 1;
      s.low = values(static_cast<Eigen::Index>(order[begin]));
      s.high = values(static_cast<Eigen::Index>(order[end - 1]));
      s.samples = end - begin;
      std::vector<double> d;
      std::size_t helped = 0;
      for (std::size_t q = begin; q < end; ++q) {
        d.push_back(data_.difference(static_cast<Eigen::Index>(order[q]), o));
        helped += benefits(better, margin, d.back());
      }
      s.mean = std::accumulate(d.begin(), d.end(), 0.0) / static_cast<double>(d.size());
      std::tie(s.mean_low, s.mean_high) = mean_interval(d, s.mean, plan_.confidence);
      s.p_benefit = better == Direction::kUnknown
                        ? kNaN
                        : static_cast<double>(helped) / static_cast<double>(d.size());
      out_.subgroups.push_back(std::move(s));
      begin = end;
    }
  }

  void scatter(Eigen::Index o, const Eigen::VectorXd& values, const std::string& parameter) {
    const auto n = static_cast<std::size_t>(values.size());
    const std::size_t points = std::min(plan_.scatter_points, n);
    BenefitScatter s{plan_.outputs[static_cast<std::size_t>(o)], parameter, {}, {}};
    for (std::size_t i = 0; i < points; ++i) {
      const auto r = static_cast<Eigen::Index>(i * n / points);
      s.parameter_values.push_back(values(r));
      s.differences.push_back(data_.difference(r, o));
    }
    const OutputContrast& c = out_.outputs[static_cast<std::size_t>(o)];
    if (c.binary && c.better != Direction::kUnknown && n > 0) {
      std::vector<double> benefit(n);
      for (std::size_t r = 0; r < n; ++r) {
        benefit[r] = benefits(c.better, c.margin, data_.difference(static_cast<Eigen::Index>(r), o))
                         ? 1.0
                         : 0.0;
      }
      s.benefit_bins = binned_event_probability(std::span<const double>(values.data(), n), benefit,
                                                kBenefitBins, plan_.confidence);
    }
    out_.scatter.push_back(std::move(s));
  }

  const CampaignInfo& campaign_;
  const RunTable& runs_;
  const ContrastPlan& plan_;
  std::vector<std::size_t> parameters_;
  std::vector<std::size_t> outputs_;
  PairedSamples data_;
  std::vector<std::array<std::size_t, 2>> pairs_;
  std::map<Eigen::Index, std::vector<std::size_t>> orders_;  // sorted_by's cache
  Contrast out_;
};

}  // namespace

ContrastPlan plan_contrasts(const CampaignInfo& campaign, const ContrastRequest& request) {
  if (campaign.arms.size() < 2) {
    throw RequestError(
        "contrasts compare the arms of a campaign, and this campaign has " +
        std::string(campaign.arms.empty() ? "none" : "one") +
        " (an 'arms' section of its config); stores of separate campaigns are compared with "
        "tmex compare");
  }
  if (campaign.layout.kind == DesignKind::kMorris) {
    throw RequestError("contrasts need a random sample of the inputs, but Morris trajectories (" +
                       campaign.design + ") sit on a few grid levels; run an lhs campaign");
  }
  check_interval_options(request.confidence, request.bootstrap);
  ContrastPlan plan;
  if (request.contrasts.empty()) {
    for (std::uint32_t a = 1; a < campaign.arms.size(); ++a) plan.pairs.push_back({a, 0});
  }
  for (const auto& text : request.contrasts) {
    const auto colon = text.find(':');
    const std::string arm = text::trim(text.substr(0, colon));
    const std::string ref =
        colon == std::string::npos ? campaign.arms.front() : text::trim(text.substr(colon + 1));
    const ContrastPair pair{arm_index(campaign, arm), arm_index(campaign, ref)};
    if (pair.arm == pair.reference) {
      throw RequestError("contrast '" + text + "' compares arm '" + arm + "' with itself" +
                         (colon == std::string::npos ? " (the reference is the first arm; give "
                                                       "ARM:REFERENCE for another)"
                                                     : ""));
    }
    if (std::find(plan.pairs.begin(), plan.pairs.end(), pair) != plan.pairs.end()) {
      throw RequestError("contrast '" + text + "' is asked twice");
    }
    plan.pairs.push_back(pair);
  }
  plan.outputs = resolve_outputs(campaign, request.outputs);
  for (const auto& [output, direction] : request.better_outputs) {
    if (std::find(campaign.outputs.begin(), campaign.outputs.end(), output) ==
        campaign.outputs.end()) {
      throw RequestError("--better " + output + "=" + direction_name(direction) +
                         ": unknown output '" + output +
                         "'; the campaign has: " + text::join(campaign.outputs));
    }
  }
  const auto check_margin = [](double m, const std::string& what) {
    if (!std::isfinite(m) || m < 0.0) {
      throw RequestError(what + ": a margin must be a finite number >= 0, got " +
                         text::format_number(m, text::NumberStyle::kShortest));
    }
  };
  if (request.margin) check_margin(*request.margin, "--margin");
  for (const auto& [output, margin] : request.margin_outputs) {
    check_margin(margin, "--margin " + output);
    if (std::find(campaign.outputs.begin(), campaign.outputs.end(), output) ==
        campaign.outputs.end()) {
      throw RequestError("--margin " + output + "=...: unknown output '" + output +
                         "'; the campaign has: " + text::join(campaign.outputs));
    }
  }
  for (const auto& o : plan.outputs) {
    double margin = request.margin.value_or(0.0);
    for (const auto& [output, m] : request.margin_outputs) {
      if (output == o) margin = m;
    }
    plan.margin.push_back(margin);
    Direction d = campaign.better_of(o);
    bool requested = false;
    if (d == Direction::kUnknown && request.better) {
      d = *request.better;
      requested = true;
    }
    for (const auto& [output, direction] : request.better_outputs) {
      if (output == o) {
        d = direction;
        requested = true;
      }
    }
    plan.better.push_back(d);
    plan.better_requested.push_back(requested);
  }
  plan.confidence = request.confidence;
  plan.bootstrap = request.bootstrap;
  plan.resamples = request.bootstrap.value_or(1000);
  plan.seed = request.seed.value_or(campaign.seed);
  plan.subgroup_parameters = request.subgroup_parameters;
  plan.scatter_points = request.scatter_points;
  plan.threads = request.threads;
  plan.columns = campaign.parameter_names();
  plan.columns.insert(plan.columns.end(), plan.outputs.begin(), plan.outputs.end());
  return plan;
}

std::vector<Contrast> contrast_arms(const CampaignInfo& campaign, const RunTable& runs,
                                    const ContrastPlan& plan) {
  runs.check_shape();
  if (runs.arm.empty()) {
    throw AnalysisError("the run table has no arm column: contrasts need the runs of every arm");
  }
  std::vector<Contrast> out;
  for (const auto& pair : plan.pairs) {
    if (pair.arm >= campaign.arms.size() || pair.reference >= campaign.arms.size()) {
      throw AnalysisError("contrast of arm " + std::to_string(pair.arm) + " with arm " +
                          std::to_string(pair.reference) + ": the campaign has " +
                          std::to_string(campaign.arms.size()) + " arms");
    }
  }
  std::vector<ContrastBuilder> builders;
  builders.reserve(plan.pairs.size());
  for (const auto& pair : plan.pairs) {
    builders.emplace_back(campaign, runs, plan, pair);
    builders.back().pair();
  }
  // Contrasts of the same paired samples (every arm against one reference, without failures)
  // share the bootstrap: resample r of N samples is the same draw for each (BootstrapStream
  // (seed, r)), so one summary of their differences side by side gives each contrast's own
  // numbers, with one draw and one matrix product per resample block instead of one each.
  std::vector<std::vector<CentreSummary>> centres(builders.size());
  std::vector<bool> done(builders.size(), false);
  for (std::size_t i = 0; i < builders.size(); ++i) {
    if (done[i]) continue;
    std::vector<std::size_t> group;
    for (std::size_t j = i; j < builders.size(); ++j) {
      if (!done[j] && builders[j].samples() == builders[i].samples()) group.push_back(j);
    }
    const Eigen::Index n = builders[i].differences().rows();
    const Eigen::Index m = builders[i].differences().cols();
    if (n >= 2) {
      Eigen::MatrixXd side(n, m * static_cast<Eigen::Index>(group.size()));
      for (std::size_t g = 0; g < group.size(); ++g) {
        side.middleCols(static_cast<Eigen::Index>(g) * m, m) = builders[group[g]].differences();
      }
      const auto all = summarize_centres(side, builders[i].centre_options());
      for (std::size_t g = 0; g < group.size(); ++g) {
        const auto first = all.begin() + static_cast<std::ptrdiff_t>(g) * m;
        centres[group[g]].assign(first, first + m);
      }
    }
    for (const auto g : group) done[g] = true;
  }
  for (std::size_t i = 0; i < builders.size(); ++i) {
    out.push_back(builders[i].finish(std::move(centres[i])));
  }
  return out;
}

}  // namespace tmex::analysis
