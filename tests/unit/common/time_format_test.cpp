#define BOOST_TEST_MODULE time_format_test
#include <boost/test/unit_test.hpp>

#include "common/time_format.hpp"

using namespace edgesync;
using namespace std::chrono;

namespace {
int64_t unix_seconds(const std::optional<SystemTime>& time) {
  BOOST_REQUIRE(time.has_value());
  return duration_cast<seconds>(time->time_since_epoch()).count();
}
}  // namespace

BOOST_AUTO_TEST_CASE(utc_times) {
  BOOST_TEST(unix_seconds(parse_rfc3339("2027-01-15T08:00:00Z")) == 1800000000);
  BOOST_TEST(unix_seconds(parse_rfc3339("1970-01-01T00:00:00Z")) == 0);
  BOOST_TEST(unix_seconds(parse_rfc3339("2024-02-29T23:59:59Z")) == 1709251199);  // a leap day
  BOOST_TEST(unix_seconds(parse_rfc3339("1969-12-31T23:59:59Z")) == -1);
  BOOST_TEST(unix_seconds(parse_rfc3339("2027-01-15t08:00:00z")) == 1800000000);  // RFC 3339 §5.6 allows lower case
}

BOOST_AUTO_TEST_CASE(offsets_move_to_utc) {
  const auto utc = parse_rfc3339("2027-01-15T08:00:00Z");
  BOOST_TEST((parse_rfc3339("2027-01-15T10:00:00+02:00") == utc));
  BOOST_TEST((parse_rfc3339("2027-01-15T03:30:00-04:30") == utc));
  BOOST_TEST((parse_rfc3339("2027-01-15T08:00:00+00:00") == utc));
  BOOST_TEST((parse_rfc3339("2027-01-15T08:00:00-00:00") == utc));
  BOOST_TEST(unix_seconds(parse_rfc3339("2027-01-01T00:30:00+01:00")) ==
             unix_seconds(parse_rfc3339("2026-12-31T23:30:00Z")));  // across a year boundary
}

BOOST_AUTO_TEST_CASE(fractional_seconds) {
  const auto whole = parse_rfc3339("2027-01-15T08:00:00Z");
  const auto half = parse_rfc3339("2027-01-15T08:00:00.5Z");
  BOOST_REQUIRE(half.has_value());
  BOOST_TEST(duration_cast<milliseconds>(*half - *whole).count() == 500);
  const auto nanos = parse_rfc3339("2027-01-15T08:00:00.123456789+00:00");
  BOOST_REQUIRE(nanos.has_value());
  BOOST_TEST(duration_cast<microseconds>(*nanos - *whole).count() == 123456);
  // Digits past the nanosecond are dropped, not an error.
  BOOST_TEST(parse_rfc3339("2027-01-15T08:00:00.1234567891234Z").has_value());
}

BOOST_AUTO_TEST_CASE(malformed_and_impossible_times_are_refused) {
  for (const char* bad : {"",
                          "2027-01-15",
                          "2027-01-15T08:00:00",
                          "2027-13-01T00:00:00Z",
                          "2027-00-01T00:00:00Z",
                          "2027-02-29T00:00:00Z",
                          "2027-02-30T00:00:00Z",
                          "2027-04-31T00:00:00Z",
                          "2027-01-00T00:00:00Z",
                          "2027-01-15 08:00:00Z",
                          "2027-01-15T08:00:00Zjunk",
                          "tomorrow",
                          "2027-01-15T24:00:00Z",
                          "2027-01-15T08:60:00Z",
                          "2027-01-15T08:00:60Z",
                          "2027-02-30T00:00:60Z",
                          "2027-01-15T08:00:00.Z",
                          "2027-01-15T08:00:00+0200",
                          "2027-01-15T08:00:00+24:00",
                          "2027-01-15T08:00:00+02:60",
                          "27-01-15T08:00:00Z",
                          "2027-1-15T08:00:00Z",
                          "2027-01-15T08:00:00+02",
                          "+2027-01-15T08:00:00Z"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!parse_rfc3339(bad).has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(format_is_utc_with_z_and_no_fraction) {
  BOOST_TEST(format_rfc3339(system_clock::from_time_t(1800000000)) == "2027-01-15T08:00:00Z");
  BOOST_TEST(format_rfc3339(system_clock::from_time_t(0)) == "1970-01-01T00:00:00Z");
  BOOST_TEST(format_rfc3339(system_clock::from_time_t(1800000000) + milliseconds(999)) == "2027-01-15T08:00:00Z");
  // Before 1970 a fraction rounds down, into the earlier second.
  BOOST_TEST(format_rfc3339(system_clock::from_time_t(0) - milliseconds(500)) == "1969-12-31T23:59:59Z");
  BOOST_TEST(format_rfc3339(system_clock::from_time_t(1709251199)) == "2024-02-29T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(format_then_parse_round_trips) {
  for (int64_t seconds_since_epoch : {int64_t{0}, int64_t{951782400} /* 2000-02-29 */, int64_t{1800000000},
                                      int64_t{4102444799} /* 2099-12-31T23:59:59 */, int64_t{-86400}}) {
    const SystemTime time = system_clock::from_time_t(seconds_since_epoch);
    BOOST_TEST_CONTEXT(format_rfc3339(time)) {
      BOOST_TEST((parse_rfc3339(format_rfc3339(time)) == time));
    }
  }
}
