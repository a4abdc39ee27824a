// Webhooks end to end: an edge POSTs the metadata of an object to the registered URL when the object
// is completely received and when the cloud deletes it; a URL that fails is retried.
#define BOOST_TEST_MODULE webhook_test
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <mutex>
#include <thread>

#include "server/http/server.hpp"
#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;
using nlohmann::json;
namespace asio = boost::asio;

namespace {

// An application's webhook endpoint, in the test process: records every POST; /flaky answers 500 to
// its first two calls.
class Receiver final : public edgesync::http::RequestHandler {
 public:
  edgesync::http::BodyMode body_mode(std::string_view, std::string_view) const override {
    return edgesync::http::BodyMode::kBuffered;
  }
  asio::awaitable<edgesync::http::Response> handle(edgesync::http::Request& request) override {
    std::lock_guard lock(mutex_);
    const std::string path(request.path());
    if (path == "/flaky" && flaky_failures_++ < 2) co_return edgesync::http::Response::empty(500);
    calls_.push_back({path, std::string(request.header("Content-Type").value_or("")), request.body()});
    co_return edgesync::http::Response::empty(204);
  }
  struct Call {
    std::string path, content_type, body;
  };
  std::vector<Call> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::vector<Call> calls_;
  int flaky_failures_ = 0;
};

struct ReceiverServer {
  asio::io_context io;
  Receiver receiver;
  std::unique_ptr<edgesync::http::HttpServer> server;
  std::thread thread;
  ReceiverServer() {
    auto created = edgesync::http::HttpServer::create(io, edgesync::HttpConfig{}, "127.0.0.1:0", receiver);
    BOOST_REQUIRE(created.is_ok());
    server = std::move(*created);
    server->start();
    thread = std::thread([this] { io.run(); });
  }
  ~ReceiverServer() {
    server->stop([this] { io.stop(); });
    thread.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(server->port()) + path; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_edge_posts_received_and_deleted_objects_to_its_webhooks_retrying_failures) {
  ReceiverServer hooks;
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  auto edge = start_edge(dir.path(), "car", "w1", cloud->port());
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));
  HttpClient local = edge_app(*edge);
  for (const auto& [type, path] : {std::pair{"hooked", "/hook"}, std::pair{"flaky", "/flaky"}}) {
    json body = {{"action", "register"}, {"url", hooks.url(path)}};
    BOOST_REQUIRE(local.put(edge_objects(type), body.dump()).status == 204);
  }

  HttpClient app = cloud_app(*cloud);
  const std::string data = "hook me";
  BOOST_REQUIRE(
      app.put(cloud_objects("hooked/h1"), object_body("hooked", "h1", {{"destinationType", "car"}}, &data)).status ==
      204);
  BOOST_REQUIRE(wait_until([&] { return hooks.receiver.calls().size() == 1u; }));
  auto first = hooks.receiver.calls()[0];
  BOOST_TEST(first.path == "/hook");
  BOOST_TEST(first.content_type == "application/json");
  BOOST_TEST(json::parse(first.body)["objectID"] == "h1");
  BOOST_TEST(json::parse(first.body)["deleted"] == false);

  BOOST_REQUIRE(app.del(cloud_objects("hooked/h1")).status == 204);
  BOOST_REQUIRE(wait_until([&] { return hooks.receiver.calls().size() == 2u; }));
  BOOST_TEST(json::parse(hooks.receiver.calls()[1].body)["deleted"] == true);

  // 500, 500, then accepted: delivered by the retries, once.
  BOOST_REQUIRE(
      app.put(cloud_objects("flaky/f1"), object_body("flaky", "f1", {{"destinationType", "car"}}, &data)).status ==
      204);
  BOOST_REQUIRE(wait_until([&] { return hooks.receiver.calls().size() == 3u; }, std::chrono::seconds(30)));
  BOOST_TEST(hooks.receiver.calls()[2].path == "/flaky");
  BOOST_TEST(json::parse(hooks.receiver.calls()[2].body)["objectID"] == "f1");
}
