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
  BOOST_TEST(split_path("").empty());
}

BOOST_AUTO_TEST_CASE(split_path_edge_cases) {
  // Only one trailing slash is dropped: a second one leaves an empty segment for the handler to refuse.
  BOOST_TEST((split_path("/a/b//") == std::vector<std::string>{"a", "b", ""}));
  BOOST_TEST((split_path("//a") == std::vector<std::string>{"", "a"}));
  BOOST_TEST((split_path("a/b") == std::vector<std::string>{"a", "b"}));  // no leading slash
  BOOST_TEST((split_path("/a/%2f/%2F") == std::vector<std::string>{"a", "/", "/"}));
  BOOST_TEST((split_path("/a+b/c") == std::vector<std::string>{"a+b", "c"}));  // '+' is a space only in queries
  BOOST_TEST((split_path("/a/%") == std::vector<std::string>{"a", "%"}));
  BOOST_TEST((split_path("/a/100%25") == std::vector<std::string>{"a", "100%"}));
  BOOST_TEST((split_path("/a/%00b") == std::vector<std::string>{"a", std::string("\0b", 2)}));
}

BOOST_AUTO_TEST_CASE(percent_decoding) {
  BOOST_TEST(percent_decode("a%20b").value() == "a b");
  BOOST_TEST(percent_decode("%41%42").value() == "AB");
  BOOST_TEST(percent_decode("plain").value() == "plain");
  BOOST_TEST(!percent_decode("%").has_value());
  BOOST_TEST(!percent_decode("%4").has_value());
  BOOST_TEST(!percent_decode("%g1").has_value());
  BOOST_TEST(!percent_decode("abc%").has_value());
  BOOST_TEST(percent_decode("").value() == "");
  BOOST_TEST(percent_decode("%e2%82%AC").value() == "\xe2\x82\xac");  // UTF-8 bytes pass through
  BOOST_TEST(percent_decode("a+b").value() == "a+b");                 // '+' is the query's business
  BOOST_TEST(percent_decode("%2525").value() == "%25");               // decoded once only
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

BOOST_AUTO_TEST_CASE(query_parameter_edge_cases) {
  TargetOnly request("/p?a=1&a=2&&x%20y=sp&plus=1+2%2B3&bad=%zz&eq=a=b&=nokey&slash=a%2Fb");
  BOOST_TEST(request.query_param("a").value() == "1");     // the first one wins
  BOOST_TEST(request.query_param("x y").value() == "sp");  // keys are decoded too
  BOOST_TEST(request.query_param("plus").value() == "1 2+3");
  BOOST_TEST(request.query_param("bad").value() == "%zz");  // malformed: raw, for validation to refuse
  BOOST_TEST(request.query_param("eq").value() == "a=b");
  BOOST_TEST(request.query_param("slash").value() == "a/b");
  BOOST_TEST(request.query_param("").value() == "nokey");
  BOOST_TEST(!request.query_param("x%20y").has_value());

  TargetOnly empty_query("/p?");
  BOOST_TEST(empty_query.path() == "/p");
  BOOST_TEST(empty_query.query().empty());
  TargetOnly question_in_query("/p?q=a?b");
  BOOST_TEST(question_in_query.query_param("q").value() == "a?b");
}

BOOST_AUTO_TEST_CASE(absolute_form_targets) {
  TargetOnly absolute("http://example.com:8080/api/v1/health?x=1");
  BOOST_TEST(absolute.path() == "/api/v1/health");
  BOOST_TEST(absolute.query() == "x=1");
  TargetOnly host_only("http://example.com");
  BOOST_TEST(host_only.path().empty());
  TargetOnly origin("/a?next=http://b/c");
  BOOST_TEST(origin.path() == "/a");
  BOOST_TEST(origin.query_param("next").value() == "http://b/c");
}
