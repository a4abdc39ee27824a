// The event stream end to end with real processes: the order of a publish → delivery → consumption
// flow, resuming from a sequence, a long-poll answered when an event commits, 410 past the retention,
// 400s naming the parameter, who may read which events, an edge's own stream, and a silent edge
// reported lost then back; an edge losing its cloud.
#define BOOST_TEST_MODULE events_test
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <future>
#include <sstream>

#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;
using nlohmann::json;

namespace {

const std::string kCloudEvents = "/api/v1/events/" + kOrg;

// The lines of an ndjson answer.
std::vector<json> events_of(const HttpResult& answer) {
  std::vector<json> events;
  std::istringstream lines(answer.body);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) events.push_back(json::parse(line));
  }
  return events;
}

std::vector<json> read_events(HttpClient& client, const std::string& path, const std::string& query = "") {
  auto answer = client.get(path + (query.empty() ? "" : "?" + query));
  BOOST_REQUIRE_MESSAGE(answer.status == 200, answer.status << " " << answer.body);
  BOOST_TEST(answer.header("content-type") == "application/x-ndjson");
  return events_of(answer);
}

bool is_event(const json& event, const std::string& type, const std::string& object_id = "") {
  return event["type"] == type && (object_id.empty() || event.value("objectID", "") == object_id);
}

// The index of the first event at or after `from` matching, or -1.
int find_event(const std::vector<json>& events, size_t from, const std::function<bool(const json&)>& match) {
  for (size_t i = from; i < events.size(); ++i) {
    if (match(events[i])) return static_cast<int>(i);
  }
  return -1;
}

void publish(HttpClient& cloud, const std::string& type, const std::string& id, json extra = json::object()) {
  extra["noData"] = true;
  auto put = cloud.put(cloud_objects(type + "/" + id), object_body(type, id, extra));
  BOOST_REQUIRE_MESSAGE(put.status == 204, put.body);
}

int64_t last_seq_header(const HttpResult& answer) {
  return std::stoll(answer.header("x-edgesync-last-seq"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_publish_delivered_and_consumed_shows_in_order_at_the_cloud_and_the_edge) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  auto edge = start_edge(dir.path(), "car", "e1", cloud->port());
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));
  HttpClient app = cloud_app(*cloud);
  publish(app, "model", "m1", {{"destinationType", "car"}});
  BOOST_REQUIRE(wait_until([&] { return edge_status(*edge, "model/m1") == "completelyReceived"; }));
  HttpClient edge_client = edge_app(*edge);
  BOOST_REQUIRE(edge_client.put(edge_objects("model/m1/consumed"), "").status == 204);
  BOOST_REQUIRE(wait_until([&] { return destination_status(app, "model/m1", "e1") == "consumed"; }));

  const auto events = read_events(app, kCloudEvents);
  for (size_t i = 1; i < events.size(); ++i) BOOST_TEST(events[i]["seq"].get<int64_t>() > events[i - 1]["seq"]);
  const int registered = find_event(events, 0, [](const json& e) {
    return is_event(e, "nodeRegistered") && e["destinationType"] == "car" && e["destinationID"] == "e1";
  });
  const int saved = find_event(events, 0, [](const json& e) { return is_event(e, "objectUpdated", "m1"); });
  BOOST_REQUIRE(registered >= 0);
  BOOST_REQUIRE(saved > registered);
  BOOST_TEST(events[saved]["detail"] == "saved");
  BOOST_TEST(events[saved]["instanceID"].get<int64_t>() > 0);
  // Then the destination's statuses, each change once, ending consumed.
  std::vector<std::string> statuses;
  std::string previous;
  for (size_t i = static_cast<size_t>(saved); i < events.size(); ++i) {
    const json& event = events[i];
    if (!is_event(event, "destinationStatusChanged", "m1") || event["destinationID"] != "e1") continue;
    BOOST_TEST(event["previousStatus"] == (previous.empty() ? json() : json(previous)));
    previous = event["status"];
    statuses.push_back(previous);
  }
  BOOST_REQUIRE(!statuses.empty());
  BOOST_TEST(statuses.front() == "delivering");  // a new destination, registered: sent at once
  BOOST_TEST(statuses.back() == "consumed");
  const auto delivered = std::find(statuses.begin(), statuses.end(), "delivered");
  BOOST_TEST((delivered != statuses.end()), "delivered comes before consumed");

  // The edge's own stream: no orgID in the path; the copy it received, then the status it reported.
  BOOST_TEST(edge_client.get("/api/v1/events/" + kOrg).status == 404);
  const auto edge_events = read_events(edge_client, "/api/v1/events");
  const int connected = find_event(edge_events, 0, [](const json& e) {
    return is_event(e, "nodeRegistered") && e["destinationType"] == "Cloud" && e["detail"] == "cloudConnected";
  });
  BOOST_TEST(connected >= 0);
  const int received = find_event(edge_events, 0, [](const json& e) { return is_event(e, "objectUpdated", "m1"); });
  BOOST_REQUIRE(received >= 0);
  BOOST_TEST(edge_events[received]["detail"] == "received");
  BOOST_TEST(edge_events[received]["orgID"] == kOrg);
  BOOST_TEST(find_event(edge_events, received, [](const json& e) {
               return is_event(e, "destinationStatusChanged", "m1") && e["status"] == "consumed";
             }) > received);
}

