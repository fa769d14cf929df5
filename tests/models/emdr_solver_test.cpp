// Numerical tests of the emdr solver: Jacobian, order of RODAS4, agreement with a tight
// reference solve of odeint's stock rosenbrock4 over Latin-hypercube points.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/emdr_model.hpp"
#include "models/emdr_parameters.hpp"
#include "models/emdr_reference.hpp"
#include "models/emdr_rodas4.hpp"
#include "models/emdr_system.hpp"
#include "sampling/distribution.hpp"
#include "sampling/latin_hypercube.hpp"
#include "tests/models/emdr_test_support.hpp"

namespace tmex::models {
namespace {

EmdrParameters baseline() {
  EmdrParameters p;
  std::vector<double> values;
  for (const auto& info : emdr_parameter_infos()) values.push_back(info.default_value);
  EXPECT_FALSE(read_emdr_parameters(values, p));
  return p;
}

// A segment with everything switched on: growth near capacity is off, but drug, antagonist,
// agents and every coupling act, so every Jacobian entry and both time dependences matter.
EmdrSystem busy_system(const EmdrParameters& p) {
  EmdrControls c;
  c.growth_rate = p.growth_rate;
  c.death_ratio = p.death_ratio;
  c.mutation_rate = 1e-3;  // large, so that the mutation terms are visible
  c.effects = {0.3, 0.2, 0.1, 0.4, 0.25};
  c.start_time = 0;
  c.drug_at_start = 10;
  c.antagonist_at_start = 0.8;
  return EmdrSystem(p, c, p.initial_burden);
}

// A residual-disease state: A well below A_max (1e8 cells = 0.01 in units of N0), so homing and
// detachment both act and the niche stays below capacity.
const EmdrState kBusyState = {1e-3, 2e-3, 1e-4, 3.0, 0.5, 0.4, 1e-3, 0.0};

TEST(EmdrSystem, AnalyticJacobianMatchesFiniteDifferences) {
  const EmdrParameters p = baseline();
  const EmdrSystem sys = busy_system(p);
  const double t = 0.3;
  EmdrJacobian jac;
  sys.jacobian(t, kBusyState, jac);
  EmdrState f_plus, f_minus;
  for (std::size_t j = 0; j < kEmdrBlockSize; ++j) {
    const double h = 1e-6 * std::max(1.0, std::abs(kBusyState[j]));
    EmdrState yp = kBusyState, ym = kBusyState;
    yp[j] += h;
    ym[j] -= h;
    sys.rhs(t, yp, f_plus);
    sys.rhs(t, ym, f_minus);
    for (std::size_t i = 0; i < kEmdrBlockSize; ++i) {
      const double fd = (f_plus[i] - f_minus[i]) / (2 * h);
      EXPECT_NEAR(jac.block[i][j], fd, 1e-6 * std::max(1.0, std::abs(fd))) << i << "," << j;
    }
    EXPECT_NEAR(jac.m_row[j], (f_plus[kM] - f_minus[kM]) / (2 * h), 1e-9) << j;
    EXPECT_NEAR(jac.q_row[j], (f_plus[kQ] - f_minus[kQ]) / (2 * h), 1e-9) << j;
  }
  const double dt = 1e-6;
  sys.rhs(t + dt, kBusyState, f_plus);
  sys.rhs(t - dt, kBusyState, f_minus);
  for (std::size_t i = 0; i < kEmdrBlockSize; ++i) {
    const double fd = (f_plus[i] - f_minus[i]) / (2 * dt);
    EXPECT_NEAR(jac.dfdt[i], fd, 1e-6 * std::max(1.0, std::abs(fd))) << i;
  }
}

// Integrates the busy segment over one day with fixed steps (tolerances too loose to reject).
EmdrState fixed_steps(const EmdrIntegrator& integrator, double h) {
  const EmdrParameters p = baseline();
  const EmdrSystem sys = busy_system(p);
  EmdrTolerances loose;
  loose.rtol = 1e30;
  loose.atol.fill(1e30);
  IntegrationBudget budget;
  budget.next_step = h;
  budget.max_step = h;
  EmdrState y = kBusyState;
  EXPECT_EQ(integrator.integrate(sys, loose, y, 0.0, 1.0, nullptr, budget), IntegrationStatus::kOk);
  return y;
}

TEST(Rodas4Integrator, ConvergesWithOrderFourOnANonAutonomousSegment) {
  // Reference: odeint's rosenbrock4 at relative tolerance 1e-13.
  const EmdrParameters p = baseline();
  const EmdrSystem sys = busy_system(p);
  EmdrState exact = kBusyState;
  IntegrationBudget budget;
  ASSERT_EQ(
      ReferenceIntegrator(1e-13).integrate(sys, EmdrTolerances{}, exact, 0.0, 1.0, nullptr, budget),
      IntegrationStatus::kOk);
  const Rodas4Integrator rodas;
  std::vector<double> errors;
  // Steps well inside the asymptotic range: the fastest rates (PGE2 turnover, detachment) are
  // tens per day.
  for (double h : {1.0 / 16, 1.0 / 32, 1.0 / 64}) {
    const EmdrState y = fixed_steps(rodas, h);
    double err = 0;
    for (std::size_t i = 0; i < kEmdrBlockSize; ++i) {
      err = std::max(err, std::abs(y[i] - exact[i]) / std::max(1.0, std::abs(exact[i])));
    }
    errors.push_back(err);
  }
  for (std::size_t k = 0; k + 1 < errors.size(); ++k) {
    const double order = std::log2(errors[k] / errors[k + 1]);
    EXPECT_GT(order, 3.6) << "errors " << errors[k] << " -> " << errors[k + 1];
    EXPECT_LT(order, 5.0);
  }
}

// The production solver agrees with a tight reference solve (odeint rosenbrock4, rtol 1e-10)
// to 1e-4 in log10 burdens, log_kill and fractions wherever N(T) >= 1e3 cells.
TEST(Rodas4Integrator, AgreesWithTightReferenceOverLatinHypercube) {
  const emdr_testing::EmdrRunner fast;
  const emdr_testing::EmdrRunner reference(ModelSpec{}, EmdrSolver::kReference);
  const auto ranges = emdr_sampled_ranges();
  std::vector<sampling::Distribution> marginals;
  for (const auto& r : ranges) {
    marginals.push_back(r.log_uniform ? sampling::Distribution::log_uniform(r.min, r.max)
                                      : sampling::Distribution::uniform(r.min, r.max));
  }
  const std::uint64_t n = 24;
  const sampling::LatinHypercube lhs(n, ranges.size(), 7);
  const auto& outputs = fast.model().info().outputs;
  std::vector<double> unit(ranges.size());
  int compared = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    lhs.unit_point(i, unit);
    std::vector<double> values = fast.defaults();
    for (std::size_t j = 0; j < ranges.size(); ++j) values[j] = marginals[j].quantile(unit[j]);
    EvalResult a, b;
    fast.model().evaluate(values, EvalContext{}, a);
    reference.model().evaluate(values, EvalContext{}, b);
    ASSERT_EQ(a.status, EvalStatus::kOk) << "point " << i << ": " << a.reason;
    ASSERT_EQ(b.status, EvalStatus::kOk) << "point " << i << ": " << b.reason;
    if (b.outputs[0] < 1e3) continue;
    ++compared;
    for (const char* name :
         {"log10_final_burden", "log_kill", "resistant_fraction", "adhered_fraction_0",
          "adhered_fraction_T", "log10_auc_burden", "log10_expected_mutations"}) {
      const std::size_t k = *fast.model().info().output_index(name);
      EXPECT_NEAR(a.outputs[k], b.outputs[k], 1e-4) << outputs[k].name << " at point " << i;
    }
  }
  EXPECT_GT(compared, static_cast<int>(n) / 2);
}

}  // namespace
}  // namespace tmex::models
