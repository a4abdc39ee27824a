// Logging set-up: spdlog to stderr, as text or as one JSON object per line.
#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"

namespace edgesync {

// level: trace debug info warn error critical off; format: text | json. Errors name the bad value.
Status setup_logging(const std::string& level, const std::string& format);

// `text` as the inside of a JSON string, as the json log format writes messages: quotes, backslashes
// and control characters escaped, invalid UTF-8 replaced by U+FFFD (one per bad byte).
std::string json_escaped(std::string_view text);

}  // namespace edgesync
