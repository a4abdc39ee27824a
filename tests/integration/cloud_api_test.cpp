// The object API of a cloud node, driven over real HTTP against the real binary
// (reference/mms-reference.md §1–2, §11).
#define BOOST_TEST_MODULE cloud_api_test
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "common/time_format.hpp"
#include "tests/integration/api_test_helpers.hpp"
#include "tests/support/node_process.hpp"

using namespace edgesync::test;
using nlohmann::json;

namespace {

// One cloud node for the whole file; timers short so activation and expiration are observable.
struct CloudNode {
  TempDir dir;
  NodeProcess node;
  CloudNode() : node(dir.path() / "cloud", config_args(dir)) {}
  static std::vector<std::string> config_args(const TempDir& dir) {
    const auto config = dir.path() / "cloud.yaml";
    std::ofstream(config) << "mode: cloud\n"
                             "objects:\n  activation_interval_seconds: 1\n  maintenance_interval_seconds: 1\n"
                             "http:\n  max_metadata_bytes: 65536\n";
    return {"--config", config.string()};
  }
};

CloudNode& cloud() {
  static CloudNode instance;
  return instance;
}

HttpClient admin() {
  return HttpClient(cloud().node.port(), "admin@myorg");
}

const std::string kBase = "/api/v1/objects/myorg";

std::string in_seconds(int seconds) {
  return edgesync::format_rfc3339(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

}  // namespace

BOOST_AUTO_TEST_CASE(health_answers_with_the_mms_shape_and_refuses_bad_credentials) {
  auto client = admin();
  auto health = client.get("/api/v1/health");
  BOOST_TEST(health.status == 200);
  auto body = json_of(health);
  BOOST_TEST(body["general"]["nodeType"] == "CSS");
  BOOST_TEST(body["general"]["healthStatus"] == "green");
  BOOST_TEST(body["dbHealth"]["dbStatus"] == "green");
  BOOST_TEST(!body.contains("usage"));
  auto detailed = json_of(client.get("/api/v1/health?details=true"));
  BOOST_TEST(detailed["usage"]["clientRequests"].get<int>() >= 1);

  HttpClient anonymous(cloud().node.port());
  auto refused = anonymous.get("/api/v1/health");
  BOOST_TEST(refused.status == 403);
  BOOST_TEST(refused.body.find("Unauthorized") != std::string::npos);
  HttpClient edge_node(cloud().node.port(), "myorg/edge-type/edge1");
  BOOST_TEST(edge_node.get("/api/v1/health").status == 403);
}

BOOST_AUTO_TEST_CASE(every_response_carries_the_mms_cache_headers) {
  auto client = admin();
  for (const auto& result : {client.get("/api/v1/health"), client.get(kBase + "/none/none")}) {
    BOOST_TEST(result.header("cache-control") == "no-store, no-cache, must-revalidate");
    BOOST_TEST(result.header("pragma") == "no-cache");
    BOOST_TEST(result.header("strict-transport-security") == "max-age=63072000; includeSubDomains; preload");
  }
}

BOOST_AUTO_TEST_CASE(metadata_put_then_get_fills_service_fields) {
  auto client = admin();
  BOOST_TEST(client
                 .put(kBase + "/model/m1",
                      object_body("model", "m1", {{"version", "1.0"}, {"description", "a model"}, {"unknownField", 5}}))
                 .status == 204);
  auto got = client.get(kBase + "/model/m1");
  BOOST_TEST(got.status == 200);
  BOOST_TEST(got.header("content-type") == "application/json");
  auto meta = json_of(got);
  BOOST_TEST(meta["objectID"] == "m1");
  BOOST_TEST(meta["destinationOrgID"] == "myorg");
  BOOST_TEST(meta["ownerID"] == "myorg/admin");
  BOOST_TEST(meta["originType"] == "Cloud");
  BOOST_TEST(meta["originID"] == "Cloud");
  BOOST_TEST(meta["chunkSize"] == 5242880);
  BOOST_TEST(meta["dataID"] == 0);
  BOOST_TEST(meta["consumers"] == 1);
  BOOST_TEST(meta["instanceID"].get<int64_t>() > 0);
  BOOST_TEST(meta["destinationsList"].is_null());
  BOOST_TEST(!meta.contains("unknownField"));
  auto status = client.get(kBase + "/model/m1/status");
  BOOST_TEST(status.status == 200);
  BOOST_TEST(status.body == "notReady");
  BOOST_TEST(status.header("content-type") == "plain/text");
}

BOOST_AUTO_TEST_CASE(instance_id_grows_with_every_update) {
  auto client = admin();
  int64_t last = 0;
  for (int i = 0; i < 5; ++i) {
    BOOST_TEST(
        client.put(kBase + "/cfg/versions", object_body("cfg", "versions", {{"version", std::to_string(i)}})).status ==
        204);
    const int64_t instance = json_of(client.get(kBase + "/cfg/versions"))["instanceID"].get<int64_t>();
    BOOST_TEST(instance > last);
    last = instance;
  }
}

BOOST_AUTO_TEST_CASE(whole_data_upload_and_download) {
  auto client = admin();
  const std::string data = pattern_bytes(3 * 1024 * 1024 + 17);
  BOOST_TEST(client.put(kBase + "/file/big", object_body("file", "big")).status == 204);
  BOOST_TEST(client.get(kBase + "/file/big/data").status == 404);  // not ready yet
  BOOST_TEST(client.put(kBase + "/file/big/data", data).status == 204);
  auto meta = json_of(client.get(kBase + "/file/big"));
  BOOST_TEST(meta["objectSize"] == data.size());
  BOOST_TEST(meta["dataID"] == meta["instanceID"]);
  BOOST_TEST(client.get(kBase + "/file/big/status").body == "ready");
  auto download = client.get(kBase + "/file/big/data");
  BOOST_TEST(download.status == 200);
  BOOST_TEST(download.header("content-type") == "application/octet-stream");
  BOOST_TEST((download.body == data));
}

BOOST_AUTO_TEST_CASE(ranged_download_follows_rfc7233) {
  auto client = admin();
  const std::string data = "0123456789";
  BOOST_TEST(client.put(kBase + "/file/ten", object_body("file", "ten", {}, &data)).status == 204);
  auto part = client.get(kBase + "/file/ten/data", {{"Range", "bytes=2-4"}});
  BOOST_TEST(part.status == 206);
  BOOST_TEST(part.body == "234");
  BOOST_TEST(part.header("content-range") == "bytes 2-4/10");
  auto clipped = client.get(kBase + "/file/ten/data", {{"Range", "bytes=7-100"}});
  BOOST_TEST(clipped.status == 206);
  BOOST_TEST(clipped.body == "789");
  BOOST_TEST(clipped.header("content-range") == "bytes 7-9/10");
  auto suffix = client.get(kBase + "/file/ten/data", {{"Range", "bytes=-3"}});
  BOOST_TEST(suffix.body == "789");
  auto open_end = client.get(kBase + "/file/ten/data", {{"Range", "bytes=8-"}});
  BOOST_TEST(open_end.body == "89");
  auto whole = client.get(kBase + "/file/ten/data", {{"Range", "bytes=0-9"}});
  BOOST_TEST(whole.status == 200);
  BOOST_TEST(!whole.has_header("content-range"));
  auto past = client.get(kBase + "/file/ten/data", {{"Range", "bytes=10-12"}});
  BOOST_TEST(past.status == 416);
  BOOST_TEST(past.header("content-range") == "bytes */10");
  for (const char* bad : {"items=0-4", "bytes=5-2", "bytes=0-1,3-4", "bytes=x-y"}) {
    auto refused = client.get(kBase + "/file/ten/data", {{"Range", bad}});
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(refused.status == 400);
      BOOST_TEST(refused.body.find("0123456789") == std::string::npos);  // never data with an error
    }
  }
}

// Larger than an in-memory answer: a plain connection sends the file with sendfile(2), from the range's
// first byte; a data file cut short behind the server's back ends the connection instead of hanging it
// or sending a whole-looking answer.
BOOST_AUTO_TEST_CASE(a_large_download_sends_exactly_its_range_and_a_short_file_ends_the_connection) {
  auto client = admin();
  // A size no other object of this suite has: the data file is found by it below.
  const std::string data = pattern_bytes(3 * 1024 * 1024 + 4111, 5);
  BOOST_REQUIRE(client.put(kBase + "/file/sent", object_body("file", "sent")).status == 204);
  BOOST_REQUIRE(client.put(kBase + "/file/sent/data", data).status == 204);
  auto part = client.get(kBase + "/file/sent/data", {{"Range", "bytes=100001-2500000"}});
  BOOST_TEST(part.status == 206);
  BOOST_TEST((part.body == data.substr(100001, 2400000)));
  auto tail = client.get(kBase + "/file/sent/data", {{"Range", "bytes=-70000"}});
  BOOST_TEST((tail.body == data.substr(data.size() - 70000)));

  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(cloud().dir.path()))
    if (entry.is_regular_file() && entry.file_size() == data.size()) files.push_back(entry.path());
  BOOST_REQUIRE_EQUAL(files.size(), 1u);
  std::filesystem::resize_file(files.front(), 1024 * 1024);
  auto cut = client.get(kBase + "/file/sent/data");
  BOOST_TEST((cut.status != 200 || cut.body.size() < data.size()), cut.status);
  HttpClient again = admin();
  BOOST_TEST(again.get("/api/v1/health").status == 200);  // the server carries on
}

