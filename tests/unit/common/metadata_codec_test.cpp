#define BOOST_TEST_MODULE metadata_codec_test
#include <boost/test/unit_test.hpp>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/metadata_codec.hpp"

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

BOOST_AUTO_TEST_CASE(wrong_type_messages_are_exact) {
  auto consumers = parse_metadata(R"({"consumers":"3"})");
  BOOST_TEST(consumers.status().message() == "Invalid JSON for field consumers: expected an integer");
  BOOST_TEST((consumers.status().code() == StatusCode::kInvalidArgument));
  auto inactive = parse_metadata(R"({"inactive":0})");
  BOOST_TEST(inactive.status().message() == "Invalid JSON for field inactive: expected true or false");
  auto object_id = parse_metadata(R"({"objectID":["a"]})");
  BOOST_TEST(object_id.status().message() == "Invalid JSON for field objectID: expected a string");
}

BOOST_AUTO_TEST_CASE(integers_out_of_range_are_refused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"consumers":2147483648})", "consumers"},
      {R"({"consumers":-2147483649})", "consumers"},
      {R"({"instanceID":9223372036854775808})", "instanceID"},
      {R"({"objectSize":18446744073709551615})", "objectSize"},
  };
  for (const auto& [text, field] : cases) {
    auto parsed = parse_metadata(text);
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(!parsed.is_ok());
      BOOST_TEST(parsed.status().field() == field);
      BOOST_TEST(parsed.status().message().find("expected an integer from") != std::string::npos,
                 parsed.status().message());
    }
  }
  auto limits = parse_metadata(R"({"consumers":-1,"instanceID":9223372036854775807,"dataID":-9223372036854775808})");
  BOOST_REQUIRE_MESSAGE(limits.is_ok(), limits.status().message());
  BOOST_TEST(limits->consumers == -1);
  BOOST_TEST(limits->instance_id == std::numeric_limits<int64_t>::max());
  BOOST_TEST(limits->data_id == std::numeric_limits<int64_t>::min());
}

BOOST_AUTO_TEST_CASE(destination_policy_is_kept_as_json_text) {
  auto parsed = parse_metadata(R"({"destinationPolicy":{"properties":[{"name":"p","value":[1,{"x":null}]}],
                                   "constraints":["a == b"],"timestamp":17}})");
  BOOST_REQUIRE(parsed.is_ok());
  BOOST_REQUIRE(parsed->destination_policy_json.has_value());
  const json policy = json::parse(*parsed->destination_policy_json);
  BOOST_TEST(policy["timestamp"] == 17);
  BOOST_TEST(policy["constraints"][0] == "a == b");
  BOOST_TEST(policy["properties"][0]["value"][1]["x"].is_null());
  // Written back as an object, not as a string holding JSON.
  const json written = metadata_to_json(*parsed);
  BOOST_TEST(written["destinationPolicy"].is_object());
  BOOST_TEST((written["destinationPolicy"] == policy));
  // An empty policy object is a policy, not an absent one.
  auto empty = parse_metadata(R"({"destinationPolicy":{}})");
  BOOST_REQUIRE(empty.is_ok());
  BOOST_TEST((empty->destination_policy_json == std::optional<std::string>("{}")));
}

// nlohmann's dump() recurses once per level: a policy nested 200000 deep used to overflow the stack.
BOOST_AUTO_TEST_CASE(deeply_nested_policy_is_refused_without_crashing) {
  constexpr int kDepth = 200000;
  std::string text = R"({"objectID":"a","destinationPolicy":)";
  for (int i = 0; i < kDepth; ++i) text += R"({"a":)";
  text += "1";
  text.append(kDepth, '}');
  text += "}";
  auto parsed = parse_metadata(text);
  BOOST_TEST(!parsed.is_ok());
  BOOST_TEST(parsed.status().field() == "destinationPolicy");
  BOOST_TEST(parsed.status().message().find("nested deeper than") != std::string::npos);

  const std::string shallow = R"({"destinationPolicy":{"a":)" + std::string(10, '[') + std::string(10, ']') + "}}";
  BOOST_TEST(parse_metadata(shallow).is_ok());
}

BOOST_AUTO_TEST_CASE(lists_keep_empty_apart_from_absent) {
  auto empty = parse_metadata(R"({"destinationsList":[]})");
  BOOST_REQUIRE(empty.is_ok());
  BOOST_REQUIRE(empty->destinations_list.has_value());
  BOOST_TEST(empty->destinations_list->empty());
  BOOST_TEST(metadata_to_json(*empty)["destinationsList"].is_array());
  auto owners = parse_metadata(R"({"ownerReferences":[{"objectType":"t","objectID":"i"}]})");
  BOOST_REQUIRE(owners.is_ok());
  BOOST_REQUIRE(owners->owner_references.size() == 1u);
  BOOST_TEST(!owners->owner_references[0].unset_on_delete);  // missing flag → false
  BOOST_TEST(metadata_to_json(ObjectMetadata{})["ownerReferences"].dump() == "[]");
}

BOOST_AUTO_TEST_CASE(text_is_kept_byte_for_byte) {
  ObjectMetadata meta;
  meta.object_id = "模型-1";
  meta.description = "line one\nline \"two\" \\ <tab>\t";
  auto parsed = parse_metadata(metadata_to_text(meta, false));
  BOOST_REQUIRE(parsed.is_ok());
  BOOST_TEST(parsed->object_id == meta.object_id);
  BOOST_TEST(parsed->description == meta.description);
  BOOST_TEST(metadata_to_text(meta, false).find('\n') == std::string::npos);  // compact is one line
  BOOST_TEST(!metadata_from_json(json::array()).is_ok());
  BOOST_TEST(!metadata_from_json(json("text")).is_ok());
}

// metadata_to_text writes the text directly; it must be byte for byte the DOM's dump, whatever the
// content: every field set or none, escapes, non-ASCII and invalid UTF-8, empty and nested lists, a
// nested policy, extreme numbers; pretty and compact.
BOOST_AUTO_TEST_CASE(the_direct_text_is_exactly_the_dom_dump) {
  std::vector<ObjectMetadata> cases;
  cases.push_back(ObjectMetadata{});
  cases.push_back(every_field_set());
  ObjectMetadata escapes = every_field_set();
  escapes.description = "quote \" backslash \\ newline \n tab \t bell \x07 del \x7f";
  escapes.version = "héllo wörld — 日本 🚀";
  escapes.link = std::string("bad utf-8 \xff\xfe end") + std::string(1, '\0') + "nul";
  escapes.destinations_list = std::vector<std::string>{};
  escapes.destination_policy_json =
      R"({"properties":[{"name":"p","value":[1,{"deep":{"x":null}}]}],"constraints":[],"services":{},"t":"é"})";
  escapes.owner_references = {};
  escapes.instance_id = std::numeric_limits<int64_t>::max();
  escapes.data_id = std::numeric_limits<int64_t>::min();
  escapes.consumers = -1;
  cases.push_back(escapes);
  ObjectMetadata invalid_policy = every_field_set();
  invalid_policy.destination_policy_json = "{not json";
  invalid_policy.owner_references = {{"t\"q", "i\\d", false}};
  cases.push_back(invalid_policy);
  for (const auto& meta : cases) {
    for (bool pretty : {true, false}) {
      const std::string dom =
          metadata_to_json(meta).dump(pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
      BOOST_TEST(metadata_to_text(meta, pretty) == dom);
    }
  }
}
