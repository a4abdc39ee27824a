#include "common/names.hpp"

#include <cctype>
#include <cstdint>
#include <optional>

namespace edgesync {
namespace {

// Decodes one UTF-8 code point at position; nullopt on any malformation (overlong, surrogate, >U+10FFFF).
std::optional<uint32_t> decode(std::string_view text, size_t& position) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(position);
  size_t length;
  uint32_t code_point;
  if (lead < 0x80) {
    ++position;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return std::nullopt;
  }
  if (position + length > text.size()) return std::nullopt;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(position + i) & 0xC0) != 0x80) return std::nullopt;
    code_point = (code_point << 6) | (byte(position + i) & 0x3F);
  }
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinimum[length] || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF))
    return std::nullopt;
  position += length;
  return code_point;
}

bool is_allowed_ascii(uint32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '|':
    case '!':
    case '@':
    case '#':
    case '$':
    case '^':
    case '*':
    case '-':
    case '_':
    case '.':
    case '~':
    case '+': return true;
    default: return false;
  }
}

// Non-ASCII: letters and numbers are accepted; punctuation, symbols, spaces and controls are not.
// Without ICU this refuses the blocks that hold no letters or numbers.
bool is_letter_or_number(uint32_t c) {
  if (c >= 0x80 && c <= 0x9F) return false;  // C1 controls
  if (c >= 0xA0 && c <= 0xBF) {
    return c == 0xAA || c == 0xB5 || c == 0xBA || c == 0xB2 || c == 0xB3 || c == 0xB9 || c == 0xBC || c == 0xBD ||
           c == 0xBE;
  }
  if (c == 0xD7 || c == 0xF7) return false;      // × ÷
  if (c >= 0x2000 && c <= 0x206F) return false;  // general punctuation, spaces
  if (c >= 0x20A0 && c <= 0x20CF) return false;  // currency
  if (c >= 0x2190 && c <= 0x2BFF) return false;  // arrows, math, technical, box, shapes, symbols
  if (c >= 0x3000 && c <= 0x303F) return false;  // CJK symbols and punctuation
  if (c >= 0xE000 && c <= 0xF8FF) return false;  // private use
  if (c >= 0xFE00 && c <= 0xFE0F) return false;  // variation selectors
  if (c == 0xFEFF || (c >= 0xFFF0 && c <= 0xFFFF)) return false;
  if (c >= 0xFF01 && c <= 0xFF0F) return false;    // fullwidth punctuation
  if (c >= 0x1F000 && c <= 0x1FAFF) return false;  // emoji and pictographs
  if (c >= 0xF0000) return false;                  // supplementary private use
  return true;
}

}  // namespace

bool is_valid_name(std::string_view utf8) {
  if (utf8.empty()) return false;
  size_t position = 0;
  while (position < utf8.size()) {
    auto code_point = decode(utf8, position);
    if (!code_point) return false;
    if (*code_point < 0x80 ? !is_allowed_ascii(*code_point) : !is_letter_or_number(*code_point)) return false;
  }
  return true;
}

bool contains_html_tag(std::string_view text) {
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '<') continue;
    size_t next = i + 1;
    if (text[next] == '/') ++next;
    if (next < text.size() && std::isalpha(static_cast<unsigned char>(text[next]))) return true;
  }
  return false;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace edgesync
