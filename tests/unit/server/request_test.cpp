#define BOOST_TEST_MODULE request_test
#include <boost/test/unit_test.hpp>

#include "server/http/request.hpp"

using namespace edgesync::http;

namespace {
// Only the target matters for the path and query helpers.
class TargetOnly final : public Request {
 public:
  explicit TargetOnly(std::string target) : target_(std::move(target)) {}
  std::string_view method() const override { return "GET"; }
  std::string_view target() const override { return target_; }
  std::optional<std::string_view> header(std::string_view) const override { return std::nullopt; }
  std::optional<uint64_t> content_length() const override { return std::nullopt; }
  const std::string& body() const override { return empty_; }
  boost::asio::awaitable<edgesync::Result<size_t>> read_body_some(std::span<char>) override { co_return size_t{0}; }
  std::string remote_endpoint() const override { return "test"; }

 private:
  std::string target_, empty_;
};
}  // namespace

BOOST_AUTO_TEST_CASE(paths_split_on_slashes_after_decoding_each_segment) {
  BOOST_TEST(
      (split_path("/api/v1/objects/org/t/i") == std::vector<std::string>{"api", "v1", "objects", "org", "t", "i"}));
  BOOST_TEST((split_path("/api/v1/health/") == std::vector<std::string>{"api", "v1", "health"}));
  BOOST_TEST((split_path("/a//b") == std::vector<std::string>{"a", "", "b"}));
  BOOST_TEST((split_path("/a/x%2Fy") == std::vector<std::string>{"a", "x/y"}));
  BOOST_TEST((split_path("/a/b%20c") == std::vector<std::string>{"a", "b c"}));
  BOOST_TEST((split_path("/a/%zz") == std::vector<std::string>{"a", "%zz"}));  // kept raw: names refuse it
  BOOST_TEST(split_path("/").empty());
}

BOOST_AUTO_TEST_CASE(percent_decoding) {
  BOOST_TEST(percent_decode("a%20b").value() == "a b");
  BOOST_TEST(percent_decode("%41%42").value() == "AB");
  BOOST_TEST(percent_decode("plain").value() == "plain");
  BOOST_TEST(!percent_decode("%").has_value());
  BOOST_TEST(!percent_decode("%4").has_value());
  BOOST_TEST(!percent_decode("%g1").has_value());
}

BOOST_AUTO_TEST_CASE(query_parameters) {
  TargetOnly request("/api/v1/objects/org/t?received=true&name=a+b%21&empty=&flag");
  BOOST_TEST(request.path() == "/api/v1/objects/org/t");
  BOOST_TEST(request.query() == "received=true&name=a+b%21&empty=&flag");
  BOOST_TEST(request.query_param("received").value() == "true");
  BOOST_TEST(request.query_param("name").value() == "a b!");
  BOOST_TEST(request.query_param("empty").value() == "");
  BOOST_TEST(request.query_param("flag").value() == "");
  BOOST_TEST(!request.query_param("missing").has_value());
  TargetOnly no_query("/x");
  BOOST_TEST(no_query.query().empty());
  BOOST_TEST(!no_query.query_param("a").has_value());
}
