// Session provenance from the build (driver/build_info.hpp) and the running process.
#include "driver/provenance.hpp"

#include <gnu/libc-version.h>
#include <mpi.h>
#include <sys/utsname.h>

#include <boost/version.hpp>
#include <cctype>
#include <set>

#include "driver/build_info.hpp"
#include "driver/version.hpp"
#include "storage/database.hpp"

namespace tmex::driver {

namespace {

std::string mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  if (MPI_Get_library_version(text, &length) != MPI_SUCCESS) return "unknown";
  std::string v(text, static_cast<std::size_t>(std::max(0, length)));
  // Open MPI's text is one line plus a repository line; the first says enough.
  if (const auto eol = v.find_first_of("\r\n"); eol != std::string::npos) v.resize(eol);
  while (!v.empty() && (v.back() == ',' || v.back() == '\0' ||
                        std::isspace(static_cast<unsigned char>(v.back())))) {
    v.pop_back();
  }
  return v.empty() ? "unknown" : v;
}

std::string mpi_standard() {
  int version = 0, subversion = 0;
  if (MPI_Get_version(&version, &subversion) != MPI_SUCCESS) return "unknown";
  return std::to_string(version) + "." + std::to_string(subversion);
}

std::string system_name() {
  utsname u{};
  if (::uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

std::string boost_version() {
  return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
         "." + std::to_string(BOOST_VERSION % 100);
}

std::string or_unknown(const char* s) { return s && *s ? s : "unknown"; }

}  // namespace

std::string model_version(const models::Model& model) {
  return model.info().name + " " + std::to_string(model.info().version);
}

storage::KeyValues collect_provenance(const models::Model& model,
                                      const std::vector<std::string>& rank_hosts) {
  const std::set<std::string> unique(rank_hosts.begin(), rank_hosts.end());
  std::string hosts;
  for (const auto& h : unique) hosts += (hosts.empty() ? "" : ",") + h;
  return {
      {"tmex_version", kVersion},
      {"tmex_commit", or_unknown(build_info::kSourceCommit)},
      {"tmex_commit_dirty", or_unknown(build_info::kSourceDirty)},
      {"build_type", or_unknown(build_info::kBuildType)},
      {"compiler", or_unknown(build_info::kCompiler)},
      {"cxx_flags", build_info::kCxxFlags},
      {"cxx_standard", or_unknown(build_info::kCxxStandard)},
      {"boost", boost_version()},
      {"yaml_cpp", or_unknown(build_info::kYamlCpp)},
      {"sqlite", storage::sqlite_library_version()},
      {"sqlite_headers", or_unknown(build_info::kSqliteHeaders)},
      {"mpi_library", mpi_library_version()},
      {"mpi_standard", mpi_standard()},
      {"libc", std::string("glibc ") + gnu_get_libc_version()},
      {"system", system_name()},
      {"hosts", hosts.empty() ? "unknown" : hosts},
      {"model", model.info().name},
      {"model_version", model_version(model)},
  };
}

}  // namespace tmex::driver