// Clients that walk away in the middle of a large download (half-close, then close with data unread)
// make the server's next sendfile fail with EPIPE; that ends their connection, not the server (the
// signal that EPIPE raises by default would kill it).
BOOST_AUTO_TEST_CASE(clients_dropping_a_large_download_end_only_their_connection) {
  auto client = admin();
  const std::string data = pattern_bytes(24 * 1024 * 1024, 9);
  BOOST_REQUIRE(client.put(kBase + "/file/dropped", object_body("file", "dropped")).status == 204);
  BOOST_REQUIRE(client.put(kBase + "/file/dropped/data", data).status == 204);
  const std::string request =
      "GET " + kBase + "/file/dropped/data HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic_auth("admin@myorg") +
      "\r\n\r\n";
  for (int round = 0; round < 5; ++round) {
    BOOST_TEST(read_then_drop(cloud().node.port(), request, 256 * 1024) >= 256 * 1024u);
    HttpClient again = admin();
    BOOST_REQUIRE_EQUAL(again.get("/api/v1/health").status, 200);
  }
  BOOST_TEST((client.get(kBase + "/file/dropped/data").body == data));
}

BOOST_AUTO_TEST_CASE(chunked_upload_in_any_order_completes_the_object) {
  auto client = admin();
  const std::string data = pattern_bytes(250000, 3);
  BOOST_TEST(client.put(kBase + "/file/chunked", object_body("file", "chunked")).status == 204);
  const size_t chunk = 100000;
  for (size_t first : {size_t(200000), size_t(0), size_t(100000)}) {
    const size_t last = std::min(first + chunk, data.size()) - 1;
    const std::string range =
        "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(data.size());
    BOOST_TEST(
        client.put(kBase + "/file/chunked/data", data.substr(first, last - first + 1), {{"Content-Range", range}})
            .status == 204);
    if (first != 100000) BOOST_TEST(client.get(kBase + "/file/chunked/status").body == "notReady");
  }
  BOOST_TEST(client.get(kBase + "/file/chunked/status").body == "ready");
  BOOST_TEST((client.get(kBase + "/file/chunked/data").body == data));
  auto meta = json_of(client.get(kBase + "/file/chunked"));
  BOOST_TEST(meta["objectSize"] == data.size());
  BOOST_TEST(meta["uploadChunkSize"] == chunk);
}

