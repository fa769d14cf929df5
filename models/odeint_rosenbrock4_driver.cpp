// odeint's rosenbrock4 behind OdeintRosenbrock4Driver (this file is compiled as C++17).
#include "models/odeint_rosenbrock4_driver.hpp"

#include <boost/numeric/odeint/stepper/rosenbrock4.hpp>
#include <boost/numeric/odeint/stepper/rosenbrock4_controller.hpp>
#include <utility>

namespace tmex::models {

namespace odeint = boost::numeric::odeint;

namespace {
// rodas.f's d4; the name hides the base's member, which is what the stepper reads.
struct CorrectedCoefficients : odeint::default_rosenbrock_coefficients<double> {
  const double d4 = -0.3620000000000023e-01;
};
}  // namespace

struct OdeintRosenbrock4Driver::Impl {
  using Stepper = odeint::rosenbrock4<double, CorrectedCoefficients>;
  using Vector = Stepper::state_type;
  using Matrix = Stepper::matrix_type;

  struct RhsAdapter {
    const Impl* impl;
    void operator()(const Vector& x, Vector& dxdt, double t) const {
      impl->rhs(t, &x.data()[0], &dxdt.data()[0], impl->context);
    }
  };
  struct JacobianAdapter {
    const Impl* impl;
    void operator()(const Vector& x, Matrix& jac, double t, Vector& dfdt) const {
      impl->jacobian(t, &x.data()[0], &impl->jac_buffer[0], &dfdt.data()[0], impl->context);
      for (std::size_t r = 0; r < impl->n; ++r) {
        for (std::size_t c = 0; c < impl->n; ++c) jac(r, c) = impl->jac_buffer[r * impl->n + c];
      }
    }
  };

  Impl(std::size_t size, double atol, double rtol, Rhs f, Jacobian j, const void* ctx)
      : n(size),
        rhs(f),
        jacobian(j),
        context(ctx),
        controller(atol, rtol),
        x(size),
        x_old(size),
        jac_buffer(size * size) {}

  std::size_t n;
  Rhs rhs;
  Jacobian jacobian;
  const void* context;
  odeint::rosenbrock4_controller<Stepper> controller;
  Vector x, x_old;
  mutable std::vector<double> jac_buffer;
  double t_old = 0, t_new = 0;
};

OdeintRosenbrock4Driver::OdeintRosenbrock4Driver(std::size_t n, double atol, double rtol, Rhs rhs,
                                                 Jacobian jacobian, const void* context)
    : impl_(std::make_unique<Impl>(n, atol, rtol, rhs, jacobian, context)) {}

OdeintRosenbrock4Driver::~OdeintRosenbrock4Driver() = default;

bool OdeintRosenbrock4Driver::try_step(double* x, double& t, double& dt) {
  Impl& m = *impl_;
  for (std::size_t i = 0; i < m.n; ++i) m.x[i] = m.x_old[i] = x[i];
  const double t_start = t;
  auto system = std::make_pair(Impl::RhsAdapter{&m}, Impl::JacobianAdapter{&m});
  if (m.controller.try_step(system, m.x, t, dt) != odeint::success) return false;
  m.controller.stepper().prepare_dense_output();
  m.t_old = t_start;
  m.t_new = t;
  for (std::size_t i = 0; i < m.n; ++i) x[i] = m.x[i];
  return true;
}

void OdeintRosenbrock4Driver::state_at(double t, double* out) const {
  Impl& m = *impl_;
  Impl::Vector v(m.n);
  m.controller.stepper().calc_state(t, v, m.x_old, m.t_old, m.x, m.t_new);
  for (std::size_t i = 0; i < m.n; ++i) out[i] = v[i];
}

}  // namespace tmex::models
