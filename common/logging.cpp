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

// The length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0 when it is not one.
size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return length;
}

// Out: spdlog's memory buffer or std::string (both have push_back and append(first, last)).
template <class Out>
void append_json_escaped(std::string_view text, Out& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto append = [&out](std::string_view piece) { out.append(piece.data(), piece.data() + piece.size()); };
  while (!text.empty()) {
    const char c = text.front();
    const auto byte = static_cast<unsigned char>(c);
    size_t used = 1;
    switch (c) {
      case '"': append("\\\""); break;
      case '\\': append("\\\\"); break;
      case '\n': append("\\n"); break;
      case '\r': append("\\r"); break;
      case '\t': append("\\t"); break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          const char escaped[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
          out.append(escaped, escaped + sizeof escaped);
        } else if (byte < 0x80) {
          out.push_back(c);
        } else if (const size_t length = utf8_sequence_length(text); length > 0) {
          append(text.substr(0, length));
          used = length;
        } else {
          append("\xEF\xBF\xBD");  // U+FFFD, one per invalid byte
        }
    }
    text.remove_prefix(used);
  }
}

// The message as the inside of a JSON string. spdlog's %v copies it raw, and a quote or a newline in a
// logged value (an object ID, a peer's error text) would otherwise break the one-object-per-line form.
// Invalid UTF-8 (a peer's bytes, a truncated name) becomes U+FFFD, so every line stays valid JSON.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
    append_json_escaped(std::string_view(message.payload.data(), message.payload.size()), out);
  }

  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
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

std::string json_escaped(std::string_view text) {
  std::string out;
  append_json_escaped(text, out);
  return out;
}

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
