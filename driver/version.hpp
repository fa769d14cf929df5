// The tmex version string, recorded in every store and session.
#pragma once

namespace tmex::driver {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace tmex::driver
