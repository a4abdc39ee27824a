// Logging set-up: spdlog to stderr, as text or as one JSON object per line.
#pragma once

#include <string>

#include "common/status.hpp"

namespace edgesync {

// level: trace debug info warn error critical off; format: text | json. Errors name the bad value.
Status setup_logging(const std::string& level, const std::string& format);

}  // namespace edgesync
