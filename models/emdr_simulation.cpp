// The emdr treatment driver: schedule, segments, burn-in, nadir/relapse tracking and outputs.
#include "models/emdr_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "models/emdr_system.hpp"

namespace tmex::models {

namespace {

constexpr double kMaxAntagonism = 0.99;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kBurnInLooseness = 10;

// Boluses that can matter before T: a later one's window or pulse starts after T.
std::size_t relevant_boluses(const EmdrParameters& p) {
  if (p.n_cycles <= 0) return 0;
  const double lead = std::max({p.peri_before, p.cxcr4_lead, 0.0});
  const double fit = std::floor((p.horizon + lead) / p.cycle_length) + 1;
  return static_cast<std::size_t>(std::min(p.n_cycles, fit));
}

double agent_effect(const EmdrParameters& p, Agent agent) {
  switch (agent) {
    case Agent::kIntegrin:
      return p.integrin_block;
    case Agent::kIl6:
      return p.il6_block;
    case Agent::kCox2:
      return p.cox2_block;
    case Agent::kVegf:
      return p.vegf_block;
    case Agent::kNfkb:
      return p.nfkb_block;
  }
  return 0;
}

bool any_peri_agent(const EmdrParameters& p, const EmdrOptions& options) {
  for (std::size_t i = 0; i < kAgentCount; ++i) {
    if (options.schedules[i] == AgentSchedule::kPeri && agent_effect(p, Agent(i)) > 0) {
      return true;
    }
  }
  return false;
}

// True when t lies in some window [t_j - peri_before, t_j + peri_after].
bool in_peri_window(const EmdrParameters& p, double t) {
  if (p.n_cycles <= 0) return false;
  const double lo = std::max(0.0, std::ceil((t - p.peri_after) / p.cycle_length));
  const double hi = std::min(p.n_cycles - 1, std::floor((t + p.peri_before) / p.cycle_length));
  return lo <= hi;
}

EmdrControls treatment_controls(const EmdrParameters& p, const EmdrOptions& options,
                                double midpoint) {
  EmdrControls c;
  c.growth_rate = p.growth_rate;
  c.death_ratio = p.death_ratio;
  c.mutation_rate = p.mutation_rate;
  const bool in_window = in_peri_window(p, midpoint);
  for (std::size_t i = 0; i < kAgentCount; ++i) {
    const auto schedule = options.schedules[i];
    const bool acts =
        schedule == AgentSchedule::kContinuous || (schedule == AgentSchedule::kPeri && in_window);
    c.effects[i] = acts ? agent_effect(p, Agent(i)) : 0.0;
  }
  return c;
}

// Tracks min N, its time and the first return to N(0) after it on the dense output of every
// accepted step, and records trajectories.
class TreatmentObserver final : public EmdrStepObserver {
 public:
  TreatmentObserver(double n_start, std::span<const double> times, const EmdrState& y0,
                    double cell_scale, std::vector<double>& trajectories)
      : n_start_(n_start),
        min_n_(n_start),
        times_(times),
        cell_scale_(cell_scale),
        trajectories_(trajectories) {
    // N(t) = N(0) at the nadir candidate t = 0, so the relapse time is 0 until a lower N shows.
    relapse_found_ = true;
    relapse_t_ = 0;
    while (next_time_ < times_.size() && times_[next_time_] <= 0) record(next_time_++, y0);
  }

  void on_step(const EmdrDenseStep& step) override {
    const double t0 = step.t0(), t1 = step.t1();
    // Sample the interpolant; the start is the previous step's end, already seen.
    double values[kSamples + 1];
    values[0] = step.scaled_burden_at(t0);
    std::size_t best = 0;
    for (std::size_t i = 1; i <= kSamples; ++i) {
      values[i] = step.scaled_burden_at(sample_time(t0, t1, i));
      if (values[i] < values[best]) best = i;
    }
    double search_from = t0;
    std::size_t first_sample = 1;
    if (values[best] < min_n_) {
      double t_min = sample_time(t0, t1, best);
      double n_min = values[best];
      if (best > 0 && best < kSamples) {
        double t_ref = t_min, n_ref = n_min;
        refine_minimum(step, sample_time(t0, t1, best - 1), sample_time(t0, t1, best + 1), t_ref,
                       n_ref);
        if (n_ref < n_min) {
          t_min = t_ref;
          n_min = n_ref;
        }
      }
      min_n_ = n_min;
      min_t_ = t_min;
      relapse_found_ = false;
      search_from = t_min;
      first_sample = best + 1;
    }
    if (!relapse_found_) {
      double lo = search_from;
      for (std::size_t i = first_sample; i <= kSamples; ++i) {
        const double ti = sample_time(t0, t1, i);
        if (ti <= lo) continue;
        if (values[i] >= n_start_) {
          relapse_t_ = bisect_crossing(step, lo, ti);
          relapse_found_ = true;
          break;
        }
        lo = ti;
      }
    }
    EmdrState y;
    while (next_time_ < times_.size() && times_[next_time_] <= t1) {
      step.state_at(times_[next_time_], y);
      record(next_time_++, y);
    }
  }

