// Cloud → edge and edge → cloud sync end to end: one cloud and two edge processes on 127.0.0.1
// (reference/spi-wire.md flows b–k, with edgesync's long-poll).
#define BOOST_TEST_MODULE sync_test
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <future>

#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;
using nlohmann::json;

namespace {

struct Topology {
  TempDir dir;
  std::unique_ptr<NodeProcess> cloud = start_cloud(dir.path());
  std::unique_ptr<NodeProcess> e1 = start_edge(dir.path(), "car", "e1", cloud->port());
  std::unique_ptr<NodeProcess> e2 = start_edge(dir.path(), "car", "e2", cloud->port());
  Topology() {
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return edge_connected(*e1) && edge_connected(*e2); }),
                          "edges did not connect:\n"
                              << e1->log() << e2->log());
  }
};

Topology& topology() {
  static Topology instance;
  return instance;
}

// The edge lists the object among its updates (completely received, not yet handled).
bool listed_at(const NodeProcess& edge, const std::string& type, const std::string& id) {
  HttpClient client = edge_app(edge);
  auto answer = client.get(edge_objects(type));
  if (answer.status != 200) return false;
  for (const auto& meta : json::parse(answer.body)) {
    if (meta["objectID"] == id) return true;
  }
  return false;
}

void publish(const std::string& type, const std::string& id, json extra, const std::string* data) {
  HttpClient cloud = cloud_app(*topology().cloud);
  auto put = cloud.put(cloud_objects(type + "/" + id), object_body(type, id, std::move(extra), data));
  BOOST_REQUIRE_MESSAGE(put.status == 204, put.body);
}

}  // namespace

BOOST_AUTO_TEST_CASE(publish_by_type_reaches_both_edges_with_the_same_bytes) {
  auto& t = topology();
  const std::string data = pattern_bytes(300 * 1024, 1);
  publish("model", "bytype", {{"destinationType", "car"}}, &data);
  BOOST_REQUIRE(wait_until([&] { return listed_at(*t.e1, "model", "bytype") && listed_at(*t.e2, "model", "bytype"); }));
  for (auto* edge : {t.e1.get(), t.e2.get()}) {
    HttpClient client = edge_app(*edge);
    BOOST_TEST(client.get(edge_objects("model/bytype/data")).body == data);
    BOOST_TEST(client.get(edge_objects("model/bytype/status")).body == "completelyReceived");
  }
  HttpClient cloud = cloud_app(*t.cloud);
  BOOST_TEST(wait_until([&] {
    return destination_status(cloud, "model/bytype", "e1") == "delivered" &&
           destination_status(cloud, "model/bytype", "e2") == "delivered";
  }));
  auto meta = json::parse(edge_app(*t.e1).get(edge_objects("model/bytype")).body);
  BOOST_TEST(meta["destinationID"] == "e1");  // rewritten to the receiver, as MMS
  BOOST_TEST(meta["originType"] == "Cloud");
}

BOOST_AUTO_TEST_CASE(publish_by_id_reaches_exactly_that_edge) {
  auto& t = topology();
  const std::string data = "only for e2";
  publish("model", "byid", {{"destinationType", "car"}, {"destinationID", "e2"}}, &data);
  BOOST_REQUIRE(wait_until([&] { return listed_at(*t.e2, "model", "byid"); }));
  // e1 is told nothing: by the time e2 has it, e1 would have had it too.
  HttpClient cloud = cloud_app(*t.cloud);
  BOOST_TEST(wait_until([&] { return destination_status(cloud, "model/byid", "e2") == "delivered"; }));
  BOOST_TEST(destination_status(cloud, "model/byid", "e1") == "");
  BOOST_TEST(edge_app(*t.e1).get(edge_objects("model/byid")).status == 404);
}

