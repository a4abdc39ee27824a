// schemas/ stays in step with the code: every schema parses, and the metadata schema names exactly
// the fields the codec writes.
#define BOOST_TEST_MODULE schemas_test
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "common/metadata_codec.hpp"

namespace {
nlohmann::json load(const std::string& name) {
  std::ifstream in(std::string(EDGESYNC_SOURCE_DIR) + "/schemas/" + name);
  BOOST_REQUIRE_MESSAGE(in, "cannot open schemas/" << name);
  return nlohmann::json::parse(in);
}
}  // namespace

// (tests/spec/openapi_check.py checks them as JSON Schemas and openapi.yaml against them.)
BOOST_AUTO_TEST_CASE(every_schema_is_valid_json) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(EDGESYNC_SOURCE_DIR) + "/schemas")) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".schema.json")) continue;
    ++count;
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(load(name).is_object());
    }
  }
  BOOST_TEST(count >= 20u);
}

BOOST_AUTO_TEST_CASE(metadata_schema_names_every_codec_field) {
  std::set<std::string> schema_fields, codec_fields;
  const nlohmann::json schema = load("metadata.schema.json");
  for (const auto& field : schema.at("properties").items()) schema_fields.insert(field.key());
  const nlohmann::json written = edgesync::metadata_to_json(edgesync::ObjectMetadata{});
  for (const auto& field : written.items()) codec_fields.insert(field.key());
  BOOST_TEST((schema_fields == codec_fields));
}
