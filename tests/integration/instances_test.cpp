// Several cloud instances on one PostgreSQL database (issue 11, phase 3), as real processes over HTTP:
// two clouds A and B on one throwaway cluster, edge e1 long-polling A and e2 long-polling B. A publish on
// either instance reaches both edges well within the long-poll (the other instance's poll is woken by
// the commit's NOTIFY, not by the poll ending), and both instances show the same delivery status. Then
// the holder of the background duties' lease is killed with SIGKILL: nothing it acknowledged is lost,
// the survivor takes the lease within its time plus a margin and runs the duties (an object's
// expiration due after the kill happens). Object data lives in the database too (phase 2): data
// uploaded to one instance is served by the other, to edges and to applications alike.
#define BOOST_TEST_MODULE instances_test
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <future>
#include <sstream>

#include "common/time_format.hpp"
#include "tests/integration/sync_topology.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/support/prometheus_text.hpp"

using namespace edgesync::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

constexpr int kLeaseSeconds = 2;
// Far longer than any wake-up should take: an object that arrives only when a poll ends took this long.
constexpr int kLongPollSeconds = 30;

std::string cloud_yaml(const std::string& url) {
  return "store:\n  backend: postgres\n  postgres:\n    url: " + url +
         "\n    lease_seconds: " + std::to_string(kLeaseSeconds) +
         "\nobjects:\n  activation_interval_seconds: 1\n  maintenance_interval_seconds: 1\n";
}

struct TwoInstances {
  TwoInstances() {
    auto created = PostgresCluster::create();
    BOOST_REQUIRE_MESSAGE(created.is_ok(), "cannot start a PostgreSQL test cluster: " << created.status().message());
    cluster = std::move(*created);
    auto database = cluster->create_database();
    BOOST_REQUIRE_MESSAGE(database.is_ok(), database.status().message());
    const std::string url = cluster->url(*database);
    a = start_cloud(dir.path() / "a", cloud_yaml(url));
    b = start_cloud(dir.path() / "b", cloud_yaml(url));
    const std::string polls = "  long_poll_seconds: " + std::to_string(kLongPollSeconds) + "\n";  // under uplink:
    e1 = start_edge(dir.path(), "car", "e1", a->port(), polls);
    e2 = start_edge(dir.path(), "car", "e2", b->port(), polls);
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return edge_connected(*e1) && edge_connected(*e2); }),
                          "edges did not connect:\n"
                              << e1->log() << "\n"
                              << e2->log());
  }

  TempDir dir;
  std::unique_ptr<PostgresCluster> cluster;
  std::unique_ptr<NodeProcess> a, b, e1, e2;
};

bool listed_at(const NodeProcess& edge, const std::string& type, const std::string& id) {
  HttpClient client = edge_app(edge);
  auto answer = client.get(edge_objects(type));
  if (answer.status != 200) return false;
  for (const auto& meta : json::parse(answer.body)) {
    if (meta["objectID"] == id) return true;
  }
  return false;
}

std::optional<double> metric(const NodeProcess& node, const std::string& name, const PromLabels& labels = {}) {
  HttpClient client = cloud_app(node);
  auto answer = client.get("/metrics");
  if (answer.status != 200) return std::nullopt;
  return parse_prometheus_text(answer.body).value(name, labels);
}

bool holds_lease(const NodeProcess& node) {
  return metric(node, "edgesync_lease_held", {{"lease", "background-duties"}}).value_or(0) == 1;
}

