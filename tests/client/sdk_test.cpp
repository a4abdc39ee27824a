// The client SDK against a real edgesync cloud and edge on 127.0.0.1: every call of SyncClient, its
// errors, streamed data both ways (pieces and chunked) and the poller's once-per-change delivery.
#define BOOST_TEST_MODULE sdk_test
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <edgesync/client.hpp>

#include <future>
#include <mutex>
#include <sstream>

#include "tests/client/unix_relay.hpp"
#include "tests/integration/sync_topology.hpp"
#include "tests/support/tcp_proxy.hpp"

using namespace edgesync::test;
namespace sdk = edgesync::client;

namespace {

ConnectedPair& topology() {
  static ConnectedPair instance("sdkcar");
  return instance;
}

sdk::SyncClient cloud_client() {
  return sdk::SyncClient({.url = "http://127.0.0.1:" + std::to_string(topology().cloud->port()),
                          .org = kOrg,
                          .app_key = kOrg + "/admin",
                          .app_secret = "secret"});
}

sdk::SyncClient edge_client() {
  return sdk::SyncClient({.url = "http://127.0.0.1:" + std::to_string(topology().edge->port()),
                          .app_key = kOrg + "/app",
                          .app_secret = "secret"});
}

sdk::ObjectMetadata meta(const std::string& type, const std::string& id) {
  sdk::ObjectMetadata metadata;
  metadata.object_type = type;
  metadata.object_id = id;
  metadata.destination_type = "sdkcar";
  metadata.destination_id = "e1";
  metadata.version = "1.0";
  metadata.description = "sdk test";
  return metadata;
}

std::string edge_status_of(sdk::SyncClient& edge, const std::string& type, const std::string& id) {
  return edge.get_object_status(type, id).value_or("");
}

// The edge's data once it is readable. An edge that already said completelyReceived can fall back to
// partiallyreceived for a moment (a second delivery of the same instance, seen under load; reported
// to the server's owners), so the download is retried until it succeeds, within the deadline.
std::string edge_data(sdk::SyncClient& edge, const std::string& type, const std::string& id) {
  std::string data;
  const bool read = wait_until([&] {
    std::ostringstream out;
    try {
      edge.fetch_object_data(type, id, out);
    } catch (const sdk::Error& error) {
      if (error.http_status() != 404) throw;
      return false;
    }
    data = out.str();
    return true;
  });
  BOOST_TEST(read, "no data for " << type << "/" << id);
  return data;
}

template <class Call>
sdk::Error error_of(Call call) {
  try {
    call();
  } catch (const sdk::Error& error) {
    return error;
  }
  BOOST_FAIL("expected an sdk::Error");
  throw std::logic_error("unreachable");
}

}  // namespace

