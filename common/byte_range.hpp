// HTTP byte ranges: the `Range` request header of data GETs and the `Content-Range` header of chunked
// data PUTs (RFC 7233, single range only).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.hpp"

namespace edgesync {

// A closed interval [first, last] of byte offsets.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t length() const { return last - first + 1; }
  bool operator==(const ByteRange&) const = default;
};

// Resolves a Range header against an object of object_size bytes.
// - nullopt value: the header asks for the whole object (or covers all of it): answer 200 in full.
// - a range: answer 206 with that slice (an end past the object is clipped to the last byte).
// - kRangeNotSatisfiable: start at or past the end, or a suffix of zero bytes: answer 416.
// - kInvalidArgument: not `bytes=a-b`, `bytes=a-` or `bytes=-n`, several ranges, or a unit other than
//   bytes: answer 400 (never with data).
Result<std::optional<ByteRange>> resolve_range_header(std::string_view header, uint64_t object_size);

// A chunk of a chunked upload: `Content-Range: bytes first-last/total`.
struct ContentRange {
  ByteRange range;
  uint64_t total = 0;
  bool operator==(const ContentRange&) const = default;
};

// Parses a Content-Range header; last < total and first <= last are required (else kInvalidArgument).
Result<ContentRange> parse_content_range(std::string_view header);

}  // namespace edgesync
