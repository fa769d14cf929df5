// Turning the exception a setup step failed with into one line and an exit status.
#include "driver/errors.hpp"

#include <cstdio>
#include <exception>

#include "storage/database.hpp"

namespace tmex::driver {

int report_setup_failure() {
  try {
    throw;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    return kExitUsage;
  } catch (const storage::StorageError& e) {
    std::fprintf(stderr, "tmex: storage error: %s\n", e.what());
    return kExitError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tmex: error: %s\n", e.what());
    return kExitError;
  }
}

}  // namespace tmex::driver