BOOST_AUTO_TEST_CASE(publish_by_list_reaches_the_listed_edges_and_shows_unregistered_ones_pending) {
  auto& t = topology();
  const std::string data = "listed";
  publish("model", "bylist", {{"destinationsList", {"car:e1", "car:ghost"}}}, &data);
  BOOST_REQUIRE(wait_until([&] { return listed_at(*t.e1, "model", "bylist"); }));
  HttpClient cloud = cloud_app(*t.cloud);
  BOOST_TEST(wait_until([&] { return destination_status(cloud, "model/bylist", "e1") == "delivered"; }));
  BOOST_TEST(destination_status(cloud, "model/bylist", "ghost") == "pending");
  BOOST_TEST(destination_status(cloud, "model/bylist", "e2") == "");
}

BOOST_AUTO_TEST_CASE(an_update_replaces_the_data_and_meta_only_keeps_it) {
  auto& t = topology();
  const std::string first = "version one";
  const std::string second = "version two, longer";
  publish("config", "upd", {{"destinationType", "car"}, {"destinationID", "e1"}, {"version", "1"}}, &first);
  HttpClient edge = edge_app(*t.e1);
  BOOST_REQUIRE(wait_until([&] { return edge.get(edge_objects("config/upd/data")).body == first; }));
  publish("config", "upd", {{"destinationType", "car"}, {"destinationID", "e1"}, {"version", "2"}}, &second);
  BOOST_REQUIRE(wait_until([&] { return edge.get(edge_objects("config/upd/data")).body == second; }));
  publish("config", "upd", {{"destinationType", "car"}, {"destinationID", "e1"}, {"version", "3"}, {"metaOnly", true}},
          nullptr);
  BOOST_REQUIRE(wait_until([&] {
    auto meta = edge.get(edge_objects("config/upd"));
    return meta.status == 200 && json::parse(meta.body)["version"] == "3";
  }));
  BOOST_TEST(edge.get(edge_objects("config/upd/data")).body == second);
}

BOOST_AUTO_TEST_CASE(a_no_data_object_arrives_complete) {
  auto& t = topology();
  publish("notice", "n1", {{"destinationType", "car"}, {"noData", true}}, nullptr);
  BOOST_TEST(wait_until([&] { return listed_at(*t.e1, "notice", "n1") && listed_at(*t.e2, "notice", "n1"); }));
  BOOST_TEST(edge_status(*t.e1, "notice/n1") == "completelyReceived");
}

// An edge application's long-poll on its list of updates (?wait=S) is answered by the object's arrival,
// not by the end of the wait; at the cloud, by another application's publish.
BOOST_AUTO_TEST_CASE(an_application_long_poll_is_answered_when_an_object_of_its_type_arrives) {
  auto& t = topology();
  const uint16_t edge_port = t.e1->port();
  const auto started = std::chrono::steady_clock::now();
  auto at_edge = std::async(std::launch::async, [edge_port] {
    HttpClient reader(edge_port, kOrg + "/app");
    return reader.get(edge_objects("waited?wait=100"));
  });
  const uint16_t cloud_port = t.cloud->port();
  auto at_cloud = std::async(std::launch::async, [cloud_port] {
    HttpClient reader(cloud_port, kOrg + "/admin");
    return reader.get(cloud_objects("waitedup?wait=100"));
  });
  // Both polls are held: nothing of either type exists yet.
  BOOST_TEST((at_edge.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout));
  publish("waited", "w1", {{"destinationType", "car"}, {"noData", true}}, nullptr);
  BOOST_REQUIRE(at_edge.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  auto edge_answer = at_edge.get();
  BOOST_REQUIRE_MESSAGE(edge_answer.status == 200, edge_answer.body);
  BOOST_TEST(json::parse(edge_answer.body)[0]["objectID"] == "w1");

  HttpClient edge_app_client = edge_app(*t.e1);
  auto sent_up = edge_app_client.put(edge_objects("waitedup/u1"), object_body("waitedup", "u1", {{"noData", true}}));
  BOOST_REQUIRE_MESSAGE(sent_up.status == 204, sent_up.body);
  BOOST_REQUIRE(at_cloud.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  auto cloud_answer = at_cloud.get();
  BOOST_REQUIRE_MESSAGE(cloud_answer.status == 200, cloud_answer.body);
  BOOST_TEST(json::parse(cloud_answer.body)[0]["objectID"] == "u1");
  // Loosely: answered by the changes, not by the end of the 100 s waits.
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(60)));

  // Nothing arrives: a short wait ends in MMS's empty answer; a bad wait is refused naming it.
  HttpClient cloud = cloud_app(*t.cloud);
  BOOST_TEST(cloud.get(cloud_objects("neverpublished?wait=1")).status == 404);
  for (const std::string bad : {"abc", "-1", "121", "1.5"}) {
    auto refused = cloud.get(cloud_objects("neverpublished?wait=" + bad), {{"Accept", "application/json"}});
    BOOST_TEST(refused.status == 400, "wait=" << bad);
    BOOST_TEST(refused.body.find("\"field\":\"wait\"") != std::string::npos, refused.body);
    BOOST_TEST(edge_app_client.get(edge_objects("neverpublished?wait=" + bad)).status == 400, "edge, wait=" << bad);
  }
}

