// Validation and inverse CDFs of Distribution (Boost.Math for the non-elementary ones).
#include "sampling/distribution.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <cmath>
#include <cstdio>
#include <limits>

#include "text/number_text.hpp"

namespace tmex::sampling {

namespace {

// Double precision throughout: Boost's default promotion to long double costs time and buys
// nothing at the resolution of a 53-bit u.
using Policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

std::string num(double v) { return text::format_number(v, text::NumberStyle::kExact); }

bool finite(double v) { return std::isfinite(v); }

double standard_normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double, Policy>(0.0, 1.0), p);
}

double standard_normal_cdf(double x) {
  return boost::math::cdf(boost::math::normal_distribution<double, Policy>(0.0, 1.0), x);
}

}  // namespace

Distribution Distribution::uniform(double min, double max) {
  if (!finite(min) || !finite(max)) {
    throw DistributionError("uniform: min and max must be finite, got min=" + num(min) +
                            ", max=" + num(max));
  }
  if (!(min < max)) {
    throw DistributionError("uniform: min must be < max, got min=" + num(min) +
                            ", max=" + num(max));
  }
  return Distribution(DistributionKind::kUniform, {min, max});
}

Distribution Distribution::log_uniform(double min, double max) {
  if (!finite(min) || !finite(max) || !(min > 0.0)) {
    throw DistributionError("loguniform: min and max must be finite and > 0, got min=" + num(min) +
                            ", max=" + num(max));
  }
  if (!(min < max)) {
    throw DistributionError("loguniform: min must be < max, got min=" + num(min) +
                            ", max=" + num(max));
  }
  return Distribution(DistributionKind::kLogUniform, {min, max});
}

Distribution Distribution::normal(double mean, double sd) {
  if (!finite(mean)) throw DistributionError("normal: mean must be finite, got " + num(mean));
  if (!finite(sd) || !(sd > 0.0)) {
    throw DistributionError("normal: sd must be finite and > 0, got sd=" + num(sd));
  }
  return Distribution(DistributionKind::kNormal, {mean, sd});
}

Distribution Distribution::truncated_normal(double mean, double sd, double min, double max) {
  if (!finite(mean)) throw DistributionError("truncnormal: mean must be finite, got " + num(mean));
  if (!finite(sd) || !(sd > 0.0)) {
    throw DistributionError("truncnormal: sd must be finite and > 0, got sd=" + num(sd));
  }
  if (std::isnan(min) || std::isnan(max) || !(min < max) || min == HUGE_VAL || max == -HUGE_VAL) {
    throw DistributionError("truncnormal: min must be < max, got min=" + num(min) +
                            ", max=" + num(max));
  }
  Distribution d(DistributionKind::kTruncatedNormal, {mean, sd, min, max});
  double a = (min - mean) / sd;
  double b = (max - mean) / sd;
  // Work in the lower tail, where the normal CDF keeps full relative precision: an interval
  // above the mean is mirrored to -b..-a.
  d.mirrored_ = a > 0.0;
  if (d.mirrored_) {
    const double t = a;
    a = -b;
    b = -t;
  }
  d.lower_prob_ = standard_normal_cdf(a);
  d.upper_prob_ = standard_normal_cdf(b);
  if (!(d.upper_prob_ - d.lower_prob_ > 1e-300)) {
    throw DistributionError("truncnormal: [min, max] = [" + num(min) + ", " + num(max) +
                            "] holds no representable probability under normal(mean=" + num(mean) +
                            ", sd=" + num(sd) + ")");
  }
  return d;
}

Distribution Distribution::log_normal(double meanlog, double sdlog) {
  if (!finite(meanlog)) {
    throw DistributionError("lognormal: meanlog must be finite, got " + num(meanlog));
  }
  if (!finite(sdlog) || !(sdlog > 0.0)) {
    throw DistributionError("lognormal: sdlog must be finite and > 0, got sdlog=" + num(sdlog));
  }
  return Distribution(DistributionKind::kLogNormal, {meanlog, sdlog});
}

Distribution Distribution::triangular(double min, double mode, double max) {
  if (!finite(min) || !finite(mode) || !finite(max)) {
    throw DistributionError("triangular: min, mode and max must be finite, got min=" + num(min) +
                            ", mode=" + num(mode) + ", max=" + num(max));
  }
  if (!(min < max) || !(min <= mode) || !(mode <= max)) {
    throw DistributionError("triangular: need min <= mode <= max and min < max, got min=" +
                            num(min) + ", mode=" + num(mode) + ", max=" + num(max));
  }
  return Distribution(DistributionKind::kTriangular, {min, mode, max});
}