BOOST_AUTO_TEST_CASE(a_reader_resumes_from_any_sequence_also_after_kill_9) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  HttpClient app = cloud_app(*cloud);
  for (const char* id : {"a", "b", "c"}) publish(app, "t", id);
  const auto all = read_events(app, kCloudEvents);
  BOOST_REQUIRE_EQUAL(all.size(), 3u);
  const int64_t after_a = all[0]["seq"];
  const auto rest = read_events(app, kCloudEvents, "since=" + std::to_string(after_a));
  BOOST_REQUIRE_EQUAL(rest.size(), 2u);
  BOOST_TEST(rest[0]["objectID"] == "b");
  BOOST_TEST(rest[1]["objectID"] == "c");

  // limit: one at a time, the header naming where the next read starts.
  auto one = app.get(kCloudEvents + "?limit=1");
  BOOST_REQUIRE(one.status == 200);
  BOOST_REQUIRE_EQUAL(events_of(one).size(), 1u);
  BOOST_TEST(last_seq_header(one) == after_a);

  const int64_t last = all[2]["seq"];
  auto nothing = app.get(kCloudEvents + "?since=" + std::to_string(last));
  BOOST_TEST(nothing.status == 200);
  BOOST_TEST(nothing.body.empty());
  BOOST_TEST(last_seq_header(nothing) == last);

  // After kill -9: every acknowledged change still has its event, and sequences go on from there.
  cloud->kill_hard();
  cloud = start_cloud(dir.path());
  HttpClient again = cloud_app(*cloud);
  publish(again, "t", "d");
  BOOST_TEST(read_events(again, kCloudEvents).size() == 4u);
  const auto after_restart = read_events(again, kCloudEvents, "since=" + std::to_string(last));
  BOOST_REQUIRE_EQUAL(after_restart.size(), 1u);
  BOOST_TEST(after_restart[0]["objectID"] == "d");
  BOOST_TEST(after_restart[0]["seq"].get<int64_t>() > last);
}

BOOST_AUTO_TEST_CASE(a_long_poll_is_answered_when_an_event_commits) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  HttpClient app = cloud_app(*cloud);
  publish(app, "t", "first");
  auto before = app.get(kCloudEvents);
  BOOST_REQUIRE(before.status == 200);
  const int64_t since = last_seq_header(before);

  // Nothing newer and a short wait: an empty answer once it passes.
  auto empty = app.get(kCloudEvents + "?wait=1&since=" + std::to_string(since));
  BOOST_TEST(empty.status == 200);
  BOOST_TEST(empty.body.empty());
  BOOST_TEST(last_seq_header(empty) == since);

  // A long wait: the answer comes with the event, long before the wait is over.
  const uint16_t port = cloud->port();
  const auto started = std::chrono::steady_clock::now();
  auto poll = std::async(std::launch::async, [port, since] {
    HttpClient reader(port, kOrg + "/admin");
    return reader.get(kCloudEvents + "?wait=100&since=" + std::to_string(since));
  });
  publish(app, "t", "second");
  BOOST_REQUIRE(poll.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  auto answer = poll.get();
  // Loosely: answered by the commit, not by the end of the 100 s wait.
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(60)));
  BOOST_REQUIRE(answer.status == 200);
  const auto events = events_of(answer);
  BOOST_REQUIRE(!events.empty());
  BOOST_TEST(events[0]["objectID"] == "second");
  BOOST_TEST(events[0]["seq"].get<int64_t>() > since);
}

