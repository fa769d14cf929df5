// The emdr model's population-level behaviour over a Latin hypercube of its default ranges: the
// PRCC table of chemotherapy alone, and the paired benefit of each agent added to it.
//
// Usage: emdr_population [SAMPLES [SEED]]   (defaults 2000 and 20261129)
//
// Prints (1) failures and output quantiles of chemotherapy alone, (2) the PRCC of every sampled
// parameter on the key outputs with Benjamini-Hochberg adjusted p-values, and (3) for each agent
// and schedule, the mean paired benefit (log10 residual burden without the agent minus with it,
// on the same samples) with a 95% percentile-bootstrap interval, the share of samples it helps,
// and the PRCC of the benefit on the agent's target parameter. models/emdr.md quotes its
// figures.
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/partial_correlation.hpp"
#include "models/emdr_model.hpp"
#include "models/emdr_parameters.hpp"
#include "sampling/distribution.hpp"
#include "sampling/latin_hypercube.hpp"
#include "tests/models/emdr_lhs.hpp"

namespace {

using namespace tmex;

struct Arm {
  std::string label;
  std::map<std::string, double> settings;
  std::map<std::string, std::string> options;
  std::string target;  // parameter the benefit should follow
};

// Outputs of every point (row-major, NaN rows for failures) under one arm.
struct ArmRun {
  Eigen::MatrixXd outputs;
  int failures = 0;
  std::map<std::string, int> reasons;
};

ArmRun run_arm(const Arm& arm, const std::vector<std::vector<double>>& points) {
  models::ModelSpec spec;
  spec.settings = arm.settings;
  spec.options = arm.options;
  const auto model = models::make_emdr(spec);
  const auto& info = model->info();
  ArmRun out;
  out.outputs.resize(static_cast<Eigen::Index>(points.size()),
                     static_cast<Eigen::Index>(info.outputs.size()));
  const std::size_t k = models::emdr_sampled_ranges().size();
  std::vector<double> values;
  models::EvalResult r;
  for (std::size_t i = 0; i < points.size(); ++i) {
    values.clear();
    for (const auto& p : info.parameters) values.push_back(p.default_value);
    for (std::size_t j = 0; j < k; ++j) values[j] = points[i][j];
    model->evaluate(values, models::EvalContext{}, r);
    if (r.status != models::EvalStatus::kOk) {
      ++out.failures;
      ++out.reasons[std::string(models::to_string(r.status)) + ": " + r.reason.substr(0, 60)];
      out.outputs.row(static_cast<Eigen::Index>(i)).setConstant(std::nan(""));
      continue;
    }
    for (std::size_t o = 0; o < r.outputs.size(); ++o) {
      out.outputs(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(o)) = r.outputs[o];
    }
  }
  return out;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return analysis::sorted_quantile(v, q);
}

}  // namespace

