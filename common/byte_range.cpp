#include "common/byte_range.hpp"

#include <cctype>
#include <charconv>

namespace edgesync {
namespace {

// Parses a run of decimal digits (no sign, no spaces); nullopt when empty, not digits, or overflowing.
std::optional<uint64_t> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

Status bad_range(std::string_view header) {
  return Status::invalid(
      "Invalid Range header (" + std::string(header) + "): expected bytes=first-last, bytes=first- or bytes=-suffix",
      "Range");
}

}  // namespace

Result<std::optional<ByteRange>> resolve_range_header(std::string_view header, uint64_t object_size) {
  const std::string_view text = trim(header);
  constexpr std::string_view kUnit = "bytes=";
  if (text.substr(0, kUnit.size()) != kUnit) return bad_range(header);
  const std::string_view spec = trim(text.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos) return bad_range(header);  // one range only
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return bad_range(header);
  const std::string_view first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);

  uint64_t first, last;
  if (first_text.empty()) {  // bytes=-N: the last N bytes
    auto suffix = parse_number(last_text);
    if (!suffix) return bad_range(header);
    if (*suffix == 0 || object_size == 0)
      return Status(StatusCode::kRangeNotSatisfiable, "Range not satisfiable", "Range");
    first = *suffix >= object_size ? 0 : object_size - *suffix;
    last = object_size - 1;
  } else {
    auto parsed_first = parse_number(first_text);
    if (!parsed_first) return bad_range(header);
    first = *parsed_first;
    if (last_text.empty()) {
      last = object_size == 0 ? 0 : object_size - 1;
    } else {
      auto parsed_last = parse_number(last_text);
      if (!parsed_last || *parsed_last < first) return bad_range(header);
      last = *parsed_last;
    }
    if (first >= object_size) return Status(StatusCode::kRangeNotSatisfiable, "Range not satisfiable", "Range");
    if (last >= object_size) last = object_size - 1;
  }
  if (first == 0 && last + 1 >= object_size) return std::optional<ByteRange>();  // the whole object: plain 200
  return std::optional<ByteRange>(ByteRange{first, last});
}

Result<ContentRange> parse_content_range(std::string_view header) {
  const std::string_view text = trim(header);
  const Status invalid = Status::invalid(
      "Invalid Content-Range header (" + std::string(header) + "): expected bytes first-last/total", "Content-Range");
  constexpr std::string_view kUnit = "bytes ";
  if (text.substr(0, kUnit.size()) != kUnit) return invalid;
  const std::string_view spec = trim(text.substr(kUnit.size()));
  const size_t dash = spec.find('-'), slash = spec.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return invalid;
  auto first = parse_number(spec.substr(0, dash));
  auto last = parse_number(spec.substr(dash + 1, slash - dash - 1));
  auto total = parse_number(spec.substr(slash + 1));
  if (!first || !last || !total || *first > *last || *last >= *total) return invalid;
  return ContentRange{{*first, *last}, *total};
}

}  // namespace edgesync
