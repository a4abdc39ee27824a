// Limits on JSON that comes from outside. nlohmann's copy, dump and comparison recurse once per
// nesting level, so a small body nested 300,000 deep overflows the stack: refuse it before parsing.
#pragma once

#include <string_view>

namespace edgesync {

inline constexpr int kMaxJsonNesting = 64;

// True when no array or object in `text` is nested deeper than max_depth (strings are skipped, so
// brackets inside them do not count). Cheap: one pass, no allocation.
bool json_nesting_within(std::string_view text, int max_depth = kMaxJsonNesting);

}  // namespace edgesync