BOOST_AUTO_TEST_CASE(an_inactive_object_waits_for_activation) {
  auto& t = topology();
  const std::string data = "dormant";
  publish("model", "inactive", {{"destinationType", "car"}, {"destinationID", "e1"}, {"inactive", true}}, &data);
  HttpClient cloud = cloud_app(*t.cloud);
  BOOST_TEST(destination_status(cloud, "model/inactive", "e1") == "pending");
  // A later object for the same edge arrives; the inactive one still has not.
  publish("model", "marker", {{"destinationType", "car"}, {"destinationID", "e1"}}, &data);
  BOOST_REQUIRE(wait_until([&] { return listed_at(*t.e1, "model", "marker"); }));
  BOOST_TEST(!listed_at(*t.e1, "model", "inactive"));
  BOOST_TEST(cloud.put(cloud_objects("model/inactive/activate"), "").status == 204);
  BOOST_TEST(wait_until([&] { return listed_at(*t.e1, "model", "inactive"); }));
  BOOST_TEST(wait_until([&] { return destination_status(cloud, "model/inactive", "e1") == "delivered"; }));
}

BOOST_AUTO_TEST_CASE(received_then_consumed_moves_the_cloud_status_and_removes_the_edge_copy) {
  auto& t = topology();
  const std::string data = "consume me";
  publish("model", "cons", {{"destinationType", "car"}, {"destinationID", "e2"}}, &data);
  HttpClient edge = edge_app(*t.e2);
  HttpClient cloud = cloud_app(*t.cloud);
  BOOST_REQUIRE(wait_until([&] { return listed_at(*t.e2, "model", "cons"); }));
  BOOST_TEST(wait_until([&] { return destination_status(cloud, "model/cons", "e2") == "delivered"; }));
  BOOST_TEST(edge.put(edge_objects("model/cons/received"), "").status == 204);
  BOOST_TEST(edge.get(edge_objects("model/cons/status")).body == "objreceived");
  BOOST_TEST(edge.put(edge_objects("model/cons/consumed"), "").status == 204);
  BOOST_TEST(wait_until([&] { return destination_status(cloud, "model/cons", "e2") == "consumed"; }));
  // The cloud acknowledged: the edge's copy is gone; the cloud keeps the object.
  BOOST_TEST(wait_until([&] { return edge.get(edge_objects("model/cons")).status == 404; }));
  BOOST_TEST(cloud.get(cloud_objects("model/cons/status")).body == "ready");
}

