#define BOOST_TEST_MODULE base64_test
#include <boost/test/unit_test.hpp>

#include "common/base64.hpp"

using namespace edgesync;

BOOST_AUTO_TEST_CASE(rfc4648_vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    BOOST_TEST_CONTEXT(plain) {
      BOOST_TEST(base64_encode(plain) == encoded);
      BOOST_TEST((base64_decode(encoded) == std::optional<std::string>(plain)));
    }
  }
}

BOOST_AUTO_TEST_CASE(binary_round_trips) {
  std::string every_byte;
  for (int i = 0; i < 256; ++i) every_byte += static_cast<char>(i);
  for (const std::string& bytes : {every_byte, std::string("\0\xff\x10", 3), std::string(1000, '\xfb')}) {
    BOOST_TEST((base64_decode(base64_encode(bytes)) == bytes));
  }
  BOOST_TEST(base64_encode("\xfb\xff") == "+/8=");  // the standard alphabet, not the URL one
}

BOOST_AUTO_TEST_CASE(malformed_text_is_refused) {
  for (const char* bad : {"Zm9", "Zm9v!", "Z===", "Zm=v", "Zm8=Zm8=", " Zm8=", "Zm8=\n", "-_8=", "===="}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!base64_decode(bad).has_value());
    }
  }
}