BOOST_AUTO_TEST_CASE(errors_are_typed_with_the_status_and_the_servers_message) {
  auto cloud = cloud_client();
  // Nothing there: not an error, as the Go client.
  BOOST_TEST(!cloud.get_object("sdk", "absent").has_value());
  BOOST_TEST(!cloud.get_object_status("sdk", "absent").has_value());
  BOOST_TEST(cloud.get_object_destinations("sdk", "absent").empty());
  BOOST_TEST(cloud.get_updated_objects("sdk-none").empty());
  std::ostringstream sink;
  auto missing = error_of([&] { cloud.fetch_object_data("sdk", "absent", sink); });
  BOOST_TEST((missing.kind() == sdk::ErrorKind::kHttp));
  BOOST_TEST(missing.http_status() == 404);

  // The server's one-line message comes through.
  auto bad_id = error_of([&] { cloud.update_object(meta("sdk", "bad id with spaces")); });
  BOOST_TEST(bad_id.http_status() == 400);
  BOOST_TEST(bad_id.message().find("object ID") != std::string::npos, bad_id.message());

  auto bad_webhook = error_of([&] { cloud.register_webhook("sdk", "ftp://nowhere"); });
  BOOST_TEST(bad_webhook.http_status() == 400);
  BOOST_TEST(bad_webhook.message().find("http://") != std::string::npos, bad_webhook.message());

  sdk::SyncClient anonymous({.url = "http://127.0.0.1:" + std::to_string(topology().cloud->port()), .org = kOrg});
  auto forbidden = error_of([&] { anonymous.get_object("sdk", "x"); });
  BOOST_TEST(forbidden.http_status() == 403);

  // No answer at all: transport errors, status 0.
  TempDir nothing;
  sdk::SyncClient refused({.url = "http://127.0.0.1:1", .org = kOrg});
  auto transport = error_of([&] { refused.health(); });
  BOOST_TEST((transport.kind() == sdk::ErrorKind::kTransport));
  BOOST_TEST(transport.http_status() == 0);
  sdk::SyncClient no_socket({.url = "unix://" + (nothing.path() / "none.sock").string()});
  BOOST_TEST((error_of([&] { no_socket.health(); }).kind() == sdk::ErrorKind::kTransport));

  // Refused before anything is sent.
  BOOST_TEST((error_of([] { sdk::SyncClient({.url = "ftp://x"}); }).kind() == sdk::ErrorKind::kInvalidInput));
  BOOST_TEST((error_of([] { sdk::SyncClient({.url = "http://host:99999"}); }).kind() == sdk::ErrorKind::kInvalidInput));
  BOOST_TEST((error_of([] { sdk::SyncClient({.url = "https://h:1", .ca_file = "/nonexistent.pem"}); }).kind() ==
              sdk::ErrorKind::kInvalidInput));
  BOOST_TEST((error_of([&] { cloud.get_object("", "x"); }).kind() == sdk::ErrorKind::kInvalidInput));
  sdk::SyncClient edge = edge_client();
  BOOST_TEST((error_of([&] { edge.get_destinations(); }).kind() == sdk::ErrorKind::kInvalidInput));
  // JSON is UTF-8: a field holding other bytes is the caller's error, not an escaped library exception.
  auto latin1 = meta("sdk", "latin1");
  latin1.description = "caf\xe9";
  auto not_utf8 = error_of([&] { cloud.update_object(latin1); });
  BOOST_TEST((not_utf8.kind() == sdk::ErrorKind::kInvalidInput));
  BOOST_TEST(not_utf8.message().find("UTF-8") != std::string::npos, not_utf8.message());
  BOOST_TEST(
      (error_of([&] { cloud.register_webhook("sdk", "http://h/\xff"); }).kind() == sdk::ErrorKind::kInvalidInput));
}

