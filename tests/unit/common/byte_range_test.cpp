#define BOOST_TEST_MODULE byte_range_test
#include <boost/test/unit_test.hpp>

#include "common/byte_range.hpp"
#include "common/time_format.hpp"

using namespace edgesync;

namespace {
std::optional<ByteRange> slice(const char* header, uint64_t size) {
  auto result = resolve_range_header(header, size);
  BOOST_REQUIRE_MESSAGE(result.is_ok(), header << ": " << result.status().message());
  return *result;
}
StatusCode refusal(const char* header, uint64_t size) {
  return resolve_range_header(header, size).status().code();
}
}  // namespace

BOOST_AUTO_TEST_CASE(satisfiable_ranges) {
  BOOST_TEST((slice("bytes=0-4", 10) == ByteRange{0, 4}));
  BOOST_TEST((slice("bytes=5-", 10) == ByteRange{5, 9}));
  BOOST_TEST((slice("bytes=-3", 10) == ByteRange{7, 9}));
  BOOST_TEST((slice("bytes=2-100", 10) == ByteRange{2, 9}));
  BOOST_TEST((slice("bytes=9-9", 10) == ByteRange{9, 9}));
  BOOST_TEST(slice("bytes=9-9", 10)->length() == 1u);
}

BOOST_AUTO_TEST_CASE(whole_object_ranges_mean_a_plain_200) {
  BOOST_TEST(!slice("bytes=0-9", 10).has_value());
  BOOST_TEST(!slice("bytes=0-100", 10).has_value());
  BOOST_TEST(!slice("bytes=0-", 10).has_value());
  BOOST_TEST(!slice("bytes=-10", 10).has_value());
  BOOST_TEST(!slice("bytes=-50", 10).has_value());
}

BOOST_AUTO_TEST_CASE(unsatisfiable_ranges_are_416) {
  BOOST_TEST((refusal("bytes=10-", 10) == StatusCode::kRangeNotSatisfiable));
  BOOST_TEST((refusal("bytes=10-20", 10) == StatusCode::kRangeNotSatisfiable));
  BOOST_TEST((refusal("bytes=-0", 10) == StatusCode::kRangeNotSatisfiable));
  BOOST_TEST((refusal("bytes=0-", 0) == StatusCode::kRangeNotSatisfiable));
}

BOOST_AUTO_TEST_CASE(malformed_ranges_are_400) {
  for (const char* bad : {"items=0-4", "bytes=0-1,3-4", "bytes=5-2", "bytes=", "bytes=-", "bytes=a-b", "garbage", "",
                          "bytes=99999999999999999999-", "bytes=-1-2", "bytes=1", "bytes 0-4"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST((refusal(bad, 10) == StatusCode::kInvalidArgument));
    }
  }
}

BOOST_AUTO_TEST_CASE(content_range_of_a_chunk) {
  auto parsed = parse_content_range("bytes 0-99/1000");
  BOOST_REQUIRE(parsed.is_ok());
  BOOST_TEST((parsed->range == ByteRange{0, 99}));
  BOOST_TEST(parsed->total == 1000u);
  BOOST_TEST(parse_content_range("bytes 999-999/1000").is_ok());
  for (const char* bad : {"bytes */1000", "bytes 0-1000/1000", "bytes 5-4/10", "bytes 0-4", "items 0-4/10",
                          "bytes=0-4/10", "bytes 0-4/", "bytes -4/10", ""}) {
    BOOST_TEST_CONTEXT(bad) {
      auto result = parse_content_range(bad);
      BOOST_TEST(!result.is_ok());
      BOOST_TEST(result.status().field() == "Content-Range");
    }
  }
}

BOOST_AUTO_TEST_CASE(rfc3339_parse_and_format) {
  auto utc = parse_rfc3339("2027-01-15T08:00:00Z");
  BOOST_REQUIRE(utc.has_value());
  BOOST_TEST(std::chrono::system_clock::to_time_t(*utc) == 1800000000);
  auto offset = parse_rfc3339("2027-01-15T10:00:00+02:00");
  BOOST_TEST((offset == utc));
  auto negative = parse_rfc3339("2027-01-15T03:30:00-04:30");
  BOOST_TEST((negative == utc));
  auto fraction = parse_rfc3339("2027-01-15T08:00:00.5Z");
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(*fraction - *utc).count() == 500);
  BOOST_TEST(format_rfc3339(*utc) == "2027-01-15T08:00:00Z");
  for (const char* bad : {"", "2027-01-15", "2027-01-15T08:00:00", "2027-13-01T00:00:00Z", "2027-02-30T00:00:00Z",
                          "2027-01-15 08:00:00Z", "2027-01-15T08:00:00Zjunk", "tomorrow", "2027-01-15T25:00:00Z"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!parse_rfc3339(bad).has_value());
    }
  }
}