BOOST_AUTO_TEST_CASE(a_sequence_older_than_the_retention_answers_410_with_the_oldest_available) {
  TempDir dir;
  auto cloud = start_cloud(dir.path(), "events:\n  max_events: 3\n  prune_interval_ms: 50\n");
  HttpClient app = cloud_app(*cloud);
  for (int i = 0; i < 6; ++i) publish(app, "t", "o" + std::to_string(i));
  // Pruning runs in the background: wait until only the newest three are left.
  std::vector<json> kept;
  BOOST_REQUIRE(wait_until([&] {
    kept = read_events(app, kCloudEvents);
    return kept.size() == 3;
  }));
  BOOST_TEST(kept[0]["objectID"] == "o3");
  const int64_t oldest = kept[0]["seq"];

  auto gone = app.get(kCloudEvents + "?since=1");
  BOOST_TEST(gone.status == 410);
  BOOST_TEST(gone.header("content-type") == "application/json");
  const json body = json::parse(gone.body);
  BOOST_TEST(body["oldestSeq"] == oldest);
  BOOST_TEST(body["field"] == "since");
  BOOST_TEST(body["error"].get<std::string>().find(std::to_string(oldest)) != std::string::npos);

  // A sequence this store never gave out (another server's, or from before a reset) is refused too:
  // waiting for it would skip every event up to it.
  const int64_t newest = kept.back()["seq"];
  auto ahead = app.get(kCloudEvents + "?since=" + std::to_string(newest + 1000));
  BOOST_TEST(ahead.status == 410);
  BOOST_TEST(json::parse(ahead.body)["oldestSeq"] == oldest);
  BOOST_TEST(json::parse(ahead.body)["error"].get<std::string>().find("newer than the newest") != std::string::npos);
  BOOST_TEST(app.get(kCloudEvents + "?since=" + std::to_string(newest)).status == 200);  // the newest itself is fine

  // Right before the oldest retained, nothing was missed: the stream goes on.
  const auto from_edge_of_window = read_events(app, kCloudEvents, "since=" + std::to_string(oldest - 1));
  BOOST_TEST(from_edge_of_window.size() == 3u);
}

BOOST_AUTO_TEST_CASE(bad_parameters_answer_400_naming_the_parameter) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  HttpClient app = cloud_app(*cloud);
  const Headers json_errors = {{"Accept", "application/json"}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"since=-1", "since"}, {"since=abc", "since"}, {"since=", "since"},  {"wait=121", "wait"},
      {"wait=1.5", "wait"},  {"wait=-1", "wait"},    {"limit=0", "limit"}, {"limit=10001", "limit"}};
  for (const auto& [query, field] : cases) {
    BOOST_TEST_CONTEXT(query) {
      auto answer = app.get(kCloudEvents + "?" + query, json_errors);
      BOOST_TEST(answer.status == 400);
      BOOST_TEST(json::parse(answer.body)["field"] == field);
      check_bad_request(app.get(kCloudEvents + "?" + query), field);
    }
  }
  check_bad_request(app.get("/api/v1/events"), "organization");
  check_bad_request(app.get("/api/v1/events/bad%20org"), "Organization ID");
  BOOST_TEST(app.get(kCloudEvents + "/extra").status == 404);
  BOOST_TEST(app.request("POST", kCloudEvents, "").status == 405);
  BOOST_TEST(app.get(kCloudEvents).status == 200);  // the connection is still fine
}