BOOST_AUTO_TEST_CASE(an_object_published_in_pieces_reaches_the_edge_and_its_marks_come_back) {
  auto cloud = cloud_client();
  auto edge = edge_client();
  const std::string data = pattern_bytes(3 * 1024 * 1024 + 17, 5);
  sdk::SyncClient pieces({.url = cloud.options().url,
                          .org = kOrg,
                          .app_key = kOrg + "/admin",
                          .upload_piece_bytes = 1 << 20});  // four Content-Range pieces
  auto metadata = meta("sdk", "pieces");
  pieces.update_object(metadata);
  std::istringstream in(data);
  std::vector<uint64_t> progress;
  pieces.update_object_data("sdk", "pieces", in, data.size(),
                            [&](const sdk::Progress& p) { progress.push_back(p.bytes); });
  BOOST_TEST(progress.back() == data.size());
  BOOST_TEST(progress.front() < data.size());

  auto stored = cloud.get_object("sdk", "pieces");
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST(stored->version == "1.0");
  BOOST_TEST(stored->description == "sdk test");
  BOOST_TEST(stored->destination_type == "sdkcar");
  BOOST_TEST(stored->instance_id != 0);
  BOOST_TEST(cloud.get_object_status("sdk", "pieces").value_or("") == "ready");
  std::ostringstream at_cloud;
  cloud.fetch_object_data("sdk", "pieces", at_cloud);
  BOOST_TEST((at_cloud.str() == data));

  BOOST_REQUIRE(wait_until([&] { return edge_status_of(edge, "sdk", "pieces") == "completelyReceived"; }));
  auto updates = edge.get_updated_objects("sdk");
  BOOST_REQUIRE(updates.size() == 1u);
  BOOST_TEST(updates[0].object_id == "pieces");
  BOOST_TEST((edge_data(edge, "sdk", "pieces") == data));

  edge.mark_object_received("sdk", "pieces");
  BOOST_TEST(edge.get_updated_objects("sdk").empty());
  BOOST_TEST(edge.get_updated_objects("sdk", true).size() == 1u);
  BOOST_TEST(wait_until([&] {
    auto rows = cloud.get_object_destinations("sdk", "pieces");
    return rows.size() == 1 && rows[0].id == "e1" && rows[0].status == "delivered";
  }));
  edge.mark_object_consumed("sdk", "pieces");
  BOOST_TEST(wait_until([&] {
    auto rows = cloud.get_object_destinations("sdk", "pieces");
    return rows.size() == 1 && rows[0].status == "consumed";
  }));

  auto destinations = cloud.get_destinations();
  BOOST_REQUIRE(destinations.size() == 1u);
  BOOST_TEST(destinations[0].type == "sdkcar");
  BOOST_TEST(destinations[0].id == "e1");
  BOOST_TEST(destinations[0].org_id == kOrg);
  auto held = cloud.get_destination_objects("sdkcar", "e1");
  BOOST_TEST(std::any_of(held.begin(), held.end(), [](const sdk::ObjectStatus& s) { return s.object_id == "pieces"; }));
  BOOST_TEST(cloud.get_destination_objects("sdkcar", "nobody").empty());

  // Deletion of a delivered object: the edge sees deleted = true and acknowledges it.
  auto gone = meta("sdk", "gone");
  gone.no_data = true;
  cloud.update_object(gone);
  BOOST_REQUIRE(wait_until([&] { return edge.get_updated_objects("sdk").size() == 1; }));
  edge.mark_object_received("sdk", "gone");
  BOOST_REQUIRE(wait_until([&] {
    auto rows = cloud.get_object_destinations("sdk", "gone");
    return rows.size() == 1 && rows[0].status == "delivered";
  }));
  cloud.delete_object("sdk", "gone");
  BOOST_TEST(!cloud.get_object("sdk", "gone").has_value());
  BOOST_REQUIRE(wait_until([&] {
    auto list = edge.get_updated_objects("sdk");
    return list.size() == 1 && list[0].object_id == "gone" && list[0].deleted;
  }));
  edge.mark_object_deleted("sdk", "gone");
  BOOST_TEST(edge.get_updated_objects("sdk", true).empty());
  BOOST_TEST(!edge.get_object("sdk", "gone").has_value());
}

BOOST_AUTO_TEST_CASE(unsized_streams_go_chunked_and_files_round_trip_through_paths) {
  auto cloud = cloud_client();
  auto edge = edge_client();
  const std::string data = pattern_bytes(700 * 1024 + 3, 9);
  cloud.update_object(meta("sdkfile", "chunked"));
  std::istringstream in(data);
  cloud.update_object_data("sdkfile", "chunked", in);  // no size: one chunked request
  BOOST_REQUIRE(wait_until([&] { return edge_status_of(edge, "sdkfile", "chunked") == "completelyReceived"; }));

  TempDir files;
  const auto source = files.path() / "source.bin";
  std::ofstream(source, std::ios::binary) << data;
  cloud.update_object(meta("sdkfile", "frompath"));
  cloud.update_object_data("sdkfile", "frompath", source);
  BOOST_REQUIRE(wait_until([&] { return edge_status_of(edge, "sdkfile", "frompath") == "completelyReceived"; }));
  for (const char* id : {"chunked", "frompath"}) {
    const auto target = files.path() / (std::string(id) + ".out");
    BOOST_REQUIRE(edge_data(edge, "sdkfile", id) == data);  // readable (see edge_data)
    edge.fetch_object_data("sdkfile", id, target);
    std::ifstream read(target, std::ios::binary);
    const std::string copy((std::istreambuf_iterator<char>(read)), std::istreambuf_iterator<char>());
    BOOST_TEST((copy == data), id);
  }
  // A failed download leaves neither the target nor its temporary file.
  const auto never = files.path() / "never.out";
  BOOST_TEST(error_of([&] { edge.fetch_object_data("sdkfile", "absent", never); }).http_status() == 404);
  size_t entries = std::distance(std::filesystem::directory_iterator(files.path()), {});
  BOOST_TEST(entries == 3u);  // source.bin, chunked.out, frompath.out
}

