// The emdr driver: schedule, segments, burn-in, extinction, nadir/relapse tracking and outputs.
#include "models/emdr_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "models/emdr_system.hpp"

namespace tmex::models {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kBurnInLooseness = 100;

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

// Controls of the segment with this midpoint: agents act during therapy only (t < t_E).
EmdrControls treatment_controls(const EmdrParameters& p, const EmdrOptions& options,
                                double midpoint, double therapy_end) {
  EmdrControls c;
  c.growth_rate = p.growth_rate;
  c.death_ratio = p.death_ratio;
  c.mutation_rate = p.mutation_rate;
  const bool in_therapy = midpoint < therapy_end;
  const bool in_window = in_therapy && in_peri_window(p, midpoint);
  for (std::size_t i = 0; i < kAgentCount; ++i) {
    const auto schedule = options.schedules[i];
    const bool acts = (schedule == AgentSchedule::kContinuous && in_therapy) ||
                      (schedule == AgentSchedule::kPeri && in_window);
    c.effects[i] = acts ? agent_effect(p, Agent(i)) : 0.0;
  }
  return c;
}

// The antagonist added by one dose: peak occupancy b_X = X0 / (1 + X0).
double antagonist_dose(const EmdrParameters& p) { return p.cxcr4_block / (1 - p.cxcr4_block); }

bool pulsed_antagonist(const EmdrParameters& p, const EmdrOptions& options) {
  return options.antagonist == AntagonistSchedule::kPulsed && p.cxcr4_block > 0;
}

bool continuous_antagonist(const EmdrParameters& p, const EmdrOptions& options) {
  return options.antagonist == AntagonistSchedule::kContinuous && p.cxcr4_block > 0;
}

// Tracks min N and its time, the first return to the detection limit after the end of
// therapy, and records trajectories, on the dense output of every accepted step.
class TreatmentObserver final : public EmdrStepObserver {
 public:
  TreatmentObserver(double n_start, double detection_level, std::span<const double> times,
                    const EmdrState& y0, double cell_scale, std::vector<double>& trajectories)
      : min_n_(n_start),
        detection_(detection_level),
        times_(times),
        cell_scale_(cell_scale),
        trajectories_(trajectories) {
    while (next_time_ < times_.size() && times_[next_time_] <= 0) record(next_time_++, y0);
  }

  void on_step(const EmdrDenseStep& step) override {
    const double t0 = step.t0(), t1 = step.t1();
    record_trajectories(step);
    // Sample the interpolant only where a new minimum or a relapse is possible on this step.
    double lowest = 0, highest = 0;
    step.burden_bounds(lowest, highest);
    const bool may_relapse = following_up_ && !relapse_found_ && highest >= detection_;
    if (!(lowest < min_n_) && !may_relapse) return;
    // The start is the previous step's end, already seen.
    double values[kSamples + 1];
    values[0] = step.scaled_burden_at(t0);
    std::size_t best = 0;
    for (std::size_t i = 1; i <= kSamples; ++i) {
      values[i] = step.scaled_burden_at(sample_time(t0, t1, i));
      if (values[i] < values[best]) best = i;
    }
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
    }
    if (may_relapse) {
      double lo = t0;
      for (std::size_t i = 1; i <= kSamples; ++i) {
        const double ti = sample_time(t0, t1, i);
        if (values[i] >= detection_) {
          relapse_t_ = bisect_crossing(step, lo, ti);
          relapse_found_ = true;
          break;
        }
        lo = ti;
      }
    }
  }

  void record_trajectories(const EmdrDenseStep& step) {
    EmdrState y;
    while (next_time_ < times_.size() && times_[next_time_] <= step.t1()) {
      step.state_at(times_[next_time_], y);
      record(next_time_++, y);
    }
  }

  /// The tumour went extinct at t: N = 0 from then on.
  void on_extinction(double t) {
    if (min_n_ > 0) {
      min_n_ = 0;
      min_t_ = t;
    }
  }

