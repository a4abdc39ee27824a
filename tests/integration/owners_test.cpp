// Owner references end to end with real processes: a deleted owner's tree disappears at the cloud and
// at every edge holding a copy (including an edge offline at the time), unsetOnDelete keeps the ownee,
// a reference to an owner that never appears is dropped after the (shortened) timeout, an edge-local
// tree cascades on the edge, and a cloud killed with -9 in the middle of a cascade completes it after
// the restart.
#define BOOST_TEST_MODULE owners_test
#include <boost/test/unit_test.hpp>
#include <cstdlib>

#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;
using nlohmann::json;

namespace {

// Owner duties every 50 ms, references to a missing owner dropped after 1 s.
const std::string kOwnersFast = "owners:\n  validation_timeout: 1\n  check_interval_ms: 50\n";

json owned_by(const std::string& owner, bool unset_on_delete = false) {
  return json::array({{{"objectType", "model"}, {"objectID", owner}, {"unsetOnDelete", unset_on_delete}}});
}

void publish(HttpClient& cloud, const std::string& id, json owners = json::array()) {
  auto put =
      cloud.put(cloud_objects("model/" + id),
                object_body("model", id, {{"destinationType", "car"}, {"noData", true}, {"ownerReferences", owners}}));
  BOOST_REQUIRE_MESSAGE(put.status == 204, put.body);
}

bool gone_at_cloud(HttpClient& cloud, const std::string& id) {
  return cloud.get(cloud_objects("model/" + id)).status == 404;
}

bool deleted_at_edge(const NodeProcess& edge, const std::string& id) {
  return edge_status(edge, "model/" + id) == "objdeleted";
}

bool received_at_edge(const NodeProcess& edge, const std::string& id) {
  return edge_status(edge, "model/" + id) == "completelyReceived";
}

// The cloud knows the edge holds the object (it acknowledged the delivery).
bool delivered_to(HttpClient& cloud, const std::string& id, const std::string& edge_id) {
  return destination_status(cloud, "model/" + id, edge_id) == "delivered";
}

// root ← a ← b (three levels), plus `kept` (unsetOnDelete on root) and a bystander.
const std::vector<std::string> kTree = {"root", "a", "b"};

void publish_tree(HttpClient& cloud) {
  publish(cloud, "root");
  publish(cloud, "a", owned_by("root"));
  publish(cloud, "b", owned_by("a"));
  publish(cloud, "kept", owned_by("root", true));
  publish(cloud, "bystander");
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_three_level_tree_deleted_from_the_top_disappears_at_the_cloud_and_two_edges) {
  TempDir dir;
  auto cloud = start_cloud(dir.path(), kOwnersFast);
  auto e1 = start_edge(dir.path(), "car", "e1", cloud->port(), kOwnersFast);
  auto e2 = start_edge(dir.path(), "car", "e2", cloud->port(), kOwnersFast);
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*e1) && edge_connected(*e2); }));
  HttpClient app = cloud_app(*cloud);
  publish_tree(app);
  for (const char* edge_id : {"e1", "e2"}) {
    for (const char* id : {"root", "a", "b", "kept", "bystander"})
      BOOST_REQUIRE(wait_until([&] { return delivered_to(app, id, edge_id); }));
  }
  // Each destination shows its reconciliation state beside its status (answered: nothing scheduled).
  for (const auto& row : json::parse(app.get(cloud_objects("model/bystander/destinations")).body)) {
    BOOST_TEST(row["attempts"] == 0);
    BOOST_TEST(row["lastError"] == "");
    BOOST_TEST(row["nextAttemptAt"] == "");
  }
  BOOST_TEST(app.del(cloud_objects("model/root")).status == 204);
  for (const auto& id : kTree) BOOST_TEST(wait_until([&] { return gone_at_cloud(app, id); }), id);
  for (const auto* edge : {e1.get(), e2.get()}) {
    for (const auto& id : kTree) BOOST_TEST(wait_until([&] { return deleted_at_edge(*edge, id); }), id);
  }
  // unsetOnDelete: the ownee stays everywhere, without the reference at the cloud.
  auto kept = app.get(cloud_objects("model/kept"));
  BOOST_REQUIRE(kept.status == 200);
  BOOST_TEST(json::parse(kept.body)["ownerReferences"].empty());
  BOOST_TEST(!gone_at_cloud(app, "bystander"));
  for (const auto* edge : {e1.get(), e2.get()}) {
    BOOST_TEST(received_at_edge(*edge, "kept"));
    BOOST_TEST(received_at_edge(*edge, "bystander"));
  }
}