BOOST_AUTO_TEST_CASE(inactive_objects_wait_for_activate) {
  auto cloud = cloud_client();
  auto edge = edge_client();
  auto metadata = meta("sdkact", "later");
  metadata.inactive = true;
  metadata.no_data = true;
  cloud.update_object(metadata);
  BOOST_TEST(cloud.get_object("sdkact", "later")->inactive);
  cloud.activate_object("sdkact", "later");
  BOOST_TEST(wait_until([&] { return !edge.get_updated_objects("sdkact").empty(); }));
  BOOST_TEST(edge.get_updated_objects("sdkact")[0].no_data);
}

BOOST_AUTO_TEST_CASE(the_poller_delivers_each_change_once_and_stops) {
  auto cloud = cloud_client();
  auto edge = edge_client();
  std::mutex mutex;
  std::vector<std::string> seen;  // id:instanceID:deleted
  std::vector<sdk::Error> errors;
  sdk::Poller poller =
      edge.start_polling("sdkpoll",
                         [&](const sdk::ObjectMetadata& object) {
                           std::lock_guard lock(mutex);
                           seen.push_back(object.object_id + ":" + std::to_string(object.instance_id) + ":" +
                                          (object.deleted ? "deleted" : "live"));
                         },
                         {.interval = std::chrono::milliseconds(50), .on_error = [&](const sdk::Error& e) {
                            std::lock_guard lock(mutex);
                            errors.push_back(e);
                          }});
  auto count = [&] {
    std::lock_guard lock(mutex);
    return seen.size();
  };
  for (const char* id : {"a", "b"}) {
    auto metadata = meta("sdkpoll", id);
    metadata.no_data = true;
    cloud.update_object(metadata);
  }
  BOOST_REQUIRE(wait_until([&] { return count() == 2; }));
  // Many more polls see the same two objects: no new callback.
  const auto polled_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  wait_until([&] { return std::chrono::steady_clock::now() > polled_until; });
  BOOST_TEST(count() == 2u);

  // An update (new instanceID) is a new change; so is the deletion.
  auto updated = meta("sdkpoll", "a");
  updated.no_data = true;
  updated.version = "2.0";
  cloud.update_object(updated);
  BOOST_REQUIRE(wait_until([&] { return count() == 3; }));
  cloud.delete_object("sdkpoll", "b");
  BOOST_REQUIRE(wait_until([&] { return count() == 4; }));
  {
    std::lock_guard lock(mutex);
    BOOST_TEST(seen[3].rfind("b:", 0) == 0);
    BOOST_TEST(seen[3].find(":deleted") != std::string::npos);
    BOOST_TEST(errors.empty());
  }
  edge.mark_object_deleted("sdkpoll", "b");
  edge.mark_object_consumed("sdkpoll", "a");
  poller.stop();
  BOOST_TEST(!poller.running());
  const size_t after_stop = count();
  auto later = meta("sdkpoll", "c");
  later.no_data = true;
  cloud.update_object(later);
  BOOST_REQUIRE(wait_until([&] { return !edge.get_updated_objects("sdkpoll").empty(); }));
  BOOST_TEST(count() == after_stop);
}