std::string in_seconds(int seconds) {
  return edgesync::format_rfc3339(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_publish_on_either_instance_reaches_edges_polling_both_promptly) {
  TwoInstances t;
  // Each instance has its own id from the database.
  const auto id_a = metric(*t.a, "edgesync_instance_id");
  const auto id_b = metric(*t.b, "edgesync_instance_id");
  BOOST_REQUIRE(id_a && id_b);
  BOOST_TEST(*id_a != *id_b);

  int round = 0;
  for (NodeProcess* publisher : {t.a.get(), t.b.get()}) {
    const std::string id = "n" + std::to_string(++round);
    HttpClient cloud = cloud_app(*publisher);
    // Both edges parked in their long-polls, one on each instance: only a wake can answer them early.
    BOOST_REQUIRE(wait_until([&] {
      return metric(*t.a, "edgesync_long_polls_waiting", {{"kind", "spi"}}) == 1.0 &&
             metric(*t.b, "edgesync_long_polls_waiting", {{"kind", "spi"}}) == 1.0;
    }));
    const auto published = std::chrono::steady_clock::now();
    auto put = cloud.put(cloud_objects("notice/" + id),
                         object_body("notice", id, {{"destinationType", "car"}, {"noData", true}}));
    BOOST_REQUIRE_MESSAGE(put.status == 204, put.body);
    BOOST_TEST(wait_until([&] { return listed_at(*t.e1, "notice", id) && listed_at(*t.e2, "notice", id); },
                          std::chrono::seconds(kLongPollSeconds)));
    const double took = seconds_since(published);
    BOOST_TEST_MESSAGE("published on instance " << round << ": both edges had it after " << took << " s");
    // Well before a poll could have ended by its timeout: the poll on the other instance was woken.
    BOOST_TEST(took < kLongPollSeconds / 6.0);
    // The same delivery status on both instances, for both edges.
    for (NodeProcess* instance : {t.a.get(), t.b.get()}) {
      HttpClient reader = cloud_app(*instance);
      BOOST_TEST(wait_until([&] {
        return destination_status(reader, "notice/" + id, "e1") == "delivered" &&
               destination_status(reader, "notice/" + id, "e2") == "delivered";
      }));
    }
  }
}

// The event stream's long-poll is woken the same way: a reader waiting on B gets the event of a publish
// on A, long before its wait ends.
BOOST_AUTO_TEST_CASE(data_uploaded_to_one_instance_is_served_by_the_other) {
  TwoInstances t;
  // Three and a bit chunk rows of bytes that differ from chunk to chunk.
  std::string data(3 * 1024 * 1024 + 4111, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131 + i / 4096) & 0xff);
  HttpClient on_a = cloud_app(*t.a);
  auto put = on_a.put(cloud_objects("blob/d1"), object_body("blob", "d1", {{"destinationType", "car"}}));
  BOOST_REQUIRE_MESSAGE(put.status == 204, put.body);
  auto uploaded = on_a.put(cloud_objects("blob/d1/data"), data);
  BOOST_REQUIRE_MESSAGE(uploaded.status == 204, uploaded.body);
  // B serves it whole and in ranges, though it never saw the upload.
  HttpClient on_b = cloud_app(*t.b);
  auto whole = on_b.get(cloud_objects("blob/d1/data"));
  BOOST_TEST(whole.status == 200);
  BOOST_TEST((whole.body == data));
  auto ranged = on_b.get(cloud_objects("blob/d1/data"), {{"Range", "bytes=1048000-2097999"}});
  BOOST_TEST(ranged.status == 206);
  BOOST_TEST((ranged.body == data.substr(1048000, 1050000)));
  // Both edges, one fetching from each instance, receive it completely and verified.
  for (NodeProcess* edge : {t.e1.get(), t.e2.get()}) {
    BOOST_TEST(wait_until([&] { return edge_status(*edge, "blob/d1") == "completelyReceived"; }, 60s), edge->log());
    HttpClient local = edge_app(*edge);
    BOOST_TEST((local.get(edge_objects("blob/d1/data")).body == data));
  }
}

