#define BOOST_TEST_MODULE names_test
#include <boost/test/unit_test.hpp>

#include "common/base64.hpp"
#include "common/names.hpp"
#include "common/resource_key.hpp"

using namespace edgesync;

BOOST_AUTO_TEST_CASE(valid_names) {
  for (const char* name :
       {"abc", "ABC123", "a|b", "a!b@c#d$e^f*g-h_i.j~k+l", "model.v1", "1.0.0", "x", "données", "模型", "имя", "١٢٣",
        "ª", "µ", ".." /* valid as in MMS; harmless because names never become paths */}) {
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(is_valid_name(name));
    }
  }
}

BOOST_AUTO_TEST_CASE(invalid_names) {
  const std::vector<std::string> names = {"",
                                          "a b",
                                          "a/b",
                                          "a%b",
                                          "a<b",
                                          "a>b",
                                          "a\"b",
                                          "a'b",
                                          "a&b",
                                          "a?b",
                                          "a=b",
                                          "a,b",
                                          "a;b",
                                          "a:b",
                                          "a\\b",
                                          "tab\there",
                                          std::string("nul\0x", 5),
                                          "\x01",
                                          "a\x7f",
                                          "\xff",
                                          "\xc0\xaf" /* overlong '/' */,
                                          "\xed\xa0\x80" /* surrogate */,
                                          "a\xe2\x80\x8b" /* zero-width space */,
                                          "a\xc2\xa0" /* no-break space */,
                                          "\xe2\x82\xac" /* euro */,
                                          "\xf0\x9f\x98\x80" /* emoji */,
                                          "\xc3\x97" /* times */,
                                          "a\xe3\x80\x80"};
  for (const auto& name : names) {
    BOOST_TEST_CONTEXT(html_escape(name)) {
      BOOST_TEST(!is_valid_name(name));
    }
  }
}

BOOST_AUTO_TEST_CASE(html_tags_and_escaping) {
  BOOST_TEST(contains_html_tag("<b>x</b>"));
  BOOST_TEST(contains_html_tag("text </script"));
  BOOST_TEST(!contains_html_tag("a < b and c > d"));
  BOOST_TEST(!contains_html_tag("x <1"));
  BOOST_TEST(!contains_html_tag("a = b / c 'd' & e \\ f"));
  BOOST_TEST(html_escape("<a href=\"x\">&'") == "&lt;a href=&#34;x&#34;&gt;&amp;&#39;");
}

BOOST_AUTO_TEST_CASE(resource_keys) {
  auto full = parse_resource_key("myorg/model/m1");
  BOOST_REQUIRE(full.is_ok());
  BOOST_TEST(full->org == "myorg");
  BOOST_TEST(full->object_type == "model");
  BOOST_TEST(full->object_id == "m1");
  BOOST_TEST(!full->is_type_wide());
  BOOST_TEST(full->to_string() == "myorg/model/m1");
  auto type_wide = parse_resource_key("myorg/model");
  BOOST_REQUIRE(type_wide.is_ok());
  BOOST_TEST(type_wide->is_type_wide());
  BOOST_TEST(type_wide->to_string() == "myorg/model");
  for (const char* bad : {"", "myorg", "a/b/c/d", "a//c", "/b/c", "a/b/", "my org/t/i"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!parse_resource_key(bad).is_ok());
    }
  }
  BOOST_TEST(parse_resource_key("o/t/i d").status().message().find("object ID (i d)") != std::string::npos);
  BOOST_TEST(parse_resource_key("o/t<x>/i").status().field() == "objectType");
}

BOOST_AUTO_TEST_CASE(base64_round_trip_and_rejects) {
  for (const std::string& text : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                                  std::string("foob"), std::string("\0\xff\x10", 3)}) {
    BOOST_TEST((base64_decode(base64_encode(text)) == text));
  }
  BOOST_TEST(base64_encode("foobar") == "Zm9vYmFy");
  BOOST_TEST(base64_encode("fo") == "Zm8=");
  for (const char* bad : {"Zm9", "Zm9v!", "Z===", "Zm=v", "Zm8=Zm8=", " Zm8="}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!base64_decode(bad).has_value());
    }
  }
}
