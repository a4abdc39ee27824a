// Fuzzes Range and Content-Range parsing: never crashes, and every accepted range lies inside the
// object (Range) or inside the announced total (Content-Range).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "common/byte_range.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t object_size;
  std::memcpy(&object_size, data, sizeof object_size);
  object_size %= 1ull << 50;
  const std::string_view header(reinterpret_cast<const char*>(data + 8), size - 8);
  auto range = edgesync::resolve_range_header(header, object_size);
  if (range && *range) {
    const auto& slice = **range;
    if (slice.first > slice.last || slice.last >= object_size) std::abort();
  }
  auto content_range = edgesync::parse_content_range(header);
  if (content_range) {
    const auto& slice = content_range->range;
    if (slice.first > slice.last || slice.last >= content_range->total) std::abort();
  }
  return 0;
}