BOOST_AUTO_TEST_CASE(chunked_upload_refuses_inconsistent_ranges) {
  auto client = admin();
  BOOST_TEST(client.put(kBase + "/file/badchunk", object_body("file", "badchunk")).status == 204);
  check_bad_request(client.put(kBase + "/file/badchunk/data", "abc", {{"Content-Range", "bytes 0-9/20"}}),
                    "Content-Range");
  check_bad_request(client.put(kBase + "/file/badchunk/data", "abc", {{"Content-Range", "bytes 0-2/2"}}), "");
  check_bad_request(client.put(kBase + "/file/badchunk/data", "abc", {{"Content-Range", "lines 0-2/3"}}), "");
  BOOST_TEST(client.get(kBase + "/file/badchunk/status").body == "notReady");
}

BOOST_AUTO_TEST_CASE(meta_only_update_keeps_data_and_size) {
  auto client = admin();
  const std::string data = "payload-bytes";
  BOOST_TEST(client.put(kBase + "/file/keep", object_body("file", "keep", {}, &data)).status == 204);
  BOOST_TEST(
      client.put(kBase + "/file/keep", object_body("file", "keep", {{"metaOnly", true}, {"version", "2"}})).status ==
      204);
  auto meta = json_of(client.get(kBase + "/file/keep"));
  BOOST_TEST(meta["version"] == "2");
  BOOST_TEST(meta["objectSize"] == data.size());
  BOOST_TEST(client.get(kBase + "/file/keep/status").body == "ready");
  BOOST_TEST(client.get(kBase + "/file/keep/data").body == data);
  // A plain update without data drops the data: the object waits for new data.
  BOOST_TEST(client.put(kBase + "/file/keep", object_body("file", "keep")).status == 204);
  BOOST_TEST(client.get(kBase + "/file/keep/status").body == "notReady");
  BOOST_TEST(client.get(kBase + "/file/keep/data").status == 404);
}

