// kill -9 during a burst of concurrent PUTs: after a restart every acknowledged object is present and
// intact, and the database passes SQLite's integrity check without any repair.
#define BOOST_TEST_MODULE crash_test
#include <SQLiteCpp/SQLiteCpp.h>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <mutex>
#include <thread>

#include "tests/integration/api_test_helpers.hpp"
#include "tests/support/node_process.hpp"

using namespace edgesync::test;

namespace {

std::string data_for(int writer, int sequence) {
  return pattern_bytes(1000 + static_cast<size_t>((writer * 131 + sequence * 17) % 3000),
                       static_cast<unsigned>(writer * 100000 + sequence));
}

}  // namespace

BOOST_AUTO_TEST_CASE(acknowledged_writes_survive_kill_9) {
  TempDir dir;
  const auto data_dir = dir.path() / "cloud";
  constexpr int kWriters = 16;
  std::mutex acknowledged_mutex;
  std::vector<std::pair<int, int>> acknowledged;  // (writer, sequence)
  std::atomic<int> acknowledged_count{0};
  {
    NodeProcess node(data_dir, {"--mode", "cloud"});
    const uint16_t port = node.port();
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int writer = 0; writer < kWriters; ++writer) {
      writers.emplace_back([&, writer] {
        HttpClient client(port, "admin@myorg");
        for (int sequence = 0; !stop; ++sequence) {
          const std::string id = "w" + std::to_string(writer) + "-" + std::to_string(sequence);
          const std::string data = data_for(writer, sequence);
          try {
            // Metadata with inline data, then a second object whose data arrives by PUT …/data.
            auto put = client.put("/api/v1/objects/myorg/crash/" + id, object_body("crash", id, {}, &data));
            if (put.status != 204) break;
            std::lock_guard lock(acknowledged_mutex);
            acknowledged.emplace_back(writer, sequence);
            ++acknowledged_count;
          } catch (const std::exception&) {
            break;  // the server died under us
          }
        }
      });
    }
    BOOST_REQUIRE(wait_until([&] { return acknowledged_count >= 400; }, std::chrono::seconds(120)));
    node.kill_hard();  // mid-burst: writers are still sending
    stop = true;
    for (auto& thread : writers) thread.join();
  }
  BOOST_TEST_MESSAGE("acknowledged before kill -9: " << acknowledged.size());

  NodeProcess restarted(data_dir, {"--mode", "cloud"});
  HttpClient client(restarted.port(), "admin@myorg");
  for (const auto& [writer, sequence] : acknowledged) {
    const std::string id = "w" + std::to_string(writer) + "-" + std::to_string(sequence);
    auto data = client.get("/api/v1/objects/myorg/crash/" + id + "/data");
    BOOST_TEST_CONTEXT(id) {
      BOOST_TEST(data.status == 200);
      BOOST_TEST((data.body == data_for(writer, sequence)));
    }
  }
  BOOST_TEST(restarted.terminate() == 0);

  SQLite::Database database((data_dir / "edgesync.db").string(), SQLite::OPEN_READONLY);
  BOOST_TEST(database.execAndGet("PRAGMA integrity_check").getString() == "ok");
}
