// JSON text of a value whose strings may hold any bytes. Strings taken from URL paths, query strings
// and headers are not checked for UTF-8, and nlohmann's plain dump() throws on invalid UTF-8, which in
// an answer would turn a client's odd byte into a 500 (or an escaped exception). Go's encoder, which
// MMS answers with, writes U+FFFD for each invalid byte: so does this. Every JSON text the server
// sends or stores is made here.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace edgesync {

// indent < 0: compact; otherwise pretty with that many spaces (MMS answers lists with 2).
std::string json_text(const nlohmann::json& value, int indent = -1);

}  // namespace edgesync