BOOST_AUTO_TEST_CASE(no_data_and_link_objects_are_ready_without_data) {
  auto client = admin();
  BOOST_TEST(client.put(kBase + "/note/n1", object_body("note", "n1", {{"noData", true}})).status == 204);
  BOOST_TEST(client.get(kBase + "/note/n1/status").body == "ready");
  check_bad_request(client.put(kBase + "/note/n1/data", "x"), "noData");
  BOOST_TEST(client.put(kBase + "/note/l1", object_body("note", "l1", {{"link", "https://example.org/x"}})).status ==
             204);
  BOOST_TEST(client.get(kBase + "/note/l1/status").body == "ready");
  BOOST_TEST(client.get(kBase + "/note/l1/data").status == 404);
}

BOOST_AUTO_TEST_CASE(destination_policy_is_stored_with_its_timestamp) {
  auto client = admin();
  const json policy = {{"properties", {{{"name", "gpu"}, {"value", true}}}},
                       {"services", {{{"orgID", "o"}, {"arch", "amd64"}, {"serviceName", "s"}, {"version", "1.0.0"}}}}};
  BOOST_TEST(client.put(kBase + "/pol/p1", object_body("pol", "p1", {{"destinationPolicy", policy}})).status == 204);
  auto stored = json_of(client.get(kBase + "/pol/p1"))["destinationPolicy"];
  BOOST_TEST(stored["properties"][0]["name"] == "gpu");
  BOOST_TEST(stored["timestamp"].get<int64_t>() > 0);
  // A metaOnly update may not add or remove the policy.
  check_bad_request(client.put(kBase + "/pol/p1", object_body("pol", "p1", {{"metaOnly", true}})),
                    "destination policy");
}

BOOST_AUTO_TEST_CASE(consumers_are_normalised) {
  auto client = admin();
  BOOST_TEST(client.put(kBase + "/c/zero", object_body("c", "zero", {{"consumers", 0}})).status == 204);
  BOOST_TEST(json_of(client.get(kBase + "/c/zero"))["consumers"] == 1);
  BOOST_TEST(client.put(kBase + "/c/all", object_body("c", "all", {{"consumers", -1}})).status == 204);
  BOOST_TEST(json_of(client.get(kBase + "/c/all"))["consumers"] == 2147483647);
  check_bad_request(client.put(kBase + "/c/neg", object_body("c", "neg", {{"consumers", -2}})), "consumers");
}