BOOST_AUTO_TEST_CASE(a_missing_owner_is_dropped_after_the_timeout_and_its_ownee_deleted) {
  TempDir dir;
  auto cloud = start_cloud(dir.path(), kOwnersFast);
  auto e1 = start_edge(dir.path(), "car", "e1", cloud->port(), kOwnersFast);
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*e1); }));
  HttpClient app = cloud_app(*cloud);
  publish(app, "real");
  publish(app, "orphan", owned_by("ghost"));  // accepted: no synchronous check
  publish(app, "half", json::array({owned_by("ghost")[0], owned_by("real")[0]}));
  BOOST_TEST(wait_until([&] { return gone_at_cloud(app, "orphan"); }));
  BOOST_TEST(wait_until([&] { return deleted_at_edge(*e1, "orphan"); }));
  auto half = app.get(cloud_objects("model/half"));
  BOOST_REQUIRE(half.status == 200);
  BOOST_TEST(wait_until(
      [&] { return json::parse(app.get(cloud_objects("model/half")).body)["ownerReferences"].size() == 1u; }));
  BOOST_TEST(received_at_edge(*e1, "half"));
  // Bad shapes are refused with the field named.
  auto bad = app.put(cloud_objects("model/bad"),
                     object_body("model", "bad", {{"ownerReferences", json::array({{{"objectType", "model"}}})}}));
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.body.find("ownerReferences") != std::string::npos, bad.body);
}

BOOST_AUTO_TEST_CASE(an_edge_offline_during_the_cascade_receives_every_deletion_when_it_returns) {
  TempDir dir;
  auto cloud = start_cloud(dir.path(), kOwnersFast);
  auto e1 = start_edge(dir.path(), "car", "e1", cloud->port(), kOwnersFast);
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*e1); }));
  HttpClient app = cloud_app(*cloud);
  publish_tree(app);
  for (const char* id : {"root", "a", "b", "kept"})
    BOOST_REQUIRE(wait_until([&] { return delivered_to(app, id, "e1"); }));
  BOOST_REQUIRE(e1->terminate() == 0);
  BOOST_TEST(app.del(cloud_objects("model/root")).status == 204);
  for (const auto& id : kTree) BOOST_TEST(wait_until([&] { return gone_at_cloud(app, id); }), id);
  e1 = start_edge(dir.path(), "car", "e1", cloud->port(), kOwnersFast);
  for (const auto& id : kTree) BOOST_TEST(wait_until([&] { return deleted_at_edge(*e1, id); }), id);
  BOOST_TEST(received_at_edge(*e1, "kept"));
}

BOOST_AUTO_TEST_CASE(an_edge_local_tree_cascades_on_the_edge) {
  TempDir dir;
  auto cloud = start_cloud(dir.path(), kOwnersFast);
  auto e1 = start_edge(dir.path(), "car", "e1", cloud->port(), kOwnersFast);
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*e1); }));
  HttpClient edge = edge_app(*e1);
  const json owners = json::array({{{"objectType", "stats"}, {"objectID", "parent"}}});
  BOOST_REQUIRE(edge.put(edge_objects("stats/parent"), object_body("stats", "parent", {{"noData", true}})).status ==
                204);
  BOOST_REQUIRE(edge.put(edge_objects("stats/child"),
                         object_body("stats", "child", {{"noData", true}, {"ownerReferences", owners}}))
                    .status == 204);
  HttpClient app = cloud_app(*cloud);
  BOOST_REQUIRE(wait_until([&] { return app.get(cloud_objects("stats/child/status")).body == "completelyReceived"; }));
  BOOST_TEST(edge.del(edge_objects("stats/parent")).status == 204);
  BOOST_TEST(wait_until([&] { return edge.get(edge_objects("stats/child/status")).status == 404; }));
  // The edge's cascaded delete is an ordinary delete: the cloud's copy is told.
  BOOST_TEST(wait_until([&] { return app.get(cloud_objects("stats/child/status")).body == "objdeleted"; }));
}

BOOST_AUTO_TEST_CASE(a_cloud_killed_mid_cascade_completes_it_after_the_restart) {
  TempDir dir;
  const std::string config = kOwnersFast + "  batch_size: 1\n";
  // This process stops cascading after two batches (one ownee each): the kill lands mid-cascade.
  ::setenv("EDGESYNC_FAULT_CASCADE_BATCHES", "2", 1);
  auto cloud = start_cloud(dir.path(), config);
  ::unsetenv("EDGESYNC_FAULT_CASCADE_BATCHES");
  HttpClient app = cloud_app(*cloud);
  publish(app, "root");
  constexpr int kLeaves = 6;
  for (int i = 0; i < kLeaves; ++i) publish(app, "leaf" + std::to_string(i), owned_by("root"));
  BOOST_TEST(app.del(cloud_objects("model/root")).status == 204);
  auto leaves_gone = [&] {
    HttpClient client = cloud_app(*cloud);  // the cloud's port changes with the restart
    int gone = 0;
    for (int i = 0; i < kLeaves; ++i) gone += gone_at_cloud(client, "leaf" + std::to_string(i)) ? 1 : 0;
    return gone;
  };
  BOOST_REQUIRE(wait_until([&] { return cloud->log().find("stopped by the test fault budget") != std::string::npos; }));
  BOOST_TEST(leaves_gone() == 2);
  cloud->kill_hard();
  cloud = start_cloud(dir.path(), config);
  BOOST_TEST(wait_until([&] { return leaves_gone() == kLeaves; }));
}