BOOST_AUTO_TEST_CASE(an_event_stream_reader_on_one_instance_is_answered_by_a_commit_on_the_other) {
  TwoInstances t;
  const std::string events = "/api/v1/events/" + kOrg;
  HttpClient reader_b = cloud_app(*t.b);
  auto before = reader_b.get(events);
  BOOST_REQUIRE(before.status == 200);
  const std::string since = before.header("x-edgesync-last-seq");
  const uint16_t port_b = t.b->port();
  const auto started = std::chrono::steady_clock::now();
  auto poll = std::async(std::launch::async, [port_b, events, since] {
    HttpClient reader(port_b, kOrg + "/admin");
    return reader.get(events + "?wait=60&since=" + since);
  });
  // Parked on B before the publish, so that only a wake can answer it early.
  BOOST_REQUIRE(wait_until([&] { return metric(*t.b, "edgesync_long_polls_waiting", {{"kind", "events"}}) == 1.0; }));
  HttpClient on_a = cloud_app(*t.a);
  BOOST_REQUIRE(on_a.put(cloud_objects("ev/x1"), object_body("ev", "x1", {{"noData", true}})).status == 204);
  BOOST_REQUIRE(poll.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  auto answer = poll.get();
  const double took = seconds_since(started);
  BOOST_TEST_MESSAGE("the event stream reader on B was answered after " << took << " s");
  BOOST_TEST(took < 10.0);  // answered by the commit on A, not by the end of the 60 s wait
  BOOST_REQUIRE(answer.status == 200);
  BOOST_TEST(answer.body.find("\"x1\"") != std::string::npos, answer.body);
}

// The lost-node duty runs on the lease holder, which cannot see polls parked on the other instance: an
// edge long-polling there (longer than the lost threshold) renews its contact while parked, and is not
// reported lost, while an edge that went silent is.
BOOST_AUTO_TEST_CASE(an_edge_parked_on_the_instance_without_the_lease_is_not_reported_lost) {
  TempDir dir;
  auto created = PostgresCluster::create();
  BOOST_REQUIRE_MESSAGE(created.is_ok(), created.status().message());
  auto cluster = std::move(*created);
  auto database = cluster->create_database();
  BOOST_REQUIRE(database.is_ok());
  const std::string yaml = cloud_yaml(cluster->url(*database)) + "events:\n  node_lost_seconds: 2\n";
  auto a = start_cloud(dir.path() / "a", yaml);
  auto b = start_cloud(dir.path() / "b", yaml);
  BOOST_REQUIRE(wait_until([&] { return holds_lease(*a) != holds_lease(*b); }));
  NodeProcess& holder = holds_lease(*a) ? *a : *b;
  NodeProcess& other = &holder == a.get() ? *b : *a;
  const std::string polls = "  long_poll_seconds: " + std::to_string(kLongPollSeconds) + "\n";
  auto parked = start_edge(dir.path(), "car", "parked", other.port(), polls);
  // Short polls: once killed, no poll of it stays parked (a parked poll counts as contact).
  auto silent = start_edge(dir.path(), "car", "silent", holder.port(), "  long_poll_seconds: 1\n");
  BOOST_REQUIRE(wait_until([&] {
    return metric(other, "edgesync_long_polls_waiting", {{"kind", "spi"}}) == 1.0 && edge_connected(*silent);
  }));
  silent->kill_hard();
  // Once the silent edge is reported lost, the parked one has been quiet in its poll for longer than
  // the threshold too: had its poll not renewed its contact, it would be reported in the same round.
  HttpClient app = cloud_app(holder);
  const auto lost_nodes = [&] {
    std::vector<std::string> ids;
    auto answer = app.get("/api/v1/events/" + kOrg);
    std::istringstream lines(answer.body);
    for (std::string line; std::getline(lines, line);) {
      auto event = json::parse(line, nullptr, false);
      if (event.is_object() && event.value("type", "") == "nodeLost") ids.push_back(event.value("destinationID", ""));
    }
    return ids;
  };
  BOOST_REQUIRE(wait_until([&] {
    const auto ids = lost_nodes();
    return std::find(ids.begin(), ids.end(), "silent") != ids.end();
  }));
  BOOST_TEST((lost_nodes() == std::vector<std::string>{"silent"}));
}

BOOST_AUTO_TEST_CASE(killing_the_lease_holder_loses_nothing_and_the_survivor_takes_over_its_duties) {
  TwoInstances t;
  // Exactly one of them holds the duties' lease.
  BOOST_REQUIRE(wait_until([&] { return holds_lease(*t.a) != holds_lease(*t.b); }));
  NodeProcess& holder = holds_lease(*t.a) ? *t.a : *t.b;
  NodeProcess& survivor = &holder == t.a.get() ? *t.b : *t.a;

  // Acknowledged writes on the holder, and an object whose expiration is due only after the kill.
  HttpClient on_holder = cloud_app(holder);
  constexpr int kObjects = 20;
  for (int i = 0; i < kObjects; ++i) {
    const std::string id = "k" + std::to_string(i);
    BOOST_REQUIRE(on_holder.put(cloud_objects("kept/" + id), object_body("kept", id, {{"noData", true}})).status ==
                  204);
  }
  constexpr int kExpiresIn = 5;
  BOOST_REQUIRE(on_holder
                    .put(cloud_objects("short/s1"),
                         object_body("short", "s1", {{"noData", true}, {"expiration", in_seconds(kExpiresIn)}}))
                    .status == 204);
  const auto written = std::chrono::steady_clock::now();

  holder.kill_hard();
  const auto killed = std::chrono::steady_clock::now();
  BOOST_TEST(seconds_since(written) < kExpiresIn);  // the expiration is still ahead: only the survivor can run it

  HttpClient on_survivor = cloud_app(survivor);
  for (int i = 0; i < kObjects; ++i) {
    BOOST_TEST(on_survivor.get(cloud_objects("kept/k" + std::to_string(i))).status == 200);
  }
  // The survivor takes the lease once the dead holder's runs out: within its time, plus one renewal
  // period of the survivor and a margin for a loaded machine.
  BOOST_TEST(wait_until([&] { return holds_lease(survivor); }, std::chrono::seconds(kLeaseSeconds * 5)));
  const double takeover = seconds_since(killed);
  BOOST_TEST_MESSAGE("the survivor holds the lease " << takeover << " s after the kill (lease " << kLeaseSeconds
                                                     << " s)");
  BOOST_TEST(takeover < kLeaseSeconds * 2.5);
  // And runs the duties: the expiration due after the kill happens.
  BOOST_TEST(wait_until([&] { return on_survivor.get(cloud_objects("short/s1")).status == 404; },
                        std::chrono::seconds(kExpiresIn + 15)));
  BOOST_TEST(survivor.log().find("lease background-duties: acquired") != std::string::npos, survivor.log());
}
