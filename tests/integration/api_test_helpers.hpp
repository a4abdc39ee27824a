// Helpers shared by the API integration tests: metadata bodies and assertions on MMS answers.
#pragma once

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "common/base64.hpp"
#include "tests/support/http_client.hpp"

namespace edgesync::test {

// {"meta": {objectID, objectType, …extra}} with optional inline data.
inline std::string object_body(const std::string& type, const std::string& id, nlohmann::json extra = {},
                               const std::string* data = nullptr) {
  nlohmann::json meta = {{"objectID", id}, {"objectType", type}};
  if (extra.is_object()) meta.update(extra);
  nlohmann::json body = {{"meta", meta}};
  if (data) body["data"] = base64_encode(*data);
  return body.dump();
}

inline nlohmann::json json_of(const HttpResult& result) {
  return nlohmann::json::parse(result.body);
}

// A 400 whose plain-text body contains `expected`.
inline void check_bad_request(const HttpResult& result, const std::string& expected) {
  BOOST_TEST_CONTEXT("body: " << result.body) {
    BOOST_TEST(result.status == 400);
    BOOST_TEST(result.body.find(expected) != std::string::npos);
  }
}

inline std::string pattern_bytes(size_t size, unsigned seed = 7) {
  std::string bytes(size, '\0');
  uint32_t state = seed;
  for (auto& byte : bytes) {
    state = state * 1664525u + 1013904223u;
    byte = static_cast<char>(state >> 24);
  }
  return bytes;
}

}  // namespace edgesync::test