  /// Records trajectory times not reached by any step (a final sliver) from the end state.
  void finish(const EmdrState& y_end) {
    while (next_time_ < times_.size()) record(next_time_++, y_end);
  }

  double min_n() const { return min_n_; }
  double min_t() const { return min_t_; }
  bool relapse_found() const { return relapse_found_; }
  double relapse_t() const { return relapse_t_; }

 private:
  static constexpr std::size_t kSamples = 8;

  static double sample_time(double t0, double t1, std::size_t i) {
    return i == kSamples ? t1 : t0 + (t1 - t0) * static_cast<double>(i) / kSamples;
  }

  // Golden-section search for the minimum of N on [a, b].
  static void refine_minimum(const EmdrDenseStep& step, double a, double b, double& t_min,
                             double& n_min) {
    const double r = 0.5 * (std::sqrt(5.0) - 1);
    double c = b - r * (b - a), d = a + r * (b - a);
    double fc = step.scaled_burden_at(c), fd = step.scaled_burden_at(d);
    for (int it = 0; it < 60 && b - a > 1e-12 * std::max(1.0, std::abs(b)); ++it) {
      if (fc < fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - r * (b - a);
        fc = step.scaled_burden_at(c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + r * (b - a);
        fd = step.scaled_burden_at(d);
      }
    }
    t_min = fc < fd ? c : d;
    n_min = std::min(fc, fd);
  }

  // First t in (lo, hi] with N(t) >= N(0), given N(lo) < N(0) <= N(hi).
  double bisect_crossing(const EmdrDenseStep& step, double lo, double hi) const {
    for (int it = 0; it < 80 && hi - lo > 1e-13 * std::max(1.0, std::abs(hi)); ++it) {
      const double mid = 0.5 * (lo + hi);
      if (step.scaled_burden_at(mid) >= n_start_) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  void record(std::size_t j, const EmdrState& y) {
    const std::size_t n = times_.size();
    trajectories_[0 * n + j] = cell_scale_ * (y[kF] + y[kA] + y[kR]);
    trajectories_[1 * n + j] = cell_scale_ * y[kF];
    trajectories_[2 * n + j] = cell_scale_ * y[kA];
    trajectories_[3 * n + j] = cell_scale_ * y[kR];
    trajectories_[4 * n + j] = y[kL];
    trajectories_[5 * n + j] = y[kZ];
  }

  double n_start_;
  double min_n_;
  double min_t_ = 0;
  bool relapse_found_ = false;
  double relapse_t_ = 0;
  std::span<const double> times_;
  std::size_t next_time_ = 0;
  double cell_scale_;
  std::vector<double>& trajectories_;
};

const char* describe(IntegrationStatus s) {
  switch (s) {
    case IntegrationStatus::kOk:
      return "ok";
    case IntegrationStatus::kStepCollapse:
      return "step size collapsed";
    case IntegrationStatus::kNonFinite:
      return "state became non-finite";
    case IntegrationStatus::kTooManySteps:
      return "too many steps";
    case IntegrationStatus::kTimeout:
      return "deadline passed";
  }
  return "unknown";
}

std::string where(const char* phase, double t) {
  char buf[96];
  std::snprintf(buf, sizeof buf, " in the %s segment starting at t = %.6g days", phase, t);
  return buf;
}

}  // namespace

std::vector<double> emdr_breakpoints(const EmdrParameters& p, const EmdrOptions& options) {
  std::vector<double> out;
  const std::size_t n = relevant_boluses(p);
  const bool windows = any_peri_agent(p, options);
  const bool pulses = p.cxcr4_block > 0;
  auto add = [&](double t) {
    if (t > 0 && t < p.horizon) out.push_back(t);
  };
  for (std::size_t j = 0; j < n; ++j) {
    const double tj = static_cast<double>(j) * p.cycle_length;
    add(tj);
    if (windows) {
      add(tj - p.peri_before);
      add(tj + p.peri_after);
    }
    if (pulses) add(tj - p.cxcr4_lead);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double emdr_drug_at(const EmdrParameters& p, double t) {
  double c = 0;
  const std::size_t n = relevant_boluses(p);
  for (std::size_t j = 0; j < n; ++j) {
    const double tj = static_cast<double>(j) * p.cycle_length;
    if (tj <= t) c += p.dose * std::exp(-p.drug_clearance * (t - tj));
  }
  return c;
}

double emdr_antagonist_at(const EmdrParameters& p, double t) {
  double x = 0;
  if (!(p.cxcr4_block > 0)) return x;
  const std::size_t n = relevant_boluses(p);
  for (std::size_t j = 0; j < n; ++j) {
    const double start = static_cast<double>(j) * p.cycle_length - p.cxcr4_lead;
    if (start <= t) x += p.cxcr4_block * std::exp(-p.cxcr4_decay * (t - start));
  }
  return x;
}

void simulate_emdr(const EmdrParameters& p, const EmdrOptions& options,
                   std::span<const double> trajectory_times, const EmdrIntegrator& integrator,
                   const EvalContext& context, EvalResult& result) {
  result.outputs.assign(kEmdrOutputCount, kNaN);
  result.trajectories.assign(kEmdrTrajectoryVariables * trajectory_times.size(), kNaN);
  if (!trajectory_times.empty() && trajectory_times.back() > p.horizon) {
    result.fail(EvalStatus::kInvalidParameters,
                "trajectory time " + std::to_string(trajectory_times.back()) +
                    " lies beyond horizon = " + std::to_string(p.horizon));
    return;
  }

  const double n0 = p.initial_burden;
  const double scale = n0;  // cell-valued components are in units of N0
  const double r0 = p.mutation_rate * n0 * std::log(n0);
  const double m0 = p.mutation_rate * n0 / (1 - p.death_ratio);

  // MODEL.md's tolerances that met 1e-4 against a tight reference, in scaled units.
  EmdrTolerances tol;
  tol.rtol = 3e-5;
  tol.atol[kF] = tol.atol[kA] = tol.atol[kQ] = 1e-2 / scale;
  tol.atol[kR] = std::max(std::min(1e-2, 1e-3 * r0), 1e-12) / scale;
  tol.atol[kL] = tol.atol[kP] = tol.atol[kZ] = 1e-5;
  tol.atol[kM] = std::max(1e-6 * m0, 1e-12) / scale;

  EmdrState y{};
  y[kF] = (n0 - r0) / scale;
  y[kR] = r0 / scale;
  y[kL] = 1;
  y[kM] = m0 / scale;

  IntegrationBudget budget;
  budget.context = &context;
  auto failed = [&](IntegrationStatus s, const char* phase, double t) {
    if (s == IntegrationStatus::kOk) return false;
    const EvalStatus status = s == IntegrationStatus::kTimeout     ? EvalStatus::kTimeout
                              : s == IntegrationStatus::kNonFinite ? EvalStatus::kNonFinite
                                                                   : EvalStatus::kSolverFailure;
    result.fail(status, std::string(describe(s)) + where(phase, t));
    return true;
  };

  if (p.burn_in > 0) {
    const EmdrSystem frozen(p, EmdrControls{}, scale);
    // The burn-in only has to arrive at the stable equilibrium it relaxes to; its transient is
    // forgotten, so it runs at 10 x looser tolerances (outputs moved by < 2e-6 over 1,000 LHS
    // points).
    EmdrTolerances loose = tol;
    loose.rtol *= kBurnInLooseness;
    for (double& a : loose.atol) a *= kBurnInLooseness;
    const auto s = integrator.integrate(frozen, loose, y, -p.burn_in, 0.0, nullptr, budget);
    if (failed(s, "burn-in", -p.burn_in)) return;
  }
  y[kQ] = 0;
  const double n_start = y[kF] + y[kA] + y[kR];
  const double adhered_0 = y[kA] / n_start;

  TreatmentObserver observer(n_start, trajectory_times, y, scale, result.trajectories);

  // Segment ends: 0, the breakpoints, T. Boluses and pulse starts are breakpoints, so they
  // are met exactly at segment starts, where C and X jump; in between both are exponentials.
  std::vector<double> ends = emdr_breakpoints(p, options);
  ends.push_back(p.horizon);
  const std::size_t n_boluses = relevant_boluses(p);
  std::size_t next_bolus = 0, next_pulse = 0;
  double c_exact = 0, x_exact = 0, t_exact = 0;
  const bool pulses = p.cxcr4_block > 0;
  // Pulses that started before t = 0 enter at t = 0 already decayed.
  while (pulses && next_pulse < n_boluses &&
         static_cast<double>(next_pulse) * p.cycle_length - p.cxcr4_lead <= 0) {
    const double start = static_cast<double>(next_pulse) * p.cycle_length - p.cxcr4_lead;
    x_exact += p.cxcr4_block * std::exp(p.cxcr4_decay * start);
    ++next_pulse;
  }

  double a = 0;
  for (const double b : ends) {
    if (!(b > a)) continue;
    // Advance the closed forms to a, then add what starts at a.
    c_exact *= std::exp(-p.drug_clearance * (a - t_exact));
    x_exact *= std::exp(-p.cxcr4_decay * (a - t_exact));
    t_exact = a;
    while (next_bolus < n_boluses && static_cast<double>(next_bolus) * p.cycle_length <= a) {
      c_exact += p.dose;
      ++next_bolus;
      budget.restart = true;
    }
    while (pulses && next_pulse < n_boluses &&
           static_cast<double>(next_pulse) * p.cycle_length - p.cxcr4_lead <= a) {
      x_exact += p.cxcr4_block;
      ++next_pulse;
      budget.restart = true;
    }
    const EmdrControls base = treatment_controls(p, options, 0.5 * (a + b));
    // e_X = min(0.99, X) has a kink where the decaying X falls through 0.99: split there.
    double s = a;
    while (s < b) {
      EmdrControls controls = base;
      controls.start_time = s;
      controls.drug_at_start = c_exact * std::exp(-p.drug_clearance * (s - t_exact));
      controls.antagonist_at_start = x_exact * std::exp(-p.cxcr4_decay * (s - t_exact));
      double e = b;
      if (controls.antagonist_at_start > kMaxAntagonism) {
        controls.cxcr4_capped = true;
        if (p.cxcr4_decay > 0) {
          e = std::min(b,
                       s + std::log(controls.antagonist_at_start / kMaxAntagonism) / p.cxcr4_decay);
        }
        if (!(e > s)) e = b;
      }
      const EmdrSystem system(p, controls, scale);
      const auto st = integrator.integrate(system, tol, y, s, e, &observer, budget);
      if (failed(st, "treatment", s)) return;
      s = e;
    }
    a = b;
  }

  observer.finish(y);
  const double n_t = scale * (y[kF] + y[kA] + y[kR]);
  const double pi_r = std::max(0.0, 1 - p.death_ratio / (1 - p.resistance_cost));
  const double mutations = scale * y[kM];
  auto& out = result.outputs;
  out[kFinalBurden] = n_t;
  out[kLog10FinalBurden] = std::log10(n_t);
  out[kLogKill] = std::log10(n_start / observer.min_n());
  out[kNadirTime] = observer.min_t();
  out[kTimeToRelapse] = observer.relapse_found() ? observer.relapse_t() : p.horizon;
  out[kRelapsed] = observer.relapse_found() ? 1.0 : 0.0;
  out[kResistantFraction] = scale * y[kR] / n_t;
  out[kAdheredFraction0] = adhered_0;
  out[kAdheredFractionT] = scale * y[kA] / n_t;
  out[kExpectedMutations] = mutations;
  out[kLog10ExpectedMutations] = std::log10(mutations);
  out[kPResistance] = 1 - std::exp(-pi_r * mutations);
  out[kLog10AucBurden] = std::log10(scale * y[kQ]);
  out[kCured] = n_t < 1 ? 1.0 : 0.0;
}

}  // namespace tmex::models