// One-parameter scan at baseline: residual burden with and without an agent setting.
int scan(const std::string& param, const std::string& agent, double effect,
         const std::string& option, const std::string& value) {
  models::ModelSpec with_spec;
  with_spec.settings[agent] = effect;
  if (!option.empty()) with_spec.options[option] = value;
  const auto chemo = models::make_emdr({});
  const auto with = models::make_emdr(with_spec);
  const auto& info = chemo->info();
  const auto pi = *info.parameter_index(param);
  double lo = 0, hi = 0;
  bool log_scale = true;
  for (const auto& r : models::emdr_sampled_ranges()) {
    if (param == r.name) {
      lo = r.min;
      hi = r.max;
      log_scale = r.log_uniform;
    }
  }
  const char* outs[] = {"log10_residual_burden",     "log_kill",
                        "adhered_fraction_residual", "resistant_fraction_residual",
                        "log10_final_burden",        "time_to_relapse"};
  std::printf("%12s", param.c_str());
  for (const char* o : outs) std::printf(" %14.14s", o);
  std::printf(" %10s %10s\n", "benefit", "w/ agent");
  for (int i = 0; i <= 10; ++i) {
    const double u = i / 10.0;
    const double v = log_scale ? lo * std::pow(hi / lo, u) : lo + (hi - lo) * u;
    std::vector<double> values, with_values;
    for (const auto& p : info.parameters) values.push_back(p.default_value);
    for (const auto& p : with->info().parameters) with_values.push_back(p.default_value);
    values[pi] = with_values[pi] = v;
    models::EvalResult a, b;
    chemo->evaluate(values, models::EvalContext{}, a);
    with->evaluate(with_values, models::EvalContext{}, b);
    std::printf("%12.4g", v);
    for (const char* o : outs) std::printf(" %14.4g", a.outputs[*info.output_index(o)]);
    const auto res = *info.output_index("log10_residual_burden");
    std::printf(" %10.4f %10.4f\n", a.outputs[res] - b.outputs[res], b.outputs[res]);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "scan") {
    return scan(argv[2], argv[3], std::atof(argv[4]), argc > 5 ? argv[5] : "",
                argc > 6 ? argv[6] : "");
  }
  const std::uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000;
  const std::uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20261129;
  const auto probe = models::make_emdr({});
  const auto& info = probe->info();
  const auto points = models::emdr_testing::emdr_lhs(*probe, n, seed);
  const auto ranges = models::emdr_sampled_ranges();
  const std::size_t k = ranges.size();
  auto out_index = [&](const char* name) {
    return static_cast<Eigen::Index>(*info.output_index(name));
  };

  const auto t0 = std::chrono::steady_clock::now();
  const ArmRun chemo = run_arm({"chemo", {}, {}, ""}, points);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "emdr version %d, %llu LHS samples (seed %llu), chemotherapy alone: %d failed, "
      "%.1f us per evaluation\n",
      info.version, static_cast<unsigned long long>(n), static_cast<unsigned long long>(seed),
      chemo.failures, 1e6 * secs / double(n));
  for (const auto& [why, count] : chemo.reasons) std::printf("  %5d  %s\n", count, why.c_str());

  const char* key_outputs[] = {"log10_residual_burden",
                               "log10_final_burden",
                               "log_kill",
                               "time_to_relapse",
                               "relapsed",
                               "cured",
                               "adhered_fraction_0",
                               "adhered_fraction_residual",
                               "resistant_fraction_residual",
                               "resistant_fraction"};
  std::printf("\n%-28s %9s %9s %9s %9s %9s %9s\n", "output", "min", "q05", "q25", "median", "q75",
              "q95");
  for (const char* name : key_outputs) {
    std::vector<double> v;
    for (Eigen::Index i = 0; i < chemo.outputs.rows(); ++i) {
      const double x = chemo.outputs(i, out_index(name));
      if (std::isfinite(x)) v.push_back(x);
    }
    if (v.empty()) continue;
    std::printf("%-28s %9.3g %9.3g %9.3g %9.3g %9.3g %9.3g  mean %.3g\n", name, quantile(v, 0),
                quantile(v, 0.05), quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.75),
                quantile(v, 0.95), [&] {
                  double s = 0;
                  for (double x : v) s += x;
                  return s / double(v.size());
                }());
  }

  // PRCC over the ok rows.
  std::vector<Eigen::Index> ok;
  for (Eigen::Index i = 0; i < chemo.outputs.rows(); ++i) {
    if (std::isfinite(chemo.outputs(i, 0))) ok.push_back(i);
  }
  const char* prcc_outputs[] = {"log10_residual_burden", "log10_final_burden", "log_kill",
                                "time_to_relapse"};
  Eigen::MatrixXd x(static_cast<Eigen::Index>(ok.size()), static_cast<Eigen::Index>(k));
  Eigen::MatrixXd y(static_cast<Eigen::Index>(ok.size()), 4);
  for (std::size_t r = 0; r < ok.size(); ++r) {
    for (std::size_t j = 0; j < k; ++j) x(Eigen::Index(r), Eigen::Index(j)) = points[ok[r]][j];
    for (int o = 0; o < 4; ++o)
      y(Eigen::Index(r), o) = chemo.outputs(ok[r], out_index(prcc_outputs[o]));
  }
  analysis::Labels labels;
  for (const auto& r : ranges) labels.parameters.push_back(r.name);
  for (const char* o : prcc_outputs) labels.outputs.push_back(o);
  const auto table = analysis::prcc(x, y, labels);
  std::printf("\nPRCC (BH-adjusted p in brackets; * < 0.05)\n%-24s", "parameter");
  for (const char* o : prcc_outputs) std::printf(" %24s", o);
  std::printf("\n");
  for (std::size_t j = 0; j < k; ++j) {
    std::printf("%-24s", ranges[j].name);
    for (int o = 0; o < 4; ++o) {
      const double c = table.coefficient(Eigen::Index(j), o), q = table.p_bh(Eigen::Index(j), o);
      std::printf("   %+7.3f [%8.1e]%s", c, q, q < 0.05 ? "*" : " ");
    }
    std::printf("\n");
  }

  // Paired benefits of each agent.
  // Each agent in its recommended schedule (models/emdr.md), and the alternative schedules.
  const std::vector<Arm> arms = {
      {"integrin peri *",
       {{"integrin_block", 0.9}},
       {{"integrin_block_schedule", "peri"}},
       "adhesion_strength"},
      {"integrin continuous", {{"integrin_block", 0.9}}, {}, "adhesion_strength"},
      {"il6 continuous *", {{"il6_block", 0.8}}, {}, "il6_basal"},
      {"il6 peri", {{"il6_block", 0.8}}, {{"il6_block_schedule", "peri"}}, "il6_basal"},
      {"cox2 continuous *", {{"cox2_block", 0.8}}, {}, "pge2_amplification"},
      {"cox2 peri", {{"cox2_block", 0.8}}, {{"cox2_block_schedule", "peri"}}, "pge2_amplification"},
      {"vegf continuous *", {{"vegf_block", 0.8}}, {}, "sdf1_level"},
      {"vegf peri", {{"vegf_block", 0.8}}, {{"vegf_block_schedule", "peri"}}, "sdf1_level"},
      {"nfkb continuous *", {{"nfkb_block", 0.8}}, {}, "camdr_protection"},
      {"nfkb peri", {{"nfkb_block", 0.8}}, {{"nfkb_block_schedule", "peri"}}, "camdr_protection"},
      {"cxcr4 continuous *",
       {{"cxcr4_block", 0.97}},
       {{"cxcr4_block_schedule", "continuous"}},
       "cxcr4_expression"},
      {"cxcr4 pulsed", {{"cxcr4_block", 0.97}}, {}, "cxcr4_expression"},
  };

  const Eigen::Index res = out_index("log10_residual_burden");
  const Eigen::Index fin = out_index("log10_final_burden");
  std::printf("\n(* recommended schedule; benefits in log10 cells, 95%% bootstrap intervals)\n");
  std::printf("%-22s %6s %24s %7s %7s %24s %10s %s\n", "agent", "failed", "residual benefit",
              "helps", "harms", "final benefit", "PRCC(tgt)", "target");
  for (const auto& arm : arms) {
    const ArmRun with = run_arm(arm, points);
    std::vector<double> benefit, final_benefit;
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const double b = chemo.outputs(Eigen::Index(i), res) - with.outputs(Eigen::Index(i), res);
      const double fb = chemo.outputs(Eigen::Index(i), fin) - with.outputs(Eigen::Index(i), fin);
      if (!std::isfinite(b) || !std::isfinite(fb)) continue;
      benefit.push_back(b);
      final_benefit.push_back(fb);
      rows.push_back(i);
    }
    auto mean_ci = [&](const std::vector<double>& v, double& lo, double& hi) {
      double m = 0;
      for (double b : v) m += b;
      m /= double(v.size());
      std::vector<double> reps;
      for (std::uint64_t rep = 0; rep < 1000; ++rep) {
        analysis::BootstrapStream stream(seed, rep);
        double s = 0;
        for (std::size_t i = 0; i < v.size(); ++i) s += v[stream.below(v.size())];
        reps.push_back(s / double(v.size()));
      }
      std::tie(lo, hi) = analysis::percentile_interval(reps, 0.95);
      return m;
    };
    double lo, hi, flo, fhi;
    const double mean = mean_ci(benefit, lo, hi);
    const double fmean = mean_ci(final_benefit, flo, fhi);
    int helps = 0, harms = 0;
    for (double b : benefit) {
      helps += b > 1e-3;
      harms += b < -1e-3;
    }
    Eigen::MatrixXd bx(Eigen::Index(rows.size()), Eigen::Index(k));
    Eigen::MatrixXd by(Eigen::Index(rows.size()), 1);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::size_t j = 0; j < k; ++j) bx(Eigen::Index(r), Eigen::Index(j)) = points[rows[r]][j];
      by(Eigen::Index(r), 0) = benefit[r];
    }
    const auto bt = analysis::prcc(bx, by, analysis::Labels{labels.parameters, {"benefit"}});
    std::size_t target = 0;
    for (std::size_t j = 0; j < k; ++j) {
      if (arm.target == ranges[j].name) target = j;
    }
    std::printf(
        "%-22s %6d %+8.3f [%+.3f, %+.3f] %6.1f%% %6.1f%% %+8.3f [%+.3f, %+.3f] %+10.3f %s\n",
        arm.label.c_str(), with.failures, mean, lo, hi, 100.0 * helps / double(benefit.size()),
        100.0 * harms / double(benefit.size()), fmean, flo, fhi,
        bt.coefficient(Eigen::Index(target), 0), arm.target.c_str());
  }
  return 0;
}
