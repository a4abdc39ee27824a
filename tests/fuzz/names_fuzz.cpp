// Fuzzes name validation and resource keys: a name that passes is never empty and never holds a '/'
// or a NUL, a parsed key has valid parts, and html_escape leaves no '<'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/names.hpp"
#include "common/resource_key.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (edgesync::is_valid_name(text)) {
    // ".." may be a valid MMS name: data file names are generated, never built from names.
    if (text.empty() || text.find('/') != std::string_view::npos || text.find('\0') != std::string_view::npos)
      std::abort();
  }
  if (edgesync::html_escape(text).find('<') != std::string::npos) std::abort();
  (void)edgesync::contains_html_tag(text);
  if (auto key = edgesync::parse_resource_key(text)) {
    if (!edgesync::is_valid_name(key->org)) std::abort();
  }
  return 0;
}
