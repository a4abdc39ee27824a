// Bookkeeping of the byte ranges a chunked upload has received, kept as JSON text in the store
// ([[first,last],…], sorted, merged), so that a retried or overlapping chunk is counted once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/byte_range.hpp"
#include "common/status.hpp"

namespace edgesync {

struct ReceivedRanges {
  std::string ranges_json;
  uint64_t received_bytes = 0;
};

// Adds `range` to the recorded ranges; kInternal when the recorded text is corrupt.
Result<ReceivedRanges> add_received_range(std::string_view ranges_json, ByteRange range);

}  // namespace edgesync
