// Process-wide record of the stop signals (SIGINT, SIGTERM, SIGUSR1) a rank has caught.
#pragma once

namespace tmex::driver {

/// Installs handlers for SIGINT, SIGTERM and SIGUSR1 that only record the signal; the
/// campaign loops poll caught_stop_signal(); SIGXFSZ is ignored so that a file-size limit
/// becomes a storage error. Idempotent.
void install_stop_signal_handlers();

/// The last stop signal caught (0 if none).
int caught_stop_signal();

/// Clears the record (tests).
void reset_stop_signal();

}  // namespace tmex::driver