BOOST_AUTO_TEST_CASE(delete_removes_object_and_data) {
  auto client = admin();
  const std::string data = "to be deleted";
  BOOST_TEST(client.put(kBase + "/file/gone", object_body("file", "gone", {}, &data)).status == 204);
  BOOST_TEST(client.del(kBase + "/file/gone").status == 204);
  auto missing = client.get(kBase + "/file/gone");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(missing.body.empty());
  BOOST_TEST(!missing.has_header("content-type"));
  BOOST_TEST(client.get(kBase + "/file/gone/data").status == 404);
  BOOST_TEST(client.get(kBase + "/file/gone/status").status == 404);
  auto unknown = client.del(kBase + "/file/never");
  BOOST_TEST(unknown.status == 404);
  BOOST_TEST(unknown.body.empty());
}

BOOST_AUTO_TEST_CASE(marks_on_the_origin_side_are_refused_as_mms_does) {
  auto client = admin();
  const std::string data = "x";
  BOOST_TEST(client.put(kBase + "/mark/o1", object_body("mark", "o1", {}, &data)).status == 204);
  auto consumed = client.put(kBase + "/mark/o1/consumed", "");
  check_bad_request(consumed, "Invalid attempt to mark object in status ready as consumed");
  BOOST_TEST(consumed.body.size() >= 2);
  BOOST_TEST(consumed.body.substr(consumed.body.size() - 2) == "\n\n");
  check_bad_request(client.put(kBase + "/mark/o1/received", ""), "as received");
  check_bad_request(client.put(kBase + "/mark/o1/deleted", ""), "as deleted");
  check_bad_request(client.put(kBase + "/mark/none/consumed", ""), "Failed to find object to mark as consumed");
  BOOST_TEST(client.get(kBase + "/mark/o1/consumed").status == 405);
}

BOOST_AUTO_TEST_CASE(list_of_updates_is_404_when_nothing_was_received) {
  auto client = admin();
  auto list = client.get(kBase + "/model");
  BOOST_TEST(list.status == 404);
  BOOST_TEST(list.body.empty());
  BOOST_TEST(client.get(kBase + "/model?received=true").status == 404);
  check_bad_request(client.get(kBase + "/model?received=maybe"), "received");
}

BOOST_AUTO_TEST_CASE(activate_by_hand_and_by_activation_time) {
  auto client = admin();
  check_bad_request(client.put(kBase + "/act/none/activate", ""), "Object not found");
  BOOST_TEST(client.put(kBase + "/act/a1", object_body("act", "a1", {{"inactive", true}})).status == 204);
  BOOST_TEST(json_of(client.get(kBase + "/act/a1"))["inactive"] == true);
  BOOST_TEST(client.put(kBase + "/act/a1/activate", "").status == 204);
  BOOST_TEST(json_of(client.get(kBase + "/act/a1"))["inactive"] == false);

  BOOST_TEST(
      client.put(kBase + "/act/a2", object_body("act", "a2", {{"inactive", true}, {"activationTime", in_seconds(2)}}))
          .status == 204);
  BOOST_TEST(json_of(client.get(kBase + "/act/a2"))["inactive"] == true);
  BOOST_TEST(wait_until([&] { return json_of(client.get(kBase + "/act/a2"))["inactive"] == false; }));
  check_bad_request(
      client.put(kBase + "/act/a3",
                 object_body("act", "a3", {{"inactive", true}, {"activationTime", "2001-01-01T00:00:00Z"}})),
      "activation time");
}

