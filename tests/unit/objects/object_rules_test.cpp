// Every rule of reference/mms-reference.md §1.3 that check_object_put enforces, one case each.
#define BOOST_TEST_MODULE object_rules_test
#include <boost/test/unit_test.hpp>

#include "server/objects/object_rules.hpp"

using namespace edgesync;

namespace {

const SystemTime kNow = std::chrono::system_clock::from_time_t(1'800'000'000);
const NodeIdentity kCloud{};
const NodeIdentity kEdge{NodeMode::kEdge, "myorg", "camera", "cam1"};
const ResourceKey kKey{"myorg", "model", "m1"};

ObjectMetadata valid() {
  ObjectMetadata meta;
  meta.object_type = "model";
  meta.object_id = "m1";
  return meta;
}

Status check(const ObjectMetadata& meta, const NodeIdentity& node = kCloud, bool inline_data = false) {
  return check_object_put({meta, kKey, node, inline_data, kNow});
}

void expect_refused(const ObjectMetadata& meta, const std::string& field, const NodeIdentity& node = kCloud,
                    bool inline_data = false) {
  Status status = check(meta, node, inline_data);
  BOOST_TEST_CONTEXT("field " << field << ": " << status.message()) {
    BOOST_TEST((status.code() == StatusCode::kInvalidArgument));
    BOOST_TEST(status.field() == field);
    BOOST_TEST(!status.message().empty());
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_plain_object_is_accepted_on_both_node_kinds) {
  BOOST_TEST(check(valid()).is_ok());
  BOOST_TEST(check(valid(), kEdge).is_ok());
}

BOOST_AUTO_TEST_CASE(identity_and_names) {
  auto meta = valid();
  meta.object_id.clear();
  expect_refused(meta, "objectID");
  BOOST_TEST(check(meta).message() == "Object's meta data does not contain object's ID");
  meta = valid();
  meta.object_type.clear();
  expect_refused(meta, "objectType");
  meta = valid();
  meta.object_id = "m2";
  expect_refused(meta, "objectID");
  meta = valid();
  meta.version = "1 0";
  expect_refused(meta, "version");
  meta = valid();
  meta.description = "see <b>this</b>";
  expect_refused(meta, "description");
  meta = valid();
  meta.description = "a = b / c 'd' & e \\ f";  // MMS accepts these
  BOOST_TEST(check(meta).is_ok());
  meta = valid();
  meta.owner_references = {{"model", "bad/id", false}};
  expect_refused(meta, "ownerReferences");
  meta = valid();
  meta.deleted = true;
  expect_refused(meta, "deleted");
}

BOOST_AUTO_TEST_CASE(destinations) {
  auto meta = valid();
  meta.destination_id = "cam1";
  expect_refused(meta, "destinationID");
  meta.destination_type = "camera";
  BOOST_TEST(check(meta).is_ok());
  meta = valid();
  meta.destinations_list = std::vector<std::string>{"camera:cam1"};
  BOOST_TEST(check(meta).is_ok());
  expect_refused(meta, "destinationsList", kEdge);
  meta.destination_type = "camera";
  expect_refused(meta, "destinationsList");
  meta = valid();
  meta.destinations_list = std::vector<std::string>{"nocolon"};
  expect_refused(meta, "destinationsList");
  meta = valid();
  meta.destination_policy_json = "{}";
  BOOST_TEST(check(meta).is_ok());
  meta.destination_type = "camera";
  expect_refused(meta, "destinationPolicy");
  meta = valid();
  meta.autodelete = true;
  expect_refused(meta, "autodelete");
  meta.destination_type = "camera";
  meta.destination_id = "cam1";
  BOOST_TEST(check(meta).is_ok());
}

BOOST_AUTO_TEST_CASE(destination_policies) {
  auto with_policy = [](const std::string& policy) {
    auto meta = valid();
    meta.destination_policy_json = policy;
    return meta;
  };
  // Delimited raw strings: the versions below contain )" which would end a plain R"(...)".
  BOOST_TEST(check(with_policy("{}")).is_ok());
  const std::string full = R"json({"properties":[{"name":"gpu","value":true}],"constraints":["gpu == true"],
      "services":[{"orgID":"o","arch":"amd64","serviceName":"s","version":"[1.0.0,INFINITY)"}]})json";
  BOOST_TEST(check(with_policy(full)).is_ok());
  for (const std::string version : {"1", "1.2", "1.2.3", "[1.0.0,2.0.0)", "(1.0,2]"}) {
    const std::string policy =
        R"json({"services":[{"orgID":"o","arch":"a","serviceName":"s","version":")json" + version + R"json("}]})json";
    BOOST_TEST_CONTEXT(version) {
      BOOST_TEST(check(with_policy(policy)).is_ok());
    }
  }
  const std::vector<std::string> refused = {
      R"json({"properties":[{"value":1}]})json",
      R"json({"properties":{"name":"x"}})json",
      R"json({"constraints":[1]})json",
      R"json({"services":[{"arch":"a","serviceName":"s","version":"1"}]})json",
      R"json({"services":[{"orgID":"o","arch":"a","serviceName":"s"}]})json",
      R"json({"services":[{"orgID":"o","arch":"a","serviceName":"s","version":"latest"}]})json",
      R"json({"services":[{"orgID":"o","arch":"a","serviceName":"s","version":"[1.0,2.0"}]})json",
      R"json([1])json",
  };
  for (const auto& bad : refused) {
    BOOST_TEST_CONTEXT(bad) {
      expect_refused(with_policy(bad), "destinationPolicy");
    }
  }
}

BOOST_AUTO_TEST_CASE(times) {
  auto meta = valid();
  meta.expiration = "2027-01-16T08:00:00Z";  // after kNow
  BOOST_TEST(check(meta).is_ok());
  expect_refused(meta, "expiration", kEdge);
  meta.expiration = "2020-01-01T00:00:00Z";
  expect_refused(meta, "expiration");
  meta.expiration = "soon";
  expect_refused(meta, "expiration");
  meta = valid();
  meta.inactive = true;
  meta.activation_time = "2020-01-01T00:00:00Z";
  expect_refused(meta, "activationTime");
  meta.activation_time = "2027-01-16T08:00:00Z";
  BOOST_TEST(check(meta).is_ok());
}

BOOST_AUTO_TEST_CASE(data_fields) {
  auto meta = valid();
  meta.hash_algorithm = "MD5";
  expect_refused(meta, "hashAlgorithm");
  meta.hash_algorithm = "SHA256";
  BOOST_TEST(check(meta).is_ok());
  meta = valid();
  meta.public_key = "not base64!";
  expect_refused(meta, "publicKey");
  meta = valid();
  meta.signature = "abc";  // wrong length
  expect_refused(meta, "signature");
  meta = valid();
  meta.meta_only = true;
  expect_refused(meta, "metaOnly", kCloud, true);
  BOOST_TEST(check(meta).is_ok());
  meta = valid();
  meta.consumers = -2;
  expect_refused(meta, "consumers");
  meta.consumers = -1;
  BOOST_TEST(check(meta).is_ok());
  meta = valid();
  meta.destination_data_uri = "file:///data/x";
  BOOST_TEST(check(meta).is_ok());
  expect_refused(meta, "destinationDataUri", kEdge);
  meta.destination_data_uri = "file://host/x";
  expect_refused(meta, "destinationDataUri");
  meta.destination_data_uri = "http://host/x";
  expect_refused(meta, "destinationDataUri");
  meta = valid();
  meta.source_data_uri = "file:///data/x";
  expect_refused(meta, "sourceDataUri");  // cloud
  BOOST_TEST(check(meta, kEdge).is_ok());
  expect_refused(meta, "sourceDataUri", kEdge, true);
}

BOOST_AUTO_TEST_CASE(status_helpers) {
  BOOST_TEST(is_data_readable(ObjectStatus::kReady));
  BOOST_TEST(is_data_readable(ObjectStatus::kCompletelyReceived));
  BOOST_TEST(!is_data_readable(ObjectStatus::kNotReady));
  BOOST_TEST(!is_data_readable(ObjectStatus::kPartiallyReceived));
  BOOST_TEST(!is_data_readable(ObjectStatus::kReceiverVerificationFailed));
  BOOST_TEST(file_uri_path("file:///a/b").value_or("") == "/a/b");
  BOOST_TEST(!file_uri_path("file://host/a").has_value());
  BOOST_TEST(!file_uri_path("file:").has_value());
}