Distribution Distribution::beta(double alpha, double beta, double min, double max) {
  if (!finite(alpha) || !(alpha > 0.0)) {
    throw DistributionError("beta: alpha must be finite and > 0, got alpha=" + num(alpha));
  }
  if (!finite(beta) || !(beta > 0.0)) {
    throw DistributionError("beta: beta must be finite and > 0, got beta=" + num(beta));
  }
  if (!finite(min) || !finite(max) || !(min < max)) {
    throw DistributionError("beta: min must be < max, both finite, got min=" + num(min) +
                            ", max=" + num(max));
  }
  return Distribution(DistributionKind::kBeta, {alpha, beta, min, max});
}

Distribution Distribution::discrete(std::vector<double> levels) {
  if (levels.empty()) throw DistributionError("discrete: needs at least one level, got none");
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (!finite(levels[i])) {
      throw DistributionError("discrete: level " + std::to_string(i) + " must be finite, got " +
                              num(levels[i]));
    }
  }
  std::sort(levels.begin(), levels.end());
  const auto dup = std::adjacent_find(levels.begin(), levels.end());
  if (dup != levels.end()) {
    throw DistributionError("discrete: levels must be distinct, got " + num(*dup) + " twice");
  }
  return Distribution(DistributionKind::kDiscrete, std::move(levels));
}

Distribution Distribution::constant(double value) {
  if (!finite(value)) throw DistributionError("constant: value must be finite, got " + num(value));
  return Distribution(DistributionKind::kConstant, {value});
}

Distribution Distribution::from_parameters(std::string_view kind_name, std::vector<double> params) {
  const auto need = [&](std::size_t n) {
    if (params.size() != n) {
      throw DistributionError(std::string(kind_name) + ": expected " + std::to_string(n) +
                              " parameters, got " + std::to_string(params.size()));
    }
  };
  if (kind_name == "uniform" || kind_name == "loguniform") {
    need(2);
    return kind_name == "uniform" ? uniform(params[0], params[1])
                                  : log_uniform(params[0], params[1]);
  }
  if (kind_name == "normal" || kind_name == "lognormal") {
    need(2);
    return kind_name == "normal" ? normal(params[0], params[1]) : log_normal(params[0], params[1]);
  }
  if (kind_name == "truncnormal") {
    need(4);
    return truncated_normal(params[0], params[1], params[2], params[3]);
  }
  if (kind_name == "triangular") {
    need(3);
    return triangular(params[0], params[1], params[2]);
  }
  if (kind_name == "beta") {
    need(4);
    return beta(params[0], params[1], params[2], params[3]);
  }
  if (kind_name == "discrete") return discrete(std::move(params));
  if (kind_name == "constant") {
    need(1);
    return constant(params[0]);
  }
  throw DistributionError("unknown distribution '" + std::string(kind_name) +
                          "'; known: uniform, loguniform, normal, truncnormal, lognormal, "
                          "triangular, beta, discrete, constant");
}

std::vector<std::string> Distribution::parameter_names() const {
  switch (kind_) {
    case DistributionKind::kUniform:
    case DistributionKind::kLogUniform:
      return {"min", "max"};
    case DistributionKind::kNormal:
      return {"mean", "sd"};
    case DistributionKind::kTruncatedNormal:
      return {"mean", "sd", "min", "max"};
    case DistributionKind::kLogNormal:
      return {"meanlog", "sdlog"};
    case DistributionKind::kTriangular:
      return {"min", "mode", "max"};
    case DistributionKind::kBeta:
      return {"alpha", "beta", "min", "max"};
    case DistributionKind::kDiscrete:
      return std::vector<std::string>(params_.size(), "level");
    case DistributionKind::kConstant:
      return {"value"};
  }
  return {};
}

std::pair<double, double> Distribution::support() const {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const auto& p = params_;
  switch (kind_) {
    case DistributionKind::kUniform:
    case DistributionKind::kLogUniform:
      return {p[0], p[1]};
    case DistributionKind::kNormal:
      return {-inf, inf};
    case DistributionKind::kTruncatedNormal:
      return {p[2], p[3]};
    case DistributionKind::kLogNormal:
      return {0.0, inf};
    case DistributionKind::kTriangular:
      return {p[0], p[2]};
    case DistributionKind::kBeta:
      return {p[2], p[3]};
    case DistributionKind::kDiscrete:
      return {p.front(), p.back()};  // levels are kept ascending
    case DistributionKind::kConstant:
      return {p[0], p[0]};
  }
  return {-inf, inf};
}

