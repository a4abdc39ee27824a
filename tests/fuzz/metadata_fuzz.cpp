// Fuzzes the metadata JSON parser (the body of every object PUT): never crashes, and what it accepts
// writes back as text it accepts again, unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/metadata_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto metadata = edgesync::parse_metadata(text);
  if (!metadata) return 0;
  const std::string written = edgesync::metadata_to_text(*metadata, false);
  auto again = edgesync::parse_metadata(written);
  if (!again || !(*again == *metadata)) std::abort();
  return 0;
}
