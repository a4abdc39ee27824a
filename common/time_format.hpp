// RFC 3339 timestamps as MMS writes them in metadata (expiration, activationTime).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace edgesync {

using SystemTime = std::chrono::system_clock::time_point;

// Parses "2026-11-23T10:00:00Z", with optional fractional seconds and a "+hh:mm"/"-hh:mm" offset.
std::optional<SystemTime> parse_rfc3339(std::string_view text);

// Formats as UTC with a 'Z' suffix and no fractional part.
std::string format_rfc3339(SystemTime time);

}  // namespace edgesync
