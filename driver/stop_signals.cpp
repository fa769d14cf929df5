// Async-signal-safe stop-signal handlers.
#include "driver/stop_signals.hpp"

#include <csignal>
#include <initializer_list>

namespace tmex::driver {

namespace {
volatile std::sig_atomic_t g_signal = 0;

extern "C" void record_signal(int sig) { g_signal = sig; }
}  // namespace

void install_stop_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = record_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: let blocking calls return so loops notice promptly
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) sigaction(sig, &sa, nullptr);
  // Past a file-size limit (ulimit -f) a write then fails with EFBIG, which the store reports
  // as a full disk, instead of the process being killed mid-transaction.
  std::signal(SIGXFSZ, SIG_IGN);
}

int caught_stop_signal() { return g_signal; }

void reset_stop_signal() { g_signal = 0; }

}  // namespace tmex::driver