// A server that accepts connections and never answers: a poll hangs there until stopped.
struct BlackHole {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  uint16_t port = 0;
  BlackHole() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    BOOST_REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    BOOST_REQUIRE(::listen(listener, 16) == 0);  // the kernel completes the handshakes; nobody reads
    BOOST_REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port = ntohs(address.sin_port);
  }
  ~BlackHole() { ::close(listener); }
};

BOOST_AUTO_TEST_CASE(a_stalled_server_fails_the_call_at_the_request_timeout) {
  BlackHole hole;
  sdk::SyncClient client(
      {.url = "http://127.0.0.1:" + std::to_string(hole.port), .request_timeout = std::chrono::milliseconds(200)});
  auto error = error_of([&] { client.health(); });
  BOOST_TEST((error.kind() == sdk::ErrorKind::kTransport));
  BOOST_TEST(error.message().find("timed out") != std::string::npos, error.message());
}

BOOST_AUTO_TEST_CASE(a_poller_stops_promptly_even_inside_a_long_poll) {
  BlackHole hole;
  sdk::SyncClient client(
      {.url = "http://127.0.0.1:" + std::to_string(hole.port), .request_timeout = std::chrono::minutes(10)});
  std::atomic<int> failures{0};
  sdk::Poller poller = client.start_polling("sdkidle", [](const sdk::ObjectMetadata&) {},
                                            {.interval = std::chrono::milliseconds(10),
                                             .long_poll = std::chrono::seconds(600),
                                             .on_error = [&](const sdk::Error&) { ++failures; }});
  BOOST_TEST(poller.running());
  // The poll is stuck in its read for up to 10 minutes; stop() must interrupt it, not wait it out.
  auto stopped = std::async(std::launch::async, [&] { poller.stop(); });
  BOOST_REQUIRE((stopped.wait_for(std::chrono::seconds(20)) == std::future_status::ready));
  BOOST_TEST(!poller.running());
  BOOST_TEST(failures.load() == 0);  // being stopped is not reported as a failure
}

BOOST_AUTO_TEST_CASE(webhooks_are_called_for_updates_and_can_be_removed) {
  auto cloud = cloud_client();
  cloud.register_webhook("sdkhook", "http://127.0.0.1:9/updates");
  cloud.delete_webhook("sdkhook", "http://127.0.0.1:9/updates");
  // (Delivery to a live receiver is tested through receive_file --webhook in examples_test.)
}

BOOST_AUTO_TEST_CASE(resend_health_and_acls) {
  auto cloud = cloud_client();
  auto edge = edge_client();
  edge.resend();
  auto refused = error_of([&] { cloud.resend(); });  // a cloud has nobody to ask (and an object admin may not)
  BOOST_TEST(refused.http_status() == 403);
  BOOST_TEST(!refused.message().empty());

  auto cloud_health = cloud.health();
  BOOST_TEST(cloud_health.node_type == "CSS");
  sdk::SyncClient go_style("http", "127.0.0.1", topology().cloud->port());  // MMS-style setup
  go_style.set_org_id(kOrg);
  go_style.set_app_key_and_secret(kOrg + "/admin", "secret");
  BOOST_TEST(go_style.get_destinations().size() == 1u);
  BOOST_TEST(cloud_health.health_status == "green");
  BOOST_TEST(!cloud_health.cloud_connected.has_value());
  auto edge_health = edge.health();
  BOOST_TEST(edge_health.node_type == "ESS");
  BOOST_TEST(edge_health.cloud_connected.value_or(false));

  // ACLs, as the Go client makes the calls: an org admin manages them, an object admin may not.
  sdk::SyncClient admin({.url = "http://127.0.0.1:" + std::to_string(topology().cloud->port()),
                         .org = kOrg,
                         .app_key = "admin@" + kOrg,
                         .app_secret = "secret"});
  BOOST_TEST(admin.retrieve_object_acl("sdkacl").empty());
  admin.add_users_to_object_acl("sdkacl", {"someone", "other"});
  auto users = admin.retrieve_object_acl("sdkacl");
  BOOST_TEST((std::find(users.begin(), users.end(), "someone") != users.end()));
  admin.remove_users_from_object_acl("sdkacl", {"someone", "other"});
  BOOST_TEST(admin.retrieve_object_acl("sdkacl").empty());
  admin.add_users_to_destination_acl("sdkcar", {"someone"});
  BOOST_TEST(!admin.retrieve_destination_acl("sdkcar").empty());
  admin.remove_users_from_destination_acl("sdkcar", {"someone"});
  BOOST_TEST(admin.retrieve_destination_acl("sdkcar").empty());
  auto refused_acl = error_of([&] { cloud.add_users_to_object_acl("sdkacl", {"someone"}); });
  BOOST_TEST((refused_acl.kind() == sdk::ErrorKind::kHttp));
  BOOST_TEST(refused_acl.http_status() == 403);
}