BOOST_AUTO_TEST_CASE(a_cloud_delete_flows_to_the_edges_and_completes_when_they_confirm) {
  auto& t = topology();
  const std::string data = "short-lived";
  publish("model", "del", {{"destinationType", "car"}}, &data);
  BOOST_REQUIRE(wait_until([&] { return listed_at(*t.e1, "model", "del") && listed_at(*t.e2, "model", "del"); }));
  HttpClient cloud = cloud_app(*t.cloud);
  BOOST_REQUIRE(wait_until([&] {
    return destination_status(cloud, "model/del", "e1") == "delivered" &&
           destination_status(cloud, "model/del", "e2") == "delivered";
  }));
  BOOST_TEST(cloud.del(cloud_objects("model/del")).status == 204);
  BOOST_TEST(cloud.get(cloud_objects("model/del")).status == 404);  // gone for applications at once
  for (auto* node : {t.e1.get(), t.e2.get()}) {
    HttpClient edge = edge_app(*node);
    BOOST_REQUIRE(wait_until([&] { return edge_status(*node, "model/del") == "objdeleted"; }));
    auto listed = edge.get(edge_objects("model"));
    BOOST_TEST(listed.body.find("\"deleted\": true") != std::string::npos);
    BOOST_TEST(edge.put(edge_objects("model/del/deleted"), "").status == 204);
    BOOST_TEST(edge.get(edge_objects("model/del")).status == 404);
  }
  // Both confirmed: the cloud drops the object and its records; it can be published afresh.
  BOOST_TEST(wait_until([&] { return cloud.get(cloud_objects("model/del/destinations")).status == 404; }));
  publish("model", "del", {{"destinationType", "car"}, {"destinationID", "e1"}}, &data);
  BOOST_TEST(wait_until([&] { return listed_at(*t.e1, "model", "del"); }));
}

BOOST_AUTO_TEST_CASE(an_edge_object_reaches_the_cloud_and_is_consumed_there) {
  auto& t = topology();
  HttpClient edge = edge_app(*t.e1);
  HttpClient cloud = cloud_app(*t.cloud);
  const std::string data = pattern_bytes(64 * 1024, 3);
  BOOST_REQUIRE(edge.put(edge_objects("stats/s1"), object_body("stats", "s1", {}, &data)).status == 204);
  BOOST_REQUIRE(wait_until([&] { return cloud.get(cloud_objects("stats/s1/status")).body == "completelyReceived"; }));
  BOOST_TEST(cloud.get(cloud_objects("stats/s1/data")).body == data);
  auto meta = json::parse(cloud.get(cloud_objects("stats/s1")).body);
  BOOST_TEST(meta["originID"] == "e1");
  BOOST_TEST(meta["originType"] == "car");
  BOOST_TEST(meta["ownerID"] == "myorg/e1");
  BOOST_TEST(cloud.put(cloud_objects("stats/s1/consumed"), "").status == 204);
  BOOST_TEST(cloud.get(cloud_objects("stats/s1")).status == 404);
  BOOST_TEST(wait_until([&] { return edge_status(*t.e1, "stats/s1") == "consumedByDest"; }));
}

BOOST_AUTO_TEST_CASE(an_edge_delete_of_its_own_object_completes_when_the_cloud_confirms) {
  auto& t = topology();
  HttpClient edge = edge_app(*t.e2);
  HttpClient cloud = cloud_app(*t.cloud);
  BOOST_REQUIRE(edge.put(edge_objects("stats/gone"), object_body("stats", "gone", {{"noData", true}})).status == 204);
  BOOST_REQUIRE(wait_until([&] { return cloud.get(cloud_objects("stats/gone/status")).body == "completelyReceived"; }));
  BOOST_TEST(edge.del(edge_objects("stats/gone")).status == 204);
  BOOST_REQUIRE(wait_until([&] { return cloud.get(cloud_objects("stats/gone/status")).body == "objdeleted"; }));
  BOOST_TEST(cloud.put(cloud_objects("stats/gone/deleted"), "").status == 204);
  BOOST_TEST(wait_until([&] { return edge.get(edge_objects("stats/gone/status")).status == 404; }));
}

