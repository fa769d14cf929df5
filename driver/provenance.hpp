// What produced a session's rows: tmex build, compiler, libraries, hosts, model version.
#pragma once

#include <string>
#include <vector>

#include "models/model.hpp"
#include "storage/campaign_store.hpp"

namespace tmex::driver {

/// The model's version as recorded in a session, e.g. "emdr 2" (models::ModelInfo::version).
/// This is the one place that reads it for provenance.
std::string model_version(const models::Model& model);

/// The provenance of a session run on this process, as ordered key/value facts (documented in
/// the README's store section): tmex_version, tmex_commit, tmex_commit_dirty, build_type,
/// compiler, cxx_flags, cxx_standard, boost, yaml_cpp, sqlite (runtime library), sqlite_headers,
/// mpi_library (runtime MPI_Get_library_version, first line), mpi_standard, libc, system
/// (uname), hosts (every rank's host, sorted, unique), model, model_version. Needs MPI
/// initialised. Never throws for a fact it cannot learn: that value says "unknown".
storage::KeyValues collect_provenance(const models::Model& model,
                                      const std::vector<std::string>& rank_hosts);

}  // namespace tmex::driver
