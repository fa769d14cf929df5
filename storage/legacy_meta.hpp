// Typed campaign metadata of schema-1 stores, recovered from the descriptions they stored.
#pragma once

#include <cstddef>
#include <string>

#include "storage/campaign_store.hpp"

namespace tmex::storage {

/// The layout of a schema-1 store's design from its canonical description: the method is the
/// name before '(' ("extension(of=lhs(...), ...)" is an extended lhs); the group size is k + 2
/// for saltelli and k + 1 for morris, k = `parameters`.
DesignLayout legacy_design_layout(const std::string& design, std::size_t parameters);

/// Fills `column.kind` and `column.arguments` from its canonical description
/// ("uniform(min=0, max=1)", "discrete(levels=[1, 2, 3])"), and `column.dummy` from the
/// canonical config line "parameters.NAME: #i DESCRIPTION dummy". A description that does not
/// parse leaves kind empty and no arguments (analysis then treats the range as unknown).
void fill_legacy_parameter(ParameterColumn& column, const std::string& config);

}  // namespace tmex::storage
