#define BOOST_TEST_MODULE metadata_codec_test
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "common/metadata_codec.hpp"
#include "common/object_status.hpp"

using namespace edgesync;
using nlohmann::json;

namespace {

ObjectMetadata every_field_set() {
  ObjectMetadata meta;
  meta.object_id = "id1";
  meta.object_type = "type1";
  meta.destination_org_id = "org1";
  meta.destination_id = "dest1";
  meta.destination_type = "dtype";
  meta.destinations_list = std::vector<std::string>{"a:b", "c:d"};
  meta.destination_policy_json = R"({"properties":[{"name":"p","value":1}]})";
  meta.expiration = "2030-01-01T00:00:00Z";
  meta.version = "1.2.3";
  meta.description = "desc";
  meta.link = "https://example.org/x";
  meta.inactive = true;
  meta.activation_time = "2030-01-02T00:00:00Z";
  meta.do_not_send = true;
  meta.no_data = true;
  meta.meta_only = true;
  meta.destination_data_uri = "file:///d";
  meta.source_data_uri = "file:///s";
  meta.consumers = 3;
  meta.autodelete = true;
  meta.origin_id = "oid";
  meta.origin_type = "otype";
  meta.deleted = true;
  meta.instance_id = 1700000000000000001;
  meta.data_id = 42;
  meta.object_size = 5000000000;
  meta.chunk_size = 5242880;
  meta.upload_chunk_size = 1024;
  meta.hash_algorithm = "SHA256";
  meta.public_key = "cHVi";
  meta.signature = "c2ln";
  meta.is_public = true;
  meta.owner_id = "org1/user";
  meta.owner_references = {{"model", "m1", true}, {"model", "m2", false}};
  return meta;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_field_round_trips) {
  const ObjectMetadata original = every_field_set();
  auto parsed = parse_metadata(metadata_to_text(original, true));
  BOOST_REQUIRE(parsed.is_ok());
  BOOST_TEST((*parsed == original));
  auto compact = parse_metadata(metadata_to_text(original, false));
  BOOST_TEST((*compact == original));
}

BOOST_AUTO_TEST_CASE(mms_names_are_used_and_every_field_is_written) {
  const json written = metadata_to_json(ObjectMetadata{});
  for (const char* name : {"objectID",
                           "objectType",
                           "destinationOrgID",
                           "destinationID",
                           "destinationType",
                           "destinationsList",
                           "destinationPolicy",
                           "expiration",
                           "version",
                           "description",
                           "link",
                           "inactive",
                           "activationTime",
                           "doNotSend",
                           "noData",
                           "metaOnly",
                           "destinationDataUri",
                           "sourceDataUri",
                           "consumers",
                           "autodelete",
                           "originID",
                           "originType",
                           "deleted",
                           "instanceID",
                           "dataID",
                           "objectSize",
                           "chunkSize",
                           "uploadChunkSize",
                           "hashAlgorithm",
                           "publicKey",
                           "signature",
                           "public",
                           "ownerID",
                           "ownerReferences"}) {
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(written.contains(name));
    }
  }
  BOOST_TEST(written.size() == 34u);
  BOOST_TEST(written["destinationsList"].is_null());
  BOOST_TEST(written["destinationPolicy"].is_null());
  BOOST_TEST(written["ownerReferences"].is_array());
  BOOST_TEST(written["consumers"] == 1);
  const std::string pretty = metadata_to_text(ObjectMetadata{}, true);
  BOOST_TEST(pretty.find("\n  \"") != std::string::npos);  // MMS's 2-space indentation
}

BOOST_AUTO_TEST_CASE(missing_null_and_unknown_fields_take_defaults) {
  auto parsed = parse_metadata(R"({"objectID":"a","objectType":"t","version":null,"consumers":null,
                                   "destinationsList":null,"destinationPolicy":null,"somethingNew":{"x":1},
                                   "ownerReferences":null})");
  BOOST_REQUIRE(parsed.is_ok());
  BOOST_TEST(parsed->object_id == "a");
  BOOST_TEST(parsed->version.empty());
  BOOST_TEST(parsed->consumers == 1);
  BOOST_TEST(!parsed->destinations_list.has_value());
  BOOST_TEST(!parsed->destination_policy_json.has_value());
  BOOST_TEST(parsed->owner_references.empty());
  auto empty = parse_metadata("{}");
  BOOST_REQUIRE(empty.is_ok());
  BOOST_TEST((*empty == ObjectMetadata{}));
}

BOOST_AUTO_TEST_CASE(wrong_types_name_the_field) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"objectID":5})", "objectID"},
      {R"({"consumers":"3"})", "consumers"},
      {R"({"consumers":3.5})", "consumers"},
      {R"({"consumers":99999999999})", "consumers"},
      {R"({"inactive":"true"})", "inactive"},
      {R"({"destinationsList":"a:b"})", "destinationsList"},
      {R"({"destinationsList":[1]})", "destinationsList"},
      {R"({"destinationPolicy":"x"})", "destinationPolicy"},
      {R"({"instanceID":"1"})", "instanceID"},
      {R"({"ownerReferences":[{"objectType":"t"}]})", "ownerReferences"},
      {R"({"ownerReferences":{"objectType":"t","objectID":"i"}})", "ownerReferences"},
      {R"({"public":1})", "public"},
  };
  for (const auto& [text, field] : cases) {
    auto parsed = parse_metadata(text);
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(!parsed.is_ok());
      BOOST_TEST(parsed.status().field() == field);
      BOOST_TEST(parsed.status().message().find(field) != std::string::npos);
    }
  }
  BOOST_TEST(!parse_metadata("[1,2]").is_ok());
  BOOST_TEST(!parse_metadata("{").is_ok());
  BOOST_TEST(!parse_metadata("").is_ok());
}

BOOST_AUTO_TEST_CASE(object_status_names_round_trip) {
  for (ObjectStatus status :
       {ObjectStatus::kNotReady, ObjectStatus::kVerifying, ObjectStatus::kVerificationFailed, ObjectStatus::kReady,
        ObjectStatus::kPartiallyReceived, ObjectStatus::kReceiverVerifying, ObjectStatus::kReceiverVerificationFailed,
        ObjectStatus::kCompletelyReceived, ObjectStatus::kReceived, ObjectStatus::kConsumed, ObjectStatus::kDeleted,
        ObjectStatus::kConsumedByDestination}) {
    BOOST_TEST((parse_object_status(to_string(status)) == status));
  }
  BOOST_TEST(to_string(ObjectStatus::kReceived) == "objreceived");
  BOOST_TEST(to_string(ObjectStatus::kPartiallyReceived) == "partiallyreceived");
  BOOST_TEST(to_string(ObjectStatus::kConsumedByDestination) == "consumedByDest");
  BOOST_TEST(!parse_object_status("Ready").has_value());
  BOOST_TEST(is_origin_status(ObjectStatus::kReady));
  BOOST_TEST(!is_origin_status(ObjectStatus::kCompletelyReceived));
}