BOOST_AUTO_TEST_CASE(destinations_list_the_registered_edges) {
  auto& t = topology();
  HttpClient cloud = cloud_app(*t.cloud);
  auto answer = cloud.get("/api/v1/destinations/" + kOrg);
  BOOST_REQUIRE(answer.status == 200);
  auto list = json::parse(answer.body);
  BOOST_TEST(list.size() == 2u);
  BOOST_TEST(list[0]["destinationID"] == "e1");
  BOOST_TEST(list[0]["communication"] == "http");
  auto objects = cloud.get("/api/v1/destinations/" + kOrg + "/car/e1/objects");
  BOOST_TEST(objects.status == 200);
}

BOOST_AUTO_TEST_CASE(an_edge_that_was_down_gets_everything_published_meanwhile) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  {
    auto early = start_edge(dir.path(), "bus", "b1", cloud->port());
    BOOST_REQUIRE(wait_until([&] { return edge_connected(*early); }));
    early->terminate();
  }
  HttpClient app = cloud_app(*cloud);
  for (int i = 0; i < 5; ++i) {
    const std::string data = "while down " + std::to_string(i);
    const std::string id = "o" + std::to_string(i);
    BOOST_REQUIRE(
        app.put(cloud_objects("model/" + id), object_body("model", id, {{"destinationType", "bus"}}, &data)).status ==
        204);
  }
  // A node never seen before, too: it registers as new and gets what targets it.
  auto late = start_edge(dir.path(), "bus", "b2", cloud->port());
  auto back = start_edge(dir.path(), "bus", "b1", cloud->port());
  for (auto* node : {late.get(), back.get()}) {
    HttpClient edge = edge_app(*node);
    BOOST_TEST(wait_until([&] {
      auto listed = edge.get(edge_objects("model"));
      return listed.status == 200 && json::parse(listed.body).size() == 5u;
    }));
  }
}

BOOST_AUTO_TEST_CASE(resend_is_asked_of_the_cloud_from_an_edge_and_refused_on_a_cloud) {
  auto& t = topology();
  HttpClient edge = edge_app(*t.e1);
  BOOST_TEST(edge.request("POST", "/api/v1/resend").status == 204);
  BOOST_TEST(edge.request("GET", "/api/v1/resend").status == 405);
  BOOST_TEST(
      wait_until([&] { return t.e1->log().find("the cloud acknowledged the resend request") != std::string::npos; }));
  HttpClient org_admin(t.cloud->port(), "admin@" + kOrg);
  auto refused = org_admin.request("POST", "/api/v1/resend");
  BOOST_TEST(refused.status == 400);
  BOOST_TEST(refused.body.find("CSS can't request to resend objects") != std::string::npos);
  BOOST_TEST(cloud_app(*t.cloud).request("POST", "/api/v1/resend").status == 403);  // "org/user": as MMS
  // Everything still arrives afterwards.
  const std::string data = "after resend";
  publish("model", "after-resend", {{"destinationType", "car"}, {"destinationID", "e1"}}, &data);
  BOOST_TEST(wait_until([&] { return listed_at(*t.e1, "model", "after-resend"); }));
}

BOOST_AUTO_TEST_CASE(an_edge_polls_at_intervals_when_the_cloud_does_not_hold_polls) {
  auto& t = topology();
  TempDir dir;
  // wait=0: the cloud answers at once, as an MMS cloud does, and the edge falls back to interval polling.
  auto edge =
      start_edge(dir.path(), "car", "interval", t.cloud->port(), "  long_poll_seconds: 0\n  poll_interval_ms: 200\n");
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));
  const std::string data = "polled";
  publish("model", "polled", {{"destinationType", "car"}, {"destinationID", "interval"}}, &data);
  BOOST_TEST(wait_until([&] { return listed_at(*edge, "model", "polled"); }));
}