BOOST_AUTO_TEST_CASE(expired_objects_are_removed) {
  auto client = admin();
  const std::string data = "short-lived";
  BOOST_TEST(client.put(kBase + "/exp/e1", object_body("exp", "e1", {{"expiration", in_seconds(2)}}, &data)).status ==
             204);
  BOOST_TEST(client.get(kBase + "/exp/e1").status == 200);
  BOOST_TEST(wait_until([&] { return client.get(kBase + "/exp/e1").status == 404; }));
  BOOST_TEST(client.get(kBase + "/exp/e1/data").status == 404);
  check_bad_request(client.put(kBase + "/exp/e2", object_body("exp", "e2", {{"expiration", "2001-01-01T00:00:00Z"}})),
                    "Invalid expiration time in object's meta data");
  check_bad_request(client.put(kBase + "/exp/e3", object_body("exp", "e3", {{"expiration", "tomorrow"}})),
                    "Invalid expiration time in object's meta data");
}

BOOST_AUTO_TEST_CASE(webhooks_register_and_delete) {
  auto client = admin();
  BOOST_TEST(client.put(kBase + "/model", R"({"action":"register","url":"http://127.0.0.1:9/hook"})").status == 204);
  BOOST_TEST(client.put(kBase + "/model", R"({"action":"register","url":"http://127.0.0.1:9/hook"})").status == 204);
  BOOST_TEST(client.put(kBase + "/model", R"({"action":"delete","url":"http://127.0.0.1:9/hook"})").status == 204);
  check_bad_request(client.put(kBase + "/model", R"({"action":"subscribe","url":"http://127.0.0.1:9/hook"})"),
                    "Invalid webhook action");
  check_bad_request(client.put(kBase + "/model", R"({"action":"register","url":"ftp://host/x"})"), "http://");
  check_bad_request(client.put(kBase + "/model", R"({"action":"register","url":"http:///x"})"), "no host");
  check_bad_request(client.put(kBase + "/model", "not json"), "Invalid JSON");
}

BOOST_AUTO_TEST_CASE(path_names_are_validated) {
  auto client = admin();
  check_bad_request(client.get("/api/v1/objects/my%20org/t/i"), "Organization ID (my org) contains invalid characters");
  check_bad_request(client.get(kBase + "/t%3Cx%3E/i"), "object Type (t&lt;x&gt;) contains invalid characters");
  check_bad_request(client.get(kBase + "/t/a%2Fb"), "object ID (a/b) contains invalid characters");
  check_bad_request(client.get(kBase + "/t/..%2F..%2Fetc"), "contains invalid characters");
  auto unknown_operation = client.put(kBase + "/t/i/frobnicate", "");
  check_bad_request(unknown_operation, "unknown object operation: frobnicate");
  check_bad_request(client.get(kBase), "The URL must name an object type");
  check_bad_request(client.get(kBase + "/t/i/received/more"), "Too many path segments");
  BOOST_TEST(client.request("POST", kBase + "/t/i").status == 405);
}

BOOST_AUTO_TEST_CASE(every_put_rule_has_a_clear_400) {
  auto client = admin();
  const std::string url = kBase + "/rule/r1";
  struct Case {
    json meta;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{{"objectType", "rule"}}, "Object's meta data does not contain object's ID"},
      {{{"objectID", "other"}, {"objectType", "rule"}}, "does not match the URL"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"hashAlgorithm", "MD5"}}, "Invalid hash algorithm"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"publicKey", "***"}}, "publicKey"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"signature", "***"}}, "signature"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"version", "1 0"}}, "object version"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"description", "<b>bold</b>"}}, "description"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"destinationID", "e1"}}, "destinationID requires"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"destinationType", "t"}, {"destinationsList", {"t:e1"}}},
       "destinationsList and destinationType"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"destinationsList", {"no-colon"}}}, "type:id"},
      {{{"objectID", "r1"},
        {"objectType", "rule"},
        {"destinationType", "t"},
        {"destinationPolicy", {{"properties", json::array()}}}},
       "destinationPolicy"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"autodelete", true}}, "autodelete requires"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"destinationPolicy", {{"properties", {{{"value", 1}}}}}}},
       "properties must each have a name"},
      {{{"objectID", "r1"},
        {"objectType", "rule"},
        {"destinationPolicy", {{"services", {{{"orgID", "o"}, {"serviceName", "s"}, {"version", "1.0"}}}}}}},
       "orgID, arch and serviceName"},
      {{{"objectID", "r1"},
        {"objectType", "rule"},
        {"destinationPolicy",
         {{"services", {{{"orgID", "o"}, {"arch", "a"}, {"serviceName", "s"}, {"version", "newest"}}}}}}},
       "version range"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"deleted", true}}, "Object marked as deleted"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"destinationDataUri", "file://host/x"}}, "destinationDataUri"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"sourceDataUri", "file:///tmp/x"}}, "sourceDataUri"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"consumers", "three"}}, "consumers"},
      {{{"objectID", "r1"}, {"objectType", "rule"}, {"inactive", "yes"}}, "inactive"},
  };
  for (const auto& item : cases) {
    BOOST_TEST_CONTEXT(item.meta.dump()) {
      check_bad_request(client.put(url, json{{"meta", item.meta}}.dump()), item.expected);
    }
  }
  check_bad_request(client.put(url, ""), "Invalid JSON for update. Error: EOF");
  check_bad_request(client.put(url, "{\"meta\":"), "Invalid JSON for update");
  check_bad_request(client.put(url, "{}"), "Object's meta data does not contain object's ID");
  check_bad_request(client.put(url, R"({"meta":{"objectID":"r1","objectType":"rule","metaOnly":true},"data":"eA=="})"),
                    "metaOnly");
  check_bad_request(client.put(url, R"({"meta":{"objectID":"r1","objectType":"rule"},"data":"%%%"})"), "base64");
  BOOST_TEST(client.get(url).status == 404);  // nothing stored by any refused PUT

  auto as_json = client.put(url, json{{"meta", {{"objectType", "rule"}}}}.dump(), {{"Accept", "application/json"}});
  BOOST_TEST(as_json.status == 400);
  BOOST_TEST(json_of(as_json)["field"] == "objectID");
  BOOST_TEST(json_of(as_json)["error"] == "Object's meta data does not contain object's ID");
}