bool Distribution::log_scaled() const {
  return kind_ == DistributionKind::kLogUniform || kind_ == DistributionKind::kLogNormal;
}

double Distribution::quantile(double u) const {
  const auto& p = params_;
  switch (kind_) {
    case DistributionKind::kUniform:
      return p[0] + u * (p[1] - p[0]);
    case DistributionKind::kLogUniform:
      return p[0] * std::exp(u * std::log(p[1] / p[0]));
    case DistributionKind::kNormal:
      return p[0] + p[1] * standard_normal_quantile(u);
    case DistributionKind::kTruncatedNormal: {
      // Inverse CDF of the conditioned normal; mirrored intervals map u to 1 - u.
      const double q = mirrored_ ? 1.0 - u : u;
      const double z = standard_normal_quantile(lower_prob_ + q * (upper_prob_ - lower_prob_));
      const double x = p[0] + p[1] * (mirrored_ ? -z : z);
      return std::clamp(x, p[2], p[3]);
    }
    case DistributionKind::kLogNormal:
      return boost::math::quantile(boost::math::lognormal_distribution<double, Policy>(p[0], p[1]),
                                   u);
    case DistributionKind::kTriangular:
      return boost::math::quantile(
          boost::math::triangular_distribution<double, Policy>(p[0], p[1], p[2]), u);
    case DistributionKind::kBeta:
      return p[2] +
             (p[3] - p[2]) * boost::math::quantile(
                                 boost::math::beta_distribution<double, Policy>(p[0], p[1]), u);
    case DistributionKind::kDiscrete: {
      const auto m = static_cast<double>(p.size());
      const auto level = static_cast<std::size_t>(std::min(std::floor(u * m), m - 1.0));
      return p[level];
    }
    case DistributionKind::kConstant:
      return p[0];
  }
  return std::nan("");
}

std::string Distribution::kind_name() const {
  switch (kind_) {
    case DistributionKind::kUniform:
      return "uniform";
    case DistributionKind::kLogUniform:
      return "loguniform";
    case DistributionKind::kNormal:
      return "normal";
    case DistributionKind::kTruncatedNormal:
      return "truncnormal";
    case DistributionKind::kLogNormal:
      return "lognormal";
    case DistributionKind::kTriangular:
      return "triangular";
    case DistributionKind::kBeta:
      return "beta";
    case DistributionKind::kDiscrete:
      return "discrete";
    case DistributionKind::kConstant:
      return "constant";
  }
  return "?";
}

std::string Distribution::describe() const { return describe(text::NumberStyle::kExact); }

std::string Distribution::describe(text::NumberStyle style) const {
  const auto num = [style](double v) { return text::format_number(v, style); };
  const auto& p = params_;
  const std::string k = kind_name();
  switch (kind_) {
    case DistributionKind::kUniform:
    case DistributionKind::kLogUniform:
      return k + "(min=" + num(p[0]) + ", max=" + num(p[1]) + ")";
    case DistributionKind::kNormal:
      return k + "(mean=" + num(p[0]) + ", sd=" + num(p[1]) + ")";
    case DistributionKind::kTruncatedNormal:
      return k + "(mean=" + num(p[0]) + ", sd=" + num(p[1]) + ", min=" + num(p[2]) +
             ", max=" + num(p[3]) + ")";
    case DistributionKind::kLogNormal:
      return k + "(meanlog=" + num(p[0]) + ", sdlog=" + num(p[1]) + ")";
    case DistributionKind::kTriangular:
      return k + "(min=" + num(p[0]) + ", mode=" + num(p[1]) + ", max=" + num(p[2]) + ")";
    case DistributionKind::kBeta:
      return k + "(alpha=" + num(p[0]) + ", beta=" + num(p[1]) + ", min=" + num(p[2]) +
             ", max=" + num(p[3]) + ")";
    case DistributionKind::kDiscrete: {
      std::string s = k + "(levels=[";
      for (std::size_t i = 0; i < p.size(); ++i) s += (i ? ", " : "") + num(p[i]);
      return s + "])";
    }
    case DistributionKind::kConstant:
      return k + "(value=" + num(p[0]) + ")";
  }
  return k;
}

}  // namespace tmex::sampling
