// Morris elementary effects from one-at-a-time trajectories: mu, mu* and sigma.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/labels.hpp"

namespace tmex::analysis {

/// Elementary-effect statistics per parameter (rows) and output (columns). Effects are per
/// unit fraction of the parameter's range, so parameters of different units compare.
struct MorrisEffects {
  std::vector<std::string> parameters;
  std::vector<std::string> outputs;
  Eigen::MatrixXd mu;                         ///< k x m, mean EE (Morris 1991)
  Eigen::MatrixXd mu_star;                    ///< k x m, mean |EE| (Campolongo et al. 2007)
  Eigen::MatrixXd mu_star_low, mu_star_high;  ///< percentile bootstrap interval of mu*
  Eigen::MatrixXd sigma;              ///< k x m, standard deviation of EE (denominator r - 1)
  std::vector<Eigen::Index> effects;  ///< k, number of EEs of each parameter
  Eigen::Index trajectories = 0;
};

struct MorrisOptions {
  int resamples = 1000;  ///< bootstrap resamples of each parameter's EEs; 0: no intervals
  double confidence = 0.95;
  std::uint64_t seed = 0;
};

/// Morris screening from r trajectories: trajectory t occupies rows t (k + 1) .. t (k + 1) + k
/// of `inputs` (r (k + 1) x k) and `outputs` (r (k + 1) x m, finite). The input that changes
/// between consecutive rows s and s + 1 is found from the data; its effect is
///   EE = (y_{s+1} - y_s) / ((x_{s+1,i} - x_{s,i}) / range_i),
/// with range_i = max - min of parameter i (`ranges`, k positive values). A parameter that
/// never moves gets NaN statistics and effects[i] = 0. Throws AnalysisError when the shapes
/// do not match, a step changes no input or more than one (naming trajectory and step), a
/// range is not positive, or an output is not finite.
MorrisEffects morris_effects(const Eigen::Ref<const Eigen::MatrixXd>& inputs,
                             const Eigen::Ref<const Eigen::MatrixXd>& outputs,
                             const Eigen::Ref<const Eigen::VectorXd>& ranges,
                             const Labels& labels = {}, const MorrisOptions& options = {});

}  // namespace tmex::analysis
