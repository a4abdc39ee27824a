// The SDK examples end to end, as MMS's send-file / receive-file: send_file publishes at the cloud,
// receive_file (polling, then webhook mode) writes the file at the edge, marks it, and handles the
// deletion. Real processes on 127.0.0.1.
#define BOOST_TEST_MODULE examples_test
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <edgesync/client.hpp>
#include <sstream>

#include "tests/client/child_process.hpp"
#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;
namespace sdk = edgesync::client;

namespace {

ConnectedPair& topology() {
  static ConnectedPair instance("excar");
  return instance;
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Run send_file(const std::filesystem::path& file, const std::filesystem::path& logs) {
  auto& t = topology();
  return run_program(SEND_FILE,
                     {"--server", t.cloud_url(), "--org", kOrg, "--key", kOrg + "/admin", "--secret", "s", "--dt",
                      "excar", "--id", "e1", "-f", file.string()},
                     logs);
}

std::string cloud_destination_status(const std::string& id) {
  sdk::SyncClient cloud({.url = topology().cloud_url(), .org = kOrg, .app_key = kOrg + "/admin"});
  auto rows = cloud.get_object_destinations("send-file", id);
  return rows.size() == 1 ? rows[0].status : "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(polling_receive_writes_the_file_marks_it_received_and_follows_its_deletion) {
  auto& t = topology();
  TempDir work;
  const auto inbox = work.path() / "inbox";
  std::filesystem::create_directories(inbox);
  const auto source = work.path() / "poll.bin";
  const std::string data = pattern_bytes(2 * 1024 * 1024 + 5, 3);
  std::ofstream(source, std::ios::binary) << data;

  ChildProcess receiver(RECEIVE_FILE,
                        {"--server", t.edge_url(), "--key", kOrg + "/app", "--secret", "s", "--dir", inbox.string(),
                         "--interval-ms", "50", "--received", "--count", "2"},
                        work.path());
  const Run sent = send_file(source, work.path());
  BOOST_REQUIRE_MESSAGE(sent.exit_code == 0, sent.err);
  BOOST_TEST(sent.out.find("poll.bin@excar-e1") != std::string::npos, sent.out);

  const auto received = inbox / "poll.bin";
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return std::filesystem::exists(received); }), receiver.out() + receiver.err());
  BOOST_TEST((read_all(received) == data));
  BOOST_REQUIRE(wait_until([&] { return cloud_destination_status("poll.bin@excar-e1") == "delivered"; }));

  sdk::SyncClient cloud({.url = t.cloud_url(), .org = kOrg, .app_key = kOrg + "/admin"});
  cloud.delete_object("send-file", "poll.bin@excar-e1");
  BOOST_REQUIRE_MESSAGE(receiver.wait() == 0, receiver.out() + receiver.err());
  BOOST_TEST(!std::filesystem::exists(received));
  BOOST_TEST(receiver.out().find("Deleted") != std::string::npos);
  // Nothing but the deleted file was ever in the inbox (the temporary file was renamed into place).
  BOOST_TEST(std::filesystem::is_empty(inbox));
}

BOOST_AUTO_TEST_CASE(webhook_receive_writes_the_file_and_marks_it_consumed) {
  auto& t = topology();
  TempDir work;
  const auto inbox = work.path() / "inbox";
  std::filesystem::create_directories(inbox);
  const auto source = work.path() / "hook.bin";
  const std::string data = pattern_bytes(700 * 1024, 8);
  std::ofstream(source, std::ios::binary) << data;

  ChildProcess receiver(RECEIVE_FILE,
                        {"--server", t.edge_url(), "--key", kOrg + "/app", "--secret", "s", "--dir", inbox.string(),
                         "--webhook", "--count", "1"},
                        work.path());
  BOOST_REQUIRE_MESSAGE(
      wait_until([&] { return receiver.out().find("Waiting for files (webhook") != std::string::npos; }),
      receiver.out() + receiver.err());
  const Run sent = send_file(source, work.path());
  BOOST_REQUIRE_MESSAGE(sent.exit_code == 0, sent.err);
  BOOST_REQUIRE_MESSAGE(receiver.wait() == 0, receiver.out() + receiver.err());
  BOOST_TEST((read_all(inbox / "hook.bin") == data));
  BOOST_TEST(wait_until([&] { return cloud_destination_status("hook.bin@excar-e1") == "consumed"; }));
}

BOOST_AUTO_TEST_CASE(examples_answer_bad_input_with_a_message) {
  TempDir work;
  const Run missing = run_program(SEND_FILE, {"--dt", "x", "--id", "y", "-f", "/nonexistent"}, work.path());
  BOOST_TEST(missing.exit_code != 0);
  BOOST_TEST(missing.err.find("/nonexistent") != std::string::npos, missing.err);
  const Run unreachable =
      run_program(RECEIVE_FILE, {"--server", "http://127.0.0.1:1", "--webhook", "--count", "1"}, work.path());
  BOOST_TEST(unreachable.exit_code == 1);
  BOOST_TEST(unreachable.err.find("Cannot connect") != std::string::npos, unreachable.err);
}

BOOST_AUTO_TEST_CASE(receive_file_as_the_compose_demo_runs_it_serves_until_sigterm) {
  // deploy/docker-compose.yml: --url, --user key:secret, --type, no terminal on stdin, stopped by SIGTERM.
  auto& t = topology();
  TempDir work;
  const auto inbox = work.path() / "received";
  std::filesystem::create_directories(inbox);
  ChildProcess receiver(RECEIVE_FILE,
                        {"--url", t.edge_url(), "--user", kOrg + "/receiver:", "--type", "sample", "--dir",
                         inbox.string(), "--interval-ms", "50"},
                        work.path());
  sdk::SyncClient cloud({.url = t.cloud_url(), .org = kOrg, .app_key = kOrg + "/admin"});
  sdk::ObjectMetadata greeting;
  greeting.object_type = "sample";
  greeting.object_id = "greeting";
  greeting.destination_type = "excar";
  cloud.update_object(greeting);
  std::istringstream text("hello edge\n");
  cloud.update_object_data("sample", "greeting", text, 11);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return read_all(inbox / "greeting") == "hello edge\n"; }),
                        receiver.out() + receiver.err());
  BOOST_TEST(!receiver.wait(std::chrono::milliseconds(200)).has_value());  // still serving: stdin is no terminal
  receiver.signal(SIGTERM);
  BOOST_TEST((receiver.wait() == 0));
}