BOOST_AUTO_TEST_CASE(oversized_metadata_body_is_413_and_stores_nothing) {
  auto client = admin();
  const std::string description(70000, 'a');
  auto refused = client.put(kBase + "/big/b1", object_body("big", "b1", {{"description", description}}));
  BOOST_TEST(refused.status == 413);
  HttpClient again = admin();
  BOOST_TEST(again.get(kBase + "/big/b1").status == 404);
}

BOOST_AUTO_TEST_CASE(organizations_are_isolated) {
  auto writer = admin();
  BOOST_TEST(writer.put(kBase + "/iso/private", object_body("iso", "private")).status == 204);
  BOOST_TEST(writer.put(kBase + "/iso/shared", object_body("iso", "shared", {{"public", true}})).status == 204);
  HttpClient other(cloud().node.port(), "admin@otherorg");
  BOOST_TEST(other.get(kBase + "/iso/private").status == 403);
  BOOST_TEST(other.get(kBase + "/iso/shared").status == 200);
  BOOST_TEST(other.put(kBase + "/iso/shared", object_body("iso", "shared")).status == 403);
  BOOST_TEST(other.del(kBase + "/iso/private").status == 403);
  HttpClient object_admin(cloud().node.port(), "myorg/alice");
  BOOST_TEST(object_admin.put(kBase + "/iso/alice", object_body("iso", "alice")).status == 204);
  BOOST_TEST(json_of(object_admin.get(kBase + "/iso/alice"))["ownerID"] == "myorg/alice");
  BOOST_TEST(
      object_admin.put(kBase + "/agent_upgrade_manifests/m", object_body("agent_upgrade_manifests", "m")).status ==
      403);
  HttpClient edge_node(cloud().node.port(), "myorg/edge-type/edge1");
  BOOST_TEST(edge_node.get(kBase + "/iso/private").status == 403);
}
