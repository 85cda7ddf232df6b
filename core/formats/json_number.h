#pragma once
// Reading a number out of a simdjson element, for the JSON readers (internal to losslens_core).

#include "core/formats/json_util.h"

#include <simdjson.h>

namespace losslens::formats {

/// The number `e` holds: a JSON number, or a non-finite value marked by rewriteNonFinite().
/// False for anything else (strings, objects, null…).
inline bool numberOf(simdjson::dom::element e, double& out)
{
    using simdjson::dom::element_type;
    switch (e.type()) {
    case element_type::DOUBLE: out = e.get_double().value_unsafe(); return true;
    case element_type::INT64: out = static_cast<double>(e.get_int64().value_unsafe()); return true;
    case element_type::UINT64: out = static_cast<double>(e.get_uint64().value_unsafe()); return true;
    case element_type::STRING: return nonFiniteFromMarked(e.get_string().value_unsafe(), out);
    default: return false;
    }
}

} // namespace losslens::formats
