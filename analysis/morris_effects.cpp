// Elementary effects from trajectories, with the changed input detected per step.
#include "analysis/morris_effects.hpp"

#include <cmath>
#include <limits>

#include "analysis/analysis_error.hpp"
#include "analysis/bootstrap.hpp"

namespace tmex::analysis {

MorrisEffects morris_effects(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                             const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                             const Eigen::Ref<const Eigen::VectorXd>& ranges, const Labels& labels,
                             const MorrisOptions& options) {
  const Eigen::Index k = inputs.cols();
  const Eigen::Index m = outputs.cols();
  if (k < 1 || inputs.rows() == 0 || inputs.rows() % (k + 1) != 0) {
    throw AnalysisError("morris_effects: " + std::to_string(inputs.rows()) +
                        " rows is not a positive multiple of k + 1 = " + std::to_string(k + 1));
  }
  if (outputs.rows() != inputs.rows() || ranges.size() != k) {
    throw AnalysisError("morris_effects: inputs have " + std::to_string(inputs.rows()) + " x " +
                        std::to_string(k) + ", outputs " + std::to_string(outputs.rows()) +
                        " rows, ranges " + std::to_string(ranges.size()) + " entries");
  }
  if (!outputs.allFinite()) throw AnalysisError("morris_effects: outputs must be finite");
  if (options.resamples < 0 || !(options.confidence > 0.0 && options.confidence < 1.0)) {
    throw AnalysisError("morris_effects: resamples must be >= 0 and confidence in (0, 1)");
  }
  const Labels names = labels.resolve(k, m);
  for (Eigen::Index i = 0; i < k; ++i) {
    if (!(ranges[i] > 0.0) || !std::isfinite(ranges[i])) {
      throw AnalysisError("morris_effects: range of '" +
                          names.parameters[static_cast<std::size_t>(i)] +
                          "' must be positive and finite, got " + std::to_string(ranges[i]));
    }
  }
  const Eigen::Index r = inputs.rows() / (k + 1);

  // effects[i] holds the EEs of parameter i, one row per step that moved it.
  std::vector<std::vector<Eigen::RowVectorXd>> effects(static_cast<std::size_t>(k));
  for (Eigen::Index t = 0; t < r; ++t) {
    for (Eigen::Index s = 0; s < k; ++s) {
      const Eigen::Index row = t * (k + 1) + s;
      Eigen::Index changed = -1;
      for (Eigen::Index i = 0; i < k; ++i) {
        if (inputs(row + 1, i) == inputs(row, i)) continue;
        if (changed >= 0) {
          throw AnalysisError("morris_effects: trajectory " + std::to_string(t) + " step " +
                              std::to_string(s) + " changes both '" +
                              names.parameters[static_cast<std::size_t>(changed)] + "' and '" +
                              names.parameters[static_cast<std::size_t>(i)] + "'");
        }
        changed = i;
      }
      if (changed < 0) {
        throw AnalysisError("morris_effects: trajectory " + std::to_string(t) + " step " +
                            std::to_string(s) + " changes no parameter");
      }
      const double step = (inputs(row + 1, changed) - inputs(row, changed)) / ranges[changed];
      effects[static_cast<std::size_t>(changed)].push_back(
          (outputs.row(row + 1) - outputs.row(row)) / step);
    }
  }

  const double nan = std::numeric_limits<double>::quiet_NaN();
  MorrisEffects out;
  out.parameters = names.parameters;
  out.outputs = names.outputs;
  out.trajectories = r;
  for (auto* mat : {&out.mu, &out.mu_star, &out.mu_star_low, &out.mu_star_high, &out.sigma}) {
    mat->setConstant(k, m, nan);
  }
  for (Eigen::Index i = 0; i < k; ++i) {
    const auto& ee = effects[static_cast<std::size_t>(i)];
    const auto count = static_cast<Eigen::Index>(ee.size());
    out.effects.push_back(count);
    if (count == 0) continue;
    Eigen::MatrixXd e(count, m);
    for (Eigen::Index c = 0; c < count; ++c) e.row(c) = ee[static_cast<std::size_t>(c)];
    const auto n = static_cast<double>(count);
    out.mu.row(i) = e.colwise().mean();
    out.mu_star.row(i) = e.cwiseAbs().colwise().mean();
    if (count > 1) {
      out.sigma.row(i) =
          ((e.rowwise() - out.mu.row(i)).colwise().squaredNorm() / (n - 1.0)).cwiseSqrt();
    }
    if (options.resamples == 0) continue;
    Eigen::MatrixXd replicates(options.resamples, m);
    for (int b = 0; b < options.resamples; ++b) {
      BootstrapStream stream(options.seed ^ static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ULL,
                             static_cast<std::uint64_t>(b));
      Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(m);
      for (Eigen::Index c = 0; c < count; ++c) {
        sum += e.row(static_cast<Eigen::Index>(stream.below(static_cast<std::uint64_t>(count))))
                   .cwiseAbs();
      }
      replicates.row(b) = sum / n;
    }
    for (Eigen::Index o = 0; o < m; ++o) {
      std::vector<double> values(replicates.col(o).data(),
                                 replicates.col(o).data() + options.resamples);
      const auto [low, high] = percentile_interval(values, options.confidence);
      out.mu_star_low(i, o) = low;
      out.mu_star_high(i, o) = high;
    }
  }
  return out;
}

}  // namespace tmex::analysis
