#include "common/time_format.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace edgesync {
namespace {

bool read_digits(std::string_view text, size_t& position, size_t count, int& value) {
  if (position + count > text.size()) return false;
  value = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[position + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  position += count;
  return true;
}

bool expect(std::string_view text, size_t& position, char wanted) {
  if (position >= text.size() || std::toupper(static_cast<unsigned char>(text[position])) != wanted) return false;
  ++position;
  return true;
}

}  // namespace

std::optional<SystemTime> parse_rfc3339(std::string_view text) {
  size_t position = 0;
  int year, month, day, hour, minute, second;
  if (!read_digits(text, position, 4, year) || !expect(text, position, '-') || !read_digits(text, position, 2, month) ||
      !expect(text, position, '-') || !read_digits(text, position, 2, day) || !expect(text, position, 'T') ||
      !read_digits(text, position, 2, hour) || !expect(text, position, ':') ||
      !read_digits(text, position, 2, minute) || !expect(text, position, ':') ||
      !read_digits(text, position, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (position < text.size() && text[position] == '.') {
    ++position;
    int64_t scale = 100'000'000, nanos = 0;
    size_t digits = 0;
    while (position < text.size() && std::isdigit(static_cast<unsigned char>(text[position]))) {
      if (scale > 0) nanos += (text[position] - '0') * scale;
      scale /= 10;
      ++position;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    fraction = std::chrono::nanoseconds(nanos);
  }
  int offset_seconds = 0;
  if (position < text.size() && (text[position] == 'Z' || text[position] == 'z')) {
    ++position;
  } else if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
    const int sign = text[position] == '-' ? -1 : 1;
    ++position;
    int offset_hours, offset_minutes;
    if (!read_digits(text, position, 2, offset_hours) || !expect(text, position, ':') ||
        !read_digits(text, position, 2, offset_minutes) || offset_hours > 23 || offset_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
  } else {
    return std::nullopt;
  }
  if (position != text.size()) return std::nullopt;

  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  const time_t seconds = ::timegm(&parts);
  // timegm normalises impossible dates (Feb 30); refuse them instead.
  std::tm check{};
  ::gmtime_r(&seconds, &check);
  if (check.tm_mday != day && second != 60) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds - offset_seconds) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

std::string format_rfc3339(SystemTime time) {
  const time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
  return buffer;
}

}  // namespace edgesync
