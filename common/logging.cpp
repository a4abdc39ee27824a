#include "common/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

namespace edgesync {
namespace {

constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 7> kLevels = {{
    {"trace", spdlog::level::trace},
    {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},
    {"warn", spdlog::level::warn},
    {"error", spdlog::level::err},
    {"critical", spdlog::level::critical},
    {"off", spdlog::level::off},
}};

std::optional<spdlog::level::level_enum> parse_level(std::string_view text) {
  for (const auto& [name, level] : kLevels)
    if (name == text) return level;
  return std::nullopt;
}

// The message as the inside of a JSON string. spdlog's %v copies it raw, and a quote or a newline in a
// logged value (an object ID, a peer's error text) would otherwise break the one-object-per-line form.
// Bytes of invalid UTF-8 pass through unchanged: escaping is best-effort, not validation.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : message.payload) {
      const auto byte = static_cast<unsigned char>(c);
      switch (c) {
        case '"': append(out, "\\\""); break;
        case '\\': append(out, "\\\\"); break;
        case '\n': append(out, "\\n"); break;
        case '\r': append(out, "\\r"); break;
        case '\t': append(out, "\\t"); break;
        default:
          if (byte < 0x20) {
            const char escaped[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
            out.append(escaped, escaped + sizeof escaped);
          } else {
            out.push_back(c);
          }
      }
    }
  }

  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }

 private:
  static void append(spdlog::memory_buf_t& out, std::string_view text) {
    out.append(text.data(), text.data() + text.size());
  }
};

std::unique_ptr<spdlog::formatter> make_formatter(const std::string& format) {
  if (format == "json") {
    // UTC with an explicit Z so that lines from nodes in different zones sort and compare.
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":"%*"})");
    return formatter;
  }
  return std::make_unique<spdlog::pattern_formatter>("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
}

}  // namespace

Status setup_logging(const std::string& level, const std::string& format) {
  const auto parsed = parse_level(level);
  if (!parsed)
    return Status::invalid("log.level: must be trace, debug, info, warn, error, critical or off (got " + level + ")",
                           "log.level");
  if (format != "text" && format != "json")
    return Status::invalid("log.format: must be text or json (got " + format + ")", "log.format");

  try {
    // Not created through spdlog::stderr_logger_mt: that registers the name and throws when set-up runs a
    // second time (tests, a reload). set_default_logger replaces any logger of the same name instead.
    auto logger = std::make_shared<spdlog::logger>("edgesync", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_level(*parsed);
    logger->set_formatter(make_formatter(format));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
  } catch (const std::exception& error) {
    return Status::internal(std::string("cannot set up logging: ") + error.what());
  }
  return Status::ok();
}

}  // namespace edgesync