BOOST_AUTO_TEST_CASE(admins_see_their_org_users_see_their_types_and_other_orgs_and_edge_nodes_nothing) {
  TempDir dir;
  const std::string users =
      write_config(dir.path(), "dummy-auth.json", R"({"regularUsers": ["carol@myorg"], "syncAdmins": ["root@x"]})");
  NodeProcess cloud(dir.path() / "cloud", {"--mode", "cloud", "--auth-file", users});
  HttpClient admin(cloud.port(), "admin@myorg");
  publish(admin, "t", "visible");
  publish(admin, "u", "hidden");
  BOOST_REQUIRE(
      admin
          .put("/api/v1/security/objects/myorg/t",
               R"({"action":"add","users":[{"Username":"carol","ACLUserType":"user","ACLRole":"aclReader"}]})")
          .status == 204);
  BOOST_REQUIRE(read_events(admin, kCloudEvents).size() == 2u);
  HttpClient object_admin(cloud.port(), "myorg/alice");
  BOOST_TEST(read_events(object_admin, kCloudEvents).size() == 2u);
  HttpClient sync_admin(cloud.port(), "root@x");
  BOOST_TEST(read_events(sync_admin, kCloudEvents).size() == 2u);

  HttpClient user(cloud.port(), "carol@myorg");
  const auto seen = read_events(user, kCloudEvents);
  BOOST_REQUIRE_EQUAL(seen.size(), 1u);
  BOOST_TEST(seen[0]["objectID"] == "visible");

  HttpClient other_admin(cloud.port(), "admin@other");
  BOOST_TEST(other_admin.get(kCloudEvents).status == 403);
  BOOST_TEST(read_events(other_admin, "/api/v1/events/other").empty());  // its own org: nothing of ours
  HttpClient edge_node(cloud.port(), "myorg/car/e1");
  BOOST_TEST(edge_node.get(kCloudEvents).status == 403);
}

BOOST_AUTO_TEST_CASE(a_silent_edge_is_reported_lost_and_back_when_it_returns) {
  TempDir dir;
  auto cloud = start_cloud(dir.path(), "events:\n  node_lost_seconds: 2\n");
  const std::string quick_polls = "  long_poll_seconds: 1\n";  // under uplink:
  auto edge = start_edge(dir.path(), "car", "e1", cloud->port(), quick_polls);
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));
  HttpClient app = cloud_app(*cloud);
  const int64_t before_kill = last_seq_header(app.get(kCloudEvents));
  edge->kill_hard();
  const std::string since_kill = "since=" + std::to_string(before_kill);
  std::vector<json> events;
  int lost = -1;
  BOOST_REQUIRE(wait_until([&] {
    events = read_events(app, kCloudEvents, since_kill);
    lost = find_event(events, 0, [](const json& e) { return is_event(e, "nodeLost") && e["destinationID"] == "e1"; });
    return lost >= 0;
  }));
  BOOST_TEST(events[lost]["detail"] == "silent");
  const int64_t lost_seq = events[lost]["seq"];

  edge = start_edge(dir.path(), "car", "e1", cloud->port(), quick_polls);
  const std::string since_lost = "since=" + std::to_string(lost_seq);
  BOOST_REQUIRE(wait_until([&] { return !read_events(app, kCloudEvents, since_lost).empty(); }));
  const auto after = read_events(app, kCloudEvents, since_lost);
  BOOST_TEST(after[0]["type"] == "nodeRegistered");
  BOOST_TEST(after[0]["destinationID"] == "e1");
  BOOST_TEST(after[0]["detail"] == "returned");
}

BOOST_AUTO_TEST_CASE(an_edge_reports_losing_its_cloud_once) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  auto edge = start_edge(dir.path(), "car", "e1", cloud->port());
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));
  HttpClient edge_client = edge_app(*edge);
  // The health flag turns first; the event commits right after it.
  std::vector<json> start;
  BOOST_REQUIRE(wait_until([&] {
    start = read_events(edge_client, "/api/v1/events");
    return find_event(start, 0, [](const json& e) { return e["detail"] == "cloudConnected"; }) >= 0;
  }));
  const int64_t before = start.back()["seq"];
  cloud->kill_hard();
  const std::string since = "since=" + std::to_string(before);
  BOOST_REQUIRE(wait_until([&] { return !read_events(edge_client, "/api/v1/events", since).empty(); }));
  BOOST_REQUIRE(wait_until([&] { return !edge_connected(*edge); }));
  const auto events = read_events(edge_client, "/api/v1/events", since);
  BOOST_REQUIRE_EQUAL(events.size(), 1u);  // the uplink's retries add none
  BOOST_TEST(events[0]["type"] == "nodeLost");
  BOOST_TEST(events[0]["destinationType"] == "Cloud");
  BOOST_TEST(events[0]["detail"] == "cloudDisconnected");
}
