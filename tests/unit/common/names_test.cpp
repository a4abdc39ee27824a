#define BOOST_TEST_MODULE names_test
#include <boost/test/unit_test.hpp>

#include "common/names.hpp"

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

namespace {

// UTF-8 of one code point, so that the block boundaries below read as numbers.
std::string utf8(uint32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(non_ascii_block_boundaries) {
  // Refused: controls, punctuation, symbols, private use, specials, emoji; the first and last of each block.
  for (uint32_t c : {0x80u,   0x9Fu,   0xA0u,   0xA9u,   0xBFu,   0xD7u,    0xF7u,    0x2000u,
                     0x206Fu, 0x2190u, 0x2BFFu, 0x3000u, 0x303Fu, 0xE000u,  0xF8FFu,  0xFE00u,
                     0xFE0Fu, 0xFEFFu, 0xFFF0u, 0xFFFDu, 0xFFFFu, 0x1F000u, 0x1F600u, 0x1FAFFu}) {
    BOOST_TEST_CONTEXT(std::hex << c) {
      BOOST_TEST(!is_valid_name("a" + utf8(c)));
    }
  }
  // Accepted: Latin-1 letters and the number-like signs the brief keeps, and the first letter after each
  // refused block.
  for (uint32_t c : {0xAAu, 0xB2u, 0xB3u, 0xB5u, 0xB9u, 0xBAu, 0xBCu, 0xBDu, 0xBEu, 0xC0u, 0xD8u, 0xFFu, 0x100u,
                     0x2070u, 0x2C00u, 0x3041u, 0xF900u, 0x1D400u, 0x20000u}) {
    BOOST_TEST_CONTEXT(std::hex << c) {
      BOOST_TEST(is_valid_name(utf8(c)));
    }
  }
}

BOOST_AUTO_TEST_CASE(malformed_utf8_is_refused) {
  for (const char* bad : {"\x80" /* lone continuation */, "a\xe6\xa8" /* truncated */,
                          "\xe6\xa8"
                          "a" /* truncated, then ASCII */,
                          "\xe0\x80\xaf" /* 3-byte overlong */, "\xf0\x80\x80\xaf" /* 4-byte overlong */,
                          "\xf4\x90\x80\x80" /* past U+10FFFF */, "\xf8\x88\x80\x80\x80" /* 5-byte form */, "\xfe",
                          "\xed\xbf\xbf" /* low surrogate */}) {
    BOOST_TEST_CONTEXT(html_escape(bad)) {
      BOOST_TEST(!is_valid_name(bad));
    }
  }
  BOOST_TEST(is_valid_name("\xe6\xa8\xa1"));  // the well-formed sequence the cases above break
}
