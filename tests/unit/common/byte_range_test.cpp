#define BOOST_TEST_MODULE byte_range_test
#include <boost/test/unit_test.hpp>

#include "common/byte_range.hpp"

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

BOOST_AUTO_TEST_CASE(edges_of_small_objects) {
  BOOST_TEST(!slice("bytes=0-0", 1).has_value());  // the only byte is the whole object
  BOOST_TEST((slice("bytes=-1", 2) == ByteRange{1, 1}));
  BOOST_TEST((slice("bytes=1-", 2) == ByteRange{1, 1}));
  BOOST_TEST((refusal("bytes=-1", 0) == StatusCode::kRangeNotSatisfiable));
  BOOST_TEST((refusal("bytes=0-0", 0) == StatusCode::kRangeNotSatisfiable));
  BOOST_TEST((slice("bytes=0-4", 10)->length() == 5u));
}

BOOST_AUTO_TEST_CASE(large_objects_and_whitespace) {
  const uint64_t size = uint64_t{1} << 40;
  BOOST_TEST((slice("bytes=1099511627775-", size) == ByteRange{size - 1, size - 1}));
  BOOST_TEST((slice("bytes=-1099511627775", size) == ByteRange{1, size - 1}));
  BOOST_TEST((slice("bytes=0-18446744073709551615", 10) == std::nullopt));  // the largest uint64 is still a number
  BOOST_TEST((slice(" bytes=0-4 ", 10) == ByteRange{0, 4}));
  for (const char* bad : {"bytes=+1-2", "bytes=1-+2", "bytes=--3", "bytes=0x1-2", "bytes=1 -2", "bytes=1-2;x"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST((refusal(bad, 10) == StatusCode::kInvalidArgument));
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_name_the_header) {
  BOOST_TEST(resolve_range_header("items=0-4", 10).status().field() == "Range");
  BOOST_TEST(resolve_range_header("bytes=10-", 10).status().field() == "Range");
  BOOST_TEST(resolve_range_header("items=0-4", 10).status().message().find("items=0-4") != std::string::npos);
}