BOOST_AUTO_TEST_CASE(an_edge_is_reached_through_a_unix_socket) {
  // The edge's own socket listener is not there yet: a relay stands in for it, so this checks the
  // SDK's side (unix:// URLs, the Go-style constructor, Host: localhost) with real HTTP.
  auto cloud = cloud_client();
  TempDir dir;
  const auto socket = dir.path() / "ess.sock";
  UnixRelay relay(socket, topology().edge->port());
  sdk::SyncClient edge({.url = "unix://" + socket.string(), .app_key = kOrg + "/app"});
  BOOST_TEST(edge.health().node_type == "ESS");
  auto metadata = meta("sdkunix", "u1");
  cloud.update_object(metadata);
  const std::string data = pattern_bytes(300 * 1024, 2);
  std::istringstream in(data);
  cloud.update_object_data("sdkunix", "u1", in, data.size());
  BOOST_REQUIRE(wait_until([&] { return edge_status_of(edge, "sdkunix", "u1") == "completelyReceived"; }));
  BOOST_TEST((edge_data(edge, "sdkunix", "u1") == data));
  sdk::SyncClient go_style("unix", socket.string(), 0);
  go_style.set_app_key_and_secret(kOrg + "/app", "");
  go_style.mark_object_consumed("sdkunix", "u1");
  BOOST_TEST(go_style.get_updated_objects("sdkunix").empty());
}

BOOST_AUTO_TEST_CASE(a_piece_cut_in_flight_is_sent_again_and_a_cut_download_leaves_no_file) {
  TcpProxy proxy(topology().cloud->port());
  sdk::SyncClient client({.url = "http://127.0.0.1:" + std::to_string(proxy.port()),
                          .org = kOrg,
                          .app_key = kOrg + "/admin",
                          .upload_piece_bytes = 1 << 20});
  const std::string data = pattern_bytes(4 * 1024 * 1024, 13);
  client.update_object(meta("sdkcut", "up"));
  proxy.cut_after_bytes_to_server((5u << 20) / 2);  // in the middle of the third piece
  std::istringstream in(data);
  client.update_object_data("sdkcut", "up", in, data.size());
  BOOST_TEST(proxy.bytes_to_server() > data.size());  // the cut piece went twice
  auto cloud = cloud_client();
  std::ostringstream stored;
  cloud.fetch_object_data("sdkcut", "up", stored);
  BOOST_TEST((stored.str() == data));

  // A download cut in the middle fails with a transport error; the target file is never created.
  TempDir files;
  const auto target = files.path() / "cut.bin";
  proxy.cut_after_bytes_to_client(1 << 20);
  auto error = error_of([&] { client.fetch_object_data("sdkcut", "up", target); });
  BOOST_TEST((error.kind() == sdk::ErrorKind::kTransport));
  BOOST_TEST(std::filesystem::is_empty(files.path()));
}
