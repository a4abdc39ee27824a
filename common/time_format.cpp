#include "common/time_format.hpp"

#include <cstdio>

namespace edgesync {
namespace {

// Calendar arithmetic is done with <chrono>'s civil calendar: no time zone database, no locale, no
// timegm() normalising Feb 30 into Mar 2 behind our back.
using namespace std::chrono;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly count decimal digits.
bool read_digits(std::string_view text, size_t& position, size_t count, int& value) {
  if (position + count > text.size()) return false;
  value = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[position + i];
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  position += count;
  return true;
}

// RFC 3339 §5.6 allows lower-case 't' and 'z'.
bool expect_letter(std::string_view text, size_t& position, char upper) {
  if (position >= text.size()) return false;
  const char c = text[position];
  if (c != upper && c != upper - 'A' + 'a') return false;
  ++position;
  return true;
}

bool expect_separator(std::string_view text, size_t& position, char wanted) {
  if (position >= text.size() || text[position] != wanted) return false;
  ++position;
  return true;
}

// Reads ".digits" when present; digits past nanoseconds are accepted and dropped.
bool read_fraction(std::string_view text, size_t& position, nanoseconds& fraction) {
  if (position >= text.size() || text[position] != '.') return true;
  ++position;
  int64_t scale = 100'000'000, nanos = 0;
  const size_t start = position;
  for (; position < text.size() && is_digit(text[position]); ++position) {
    nanos += (text[position] - '0') * scale;
    scale /= 10;
  }
  fraction = nanoseconds(nanos);
  return position > start;
}

// Reads "Z" or "+hh:mm"/"-hh:mm" into seconds east of UTC.
bool read_offset(std::string_view text, size_t& position, int& offset_seconds) {
  if (position >= text.size()) return false;
  const char c = text[position];
  if (c == 'Z' || c == 'z') {
    ++position;
    offset_seconds = 0;
    return true;
  }
  if (c != '+' && c != '-') return false;
  ++position;
  int hours, minutes;
  if (!read_digits(text, position, 2, hours) || !expect_separator(text, position, ':') ||
      !read_digits(text, position, 2, minutes) || hours > 23 || minutes > 59)
    return false;
  offset_seconds = (c == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  return true;
}

}  // namespace

std::optional<SystemTime> parse_rfc3339(std::string_view text) {
  size_t position = 0;
  int year_value, month_value, day_value, hour, minute, second;
  if (!read_digits(text, position, 4, year_value) || !expect_separator(text, position, '-') ||
      !read_digits(text, position, 2, month_value) || !expect_separator(text, position, '-') ||
      !read_digits(text, position, 2, day_value) || !expect_letter(text, position, 'T') ||
      !read_digits(text, position, 2, hour) || !expect_separator(text, position, ':') ||
      !read_digits(text, position, 2, minute) || !expect_separator(text, position, ':') ||
      !read_digits(text, position, 2, second)) {
    return std::nullopt;
  }
  // Second 60 is refused as MMS (Go's time.Parse) refuses it: a leap second would be accepted here and
  // refused by an MMS peer.
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const year_month_day date{year{year_value}, month{static_cast<unsigned>(month_value)},
                            day{static_cast<unsigned>(day_value)}};
  if (!date.ok()) return std::nullopt;  // month 13, Feb 30, Feb 29 of a common year

  nanoseconds fraction{0};
  int offset_seconds = 0;
  if (!read_fraction(text, position, fraction) || !read_offset(text, position, offset_seconds) ||
      position != text.size())
    return std::nullopt;

  const auto local = sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
  return time_point_cast<system_clock::duration>(local - seconds{offset_seconds} + fraction);
}

std::string format_rfc3339(SystemTime time) {
  // floor, not the truncation of to_time_t: 1969-12-31T23:59:59.5Z is still second 59 of 1969.
  const auto whole_seconds = floor<seconds>(time);
  const auto midnight = floor<days>(whole_seconds);
  const year_month_day date{midnight};
  const hh_mm_ss clock{whole_seconds - midnight};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buffer;
}

}  // namespace edgesync
