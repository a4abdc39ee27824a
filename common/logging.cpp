#include "common/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace edgesync {

Status setup_logging(const std::string& level, const std::string& format) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str answers "off" for anything it does not know; only accept "off" when asked for.
  if (parsed == spdlog::level::off && level != "off")
    return Status::invalid("log.level: must be trace, debug, info, warn, error, critical or off (got " + level + ")",
                           "log.level");
  if (format != "text" && format != "json")
    return Status::invalid("log.format: must be text or json (got " + format + ")", "log.format");

  auto logger = spdlog::stderr_logger_mt("edgesync");
  logger->set_level(parsed);
  if (format == "json") {
    // Messages are ours and contain no raw quotes in the hot paths; %v is not escaped by spdlog.
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  }
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return Status::ok();
}

}  // namespace edgesync