  /// Therapy ended at t with burden n (cell_scale units): relapse is looked for from here on,
  /// and is immediate when the tumour is still detectable.
  void start_follow_up(double t, double n) {
    following_up_ = true;
    if (n >= detection_) {
      relapse_found_ = true;
      relapse_t_ = t;
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

  // First t in (lo, hi] with N(t) >= the detection limit, given N(lo) below and N(hi) at or
  // above it.
  double bisect_crossing(const EmdrDenseStep& step, double lo, double hi) const {
    for (int it = 0; it < 80 && hi - lo > 1e-13 * std::max(1.0, std::abs(hi)); ++it) {
      const double mid = 0.5 * (lo + hi);
      if (step.scaled_burden_at(mid) >= detection_) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  void record(std::size_t j, const EmdrState& y) {
    const std::size_t n = times_.size();
    const double f = std::max(0.0, y[kF]), a = std::max(0.0, y[kA]), r = std::max(0.0, y[kR]);
    trajectories_[0 * n + j] = cell_scale_ * (f + a + r);
    trajectories_[1 * n + j] = cell_scale_ * f;
    trajectories_[2 * n + j] = cell_scale_ * a;
    trajectories_[3 * n + j] = cell_scale_ * r;
    trajectories_[4 * n + j] = y[kL];
    trajectories_[5 * n + j] = y[kZ];
  }

  double min_n_;
  double min_t_ = 0;
  double detection_;
  bool following_up_ = false;
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
    case IntegrationStatus::kExtinct:
      return "extinct";
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

// Cell compartments of a state read as non-negative (a solver may leave a compartment a
// fraction of a cell below zero, inside its absolute tolerance).
struct Cells {
  double f, a, r;
  explicit Cells(const EmdrState& y)
      : f(std::max(0.0, y[kF])), a(std::max(0.0, y[kA])), r(std::max(0.0, y[kR])) {}
  double n() const { return f + a + r; }
};

double fraction_of(double part, double whole) { return whole > 0 ? part / whole : 0.0; }

}  // namespace

double emdr_therapy_end(const EmdrParameters& p) { return p.n_cycles * p.cycle_length; }

std::vector<double> emdr_breakpoints(const EmdrParameters& p, const EmdrOptions& options) {
  std::vector<double> out;
  const std::size_t n = relevant_boluses(p);
  const bool windows = any_peri_agent(p, options);
  const bool pulses = pulsed_antagonist(p, options);
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
  add(emdr_therapy_end(p));
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

double emdr_antagonist_at(const EmdrParameters& p, const EmdrOptions& options, double t) {
  double x = 0;
  if (continuous_antagonist(p, options)) {
    const double end = emdr_therapy_end(p);
    if (end <= 0 || t < 0) return 0.0;
    return t < end ? antagonist_dose(p) : antagonist_dose(p) * std::exp(-p.cxcr4_decay * (t - end));
  }
  if (!pulsed_antagonist(p, options)) return x;
  const std::size_t n = relevant_boluses(p);
  for (std::size_t j = 0; j < n; ++j) {
    const double start = static_cast<double>(j) * p.cycle_length - p.cxcr4_lead;
    if (start <= t) x += antagonist_dose(p) * std::exp(-p.cxcr4_decay * (t - start));
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

  // Tolerances that meet 1e-4 against a tight reference (emdr.md "Numerics"), in scaled units.
  // A small absolute tolerance on cells (1e-5 cells) keeps tumours regrowing from a few cells
  // accurate; it costs almost no steps.
  constexpr double kCellAtol = 1e-5;  // cells
  EmdrTolerances tol;
  tol.rtol = 5e-5;
  tol.atol[kF] = tol.atol[kA] = tol.atol[kQ] = kCellAtol / scale;
  tol.atol[kR] = std::max(std::min(kCellAtol, 1e-3 * r0), 1e-12) / scale;
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
    if (s == IntegrationStatus::kOk || s == IntegrationStatus::kExtinct) return false;
    const EvalStatus status = s == IntegrationStatus::kTimeout     ? EvalStatus::kTimeout
                              : s == IntegrationStatus::kNonFinite ? EvalStatus::kNonFinite
                                                                   : EvalStatus::kSolverFailure;
    result.fail(status, std::string(describe(s)) + where(phase, t));
    return true;
  };

  if (p.burn_in > 0) {
    const EmdrSystem frozen(p, EmdrControls{}, scale);
    // The burn-in only has to arrive at the stable equilibrium it relaxes to; its transient is
    // forgotten, so it runs at 100 x looser tolerances (1,000 x moved log_kill by 2e-4).
    EmdrTolerances loose = tol;
    loose.rtol *= kBurnInLooseness;
    for (double& a : loose.atol) a *= kBurnInLooseness;
    const auto s = integrator.integrate(frozen, loose, y, -p.burn_in, 0.0, nullptr, budget);
    if (failed(s, "burn-in", -p.burn_in)) return;
  }
  y[kQ] = 0;
  const Cells start(y);
  const double n_start = start.n();
  const double adhered_0 = fraction_of(start.a, n_start);
  const double detection = p.detection_limit / scale;

  TreatmentObserver observer(n_start, detection, trajectory_times, y, scale, result.trajectories);

  // The tumour is extinct once fewer than one cell is left (emdr.md "Extinction").
  bool extinct = n_start < 1 / scale;
  if (extinct) {
    y[kF] = y[kA] = y[kR] = 0;
    observer.on_extinction(0);
  } else {
    budget.extinction_level = 1 / scale;
  }

  // Segment ends: 0, the breakpoints, T. Boluses and antagonist doses are breakpoints, so they
  // are met exactly at segment starts, where C and X jump; in between both are exponentials.
  const double therapy_end = std::min(emdr_therapy_end(p), p.horizon);
  EmdrState residual = y;
  bool residual_taken = false;
  auto take_residual = [&](double t) {
    residual = y;
    residual_taken = true;
    observer.start_follow_up(t, Cells(y).n());
  };
  if (therapy_end <= 0) take_residual(0);

  std::vector<double> ends = emdr_breakpoints(p, options);
  ends.push_back(p.horizon);
  const std::size_t n_boluses = relevant_boluses(p);
  std::size_t next_bolus = 0, next_pulse = 0;
  double c_exact = 0, x_exact = 0, t_exact = 0;
  const bool pulses = pulsed_antagonist(p, options);
  const bool held = continuous_antagonist(p, options) && therapy_end > 0;
  if (held) x_exact = antagonist_dose(p);
  // Doses that came before t = 0 enter at t = 0 already decayed.
  while (pulses && next_pulse < n_boluses &&
         static_cast<double>(next_pulse) * p.cycle_length - p.cxcr4_lead <= 0) {
    const double start_j = static_cast<double>(next_pulse) * p.cycle_length - p.cxcr4_lead;
    x_exact += antagonist_dose(p) * std::exp(p.cxcr4_decay * start_j);
    ++next_pulse;
  }

  double a = 0;
  for (const double b : ends) {
    if (!(b > a)) continue;
    // Advance the closed forms to a, then add what starts at a. A held antagonist stays
    // constant until the end of therapy and is then eliminated.
    c_exact *= std::exp(-p.drug_clearance * (a - t_exact));
    const bool x_constant = held && a < therapy_end;
    if (!(held && t_exact < therapy_end)) {
      x_exact *= std::exp(-p.cxcr4_decay * (a - t_exact));
    }
    t_exact = a;
    while (next_bolus < n_boluses && static_cast<double>(next_bolus) * p.cycle_length <= a) {
      c_exact += p.dose;
      ++next_bolus;
      budget.restart = true;
    }
    while (pulses && next_pulse < n_boluses &&
           static_cast<double>(next_pulse) * p.cycle_length - p.cxcr4_lead <= a) {
      x_exact += antagonist_dose(p);
      ++next_pulse;
      budget.restart = true;
    }
    if (held && a == therapy_end) budget.restart = true;
    EmdrControls controls = treatment_controls(p, options, 0.5 * (a + b), therapy_end);
    controls.start_time = a;
    controls.drug_at_start = c_exact;
    controls.antagonist_at_start = x_exact;
    controls.antagonist_decays = !x_constant;
    double s = a;
    while (s < b) {
      controls.extinct = extinct;
      const EmdrSystem system(p, controls, scale);
      const auto st = integrator.integrate(system, tol, y, s, b, &observer, budget);
      if (failed(st, "treatment", a)) return;
      if (st != IntegrationStatus::kExtinct) break;
      // Fewer than one cell: every cell compartment is zero from here on.
      extinct = true;
      s = budget.event_time;
      y[kF] = y[kA] = y[kR] = 0;
      observer.on_extinction(s);
      budget.extinction_level = 0;
      budget.restart = true;
    }
    a = b;
    if (!residual_taken && a >= therapy_end) take_residual(a);
  }

  observer.finish(y);
  const Cells fin(y), res(residual);
  const double n_t = fin.n(), n_e = res.n();
  const double pi_r = std::max(0.0, 1 - p.death_ratio / (1 - p.resistance_cost));
  const double mutations = scale * y[kM];
  // Burdens below one cell (an extinct tumour: 0) read as one cell in log outputs.
  auto log10_cells = [&](double n_scaled) { return std::log10(std::max(scale * n_scaled, 1.0)); };
  auto& out = result.outputs;
  out[kFinalBurden] = scale * n_t;
  out[kLog10FinalBurden] = log10_cells(n_t);
  out[kResidualBurden] = scale * n_e;
  out[kLog10ResidualBurden] = log10_cells(n_e);
  out[kLogKill] = std::log10(scale * n_start) - log10_cells(observer.min_n());
  out[kNadirTime] = observer.min_t();
  out[kTimeToRelapse] = (observer.relapse_found() ? observer.relapse_t() : p.horizon) - therapy_end;
  out[kRelapseCensored] = observer.relapse_found() ? 0.0 : 1.0;
  out[kRelapsed] = observer.relapse_found() ? 1.0 : 0.0;
  out[kCured] = extinct ? 1.0 : 0.0;
  out[kResistantFraction] = fraction_of(fin.r, n_t);
  out[kResistantFractionResidual] = fraction_of(res.r, n_e);
  out[kAdheredFraction0] = adhered_0;
  out[kAdheredFractionResidual] = fraction_of(res.a, n_e);
  out[kAdheredFractionT] = fraction_of(fin.a, n_t);
  out[kExpectedMutations] = mutations;
  out[kLog10ExpectedMutations] = std::log10(mutations);
  out[kPResistance] = 1 - std::exp(-pi_r * mutations);
  out[kLog10AucBurden] = std::log10(scale * y[kQ]);
}

}  // namespace tmex::models
