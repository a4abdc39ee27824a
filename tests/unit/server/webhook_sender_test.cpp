// WebhookSender against a real HttpServer whose routes answer as the test scripts them. The sender
// runs on two io threads of its own (its strand is what keeps it consistent).
#define BOOST_TEST_MODULE webhook_sender_test
#include "server/webhooks/webhook_sender.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "server/http/server.hpp"
#include "tests/unit/server/server_test_support.hpp"

using namespace edgesync;
using namespace edgesync::webhooks;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using edgesync::http::test::wait_until;

namespace {

struct Received {
  std::string content_type;
  std::string body;
};

// Routes (POST; every hit counted per path, successful ones recorded):
//   /ok                 204
//   /flaky              500 for the first two hits, then 204
//   /every-other        500 on odd hits (1st, 3rd, …), 204 on even ones
//   /broken             503
//   /hold               waits until `release`, then 204
class HookHandler final : public http::RequestHandler {
 public:
  http::BodyMode body_mode(std::string_view, std::string_view) const override { return http::BodyMode::kBuffered; }

  asio::awaitable<http::Response> handle(http::Request& request) override {
    const std::string path(request.path());
    const int hit = count(path);
    int status = 204;
    if (path == "/flaky") status = hit <= 2 ? 500 : 204;
    if (path == "/every-other") status = hit % 2 == 1 ? 500 : 204;
    if (path == "/broken") status = 503;
    if (path == "/hold") {
      ++holding;
      asio::steady_timer timer(co_await asio::this_coro::executor);
      while (!release) {
        timer.expires_after(2ms);
        co_await timer.async_wait(asio::use_awaitable);
      }
    }
    if (status == 204) {
      std::lock_guard lock(mutex);
      received[path].push_back({std::string(request.header("Content-Type").value_or("")), request.body()});
    }
    co_return http::Response::empty(status);
  }

  int hits(const std::string& path) {
    std::lock_guard lock(mutex);
    return hits_[path];
  }
  std::vector<Received> got(const std::string& path) {
    std::lock_guard lock(mutex);
    return received[path];
  }

  std::atomic<bool> release{false};
  std::atomic<int> holding{0};

 private:
  int count(const std::string& path) {
    std::lock_guard lock(mutex);
    return ++hits_[path];
  }
  std::mutex mutex;
  std::map<std::string, int> hits_;
  std::map<std::string, std::vector<Received>> received;
};

// io threads that end once their work is done (so a test also proves the sender leaves none behind).
struct IoThreads {
  asio::io_context io{2};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;

  IoThreads() {
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~IoThreads() {
    work.reset();
    for (auto& thread : threads) thread.join();
  }
};

class Receiver {
 public:
  Receiver() {
    auto created = http::HttpServer::create(io_.io, http::test::test_config(), "127.0.0.1:0", handler);
    if (!created) throw std::runtime_error(created.status().message());
    server_ = std::move(*created);
    server_->start();
  }
  ~Receiver() {
    handler.release = true;
    std::atomic<bool> stopped{false};
    server_->stop([&stopped] { stopped = true; });
    wait_until([&] { return stopped.load(); });
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  HookHandler handler;

 private:
  IoThreads io_;
  std::unique_ptr<http::HttpServer> server_;
};

WebhookOptions quick() {
  WebhookOptions options;
  options.max_attempts = 3;
  options.first_retry = 5ms;
  options.max_retry = 20ms;
  options.request_timeout = 5000ms;
  return options;
}

// A port nothing listens on.
uint16_t dead_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace

BOOST_AUTO_TEST_CASE(posts_the_metadata_json_to_every_url) {
  Receiver receiver;
  IoThreads io;
  WebhookSender sender(io.io.get_executor(), quick());
  sender.notify({receiver.url("/ok"), receiver.url("/ok?second=1")}, R"({"objectID":"a"})");
  BOOST_REQUIRE(wait_until([&] { return sender.delivered() == 2; }));
  const auto got = receiver.handler.got("/ok");
  BOOST_REQUIRE(got.size() == 2u);
  for (const auto& one : got) {
    BOOST_TEST(one.content_type == "application/json");
    BOOST_TEST(one.body == R"({"objectID":"a"})");
  }
  BOOST_TEST(sender.failed() == 0u);
  BOOST_TEST(sender.dropped() == 0u);
  sender.notify({}, "{}");  // no URL, nothing to do
  sender.stop();
  sender.stop();  // twice is fine
}

BOOST_AUTO_TEST_CASE(retries_until_the_url_accepts) {
  Receiver receiver;
  IoThreads io;
  WebhookSender sender(io.io.get_executor(), quick());
  sender.notify({receiver.url("/flaky")}, R"({"n":1})");
  BOOST_REQUIRE(wait_until([&] { return sender.delivered() == 1; }));
  BOOST_TEST(receiver.handler.hits("/flaky") == 3);
  BOOST_TEST(receiver.handler.got("/flaky").at(0).body == R"({"n":1})");
  BOOST_TEST(sender.failed() == 0u);
}

BOOST_AUTO_TEST_CASE(gives_up_after_max_attempts) {
  Receiver receiver;
  IoThreads io;
  WebhookSender sender(io.io.get_executor(), quick());
  sender.notify({receiver.url("/broken"), "http://127.0.0.1:" + std::to_string(dead_port()) + "/hook"}, "{}");
  BOOST_REQUIRE(wait_until([&] { return sender.failed() == 2; }));
  BOOST_TEST(receiver.handler.hits("/broken") == 3);
  BOOST_TEST(sender.delivered() == 0u);

  // A URL that cannot be used fails at once, without attempts.
  sender.notify({"https://127.0.0.1/hook", "not a url"}, "{}");
  BOOST_REQUIRE(wait_until([&] { return sender.failed() == 4; }));
}

BOOST_AUTO_TEST_CASE(deliveries_to_one_url_keep_their_order_and_urls_do_not_wait_on_each_other) {
  Receiver receiver;
  IoThreads io;
  WebhookOptions options = quick();
  options.first_retry = 2000ms;  // the dead URL stays in its backoff while the others are delivered
  options.max_retry = 2000ms;
  WebhookSender sender(io.io.get_executor(), options);
  const std::string dead = "http://127.0.0.1:" + std::to_string(dead_port()) + "/hook";
  const int count = 20;
  for (int i = 0; i < count; ++i)
    sender.notify({dead, receiver.url("/every-other"), receiver.url("/ok")}, std::to_string(i));
  // Every /every-other delivery needs a retry (up to 2 s of backoff each), so it is last to finish.
  BOOST_REQUIRE(wait_until([&] { return receiver.handler.got("/ok").size() == count; }));
  BOOST_TEST(sender.failed() == 0u);  // the dead URL is still trying
  const auto direct = receiver.handler.got("/ok");
  for (int i = 0; i < count; ++i) BOOST_TEST(direct[i].body == std::to_string(i));
  sender.stop();
}

BOOST_AUTO_TEST_CASE(retried_deliveries_keep_their_order) {
  Receiver receiver;
  IoThreads io;
  WebhookSender sender(io.io.get_executor(), quick());
  const int count = 10;
  for (int i = 0; i < count; ++i) sender.notify({receiver.url("/every-other")}, std::to_string(i));
  BOOST_REQUIRE(wait_until([&] { return sender.delivered() == count; }));
  const auto got = receiver.handler.got("/every-other");
  BOOST_REQUIRE(got.size() == static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) BOOST_TEST(got[i].body == std::to_string(i));
  BOOST_TEST(receiver.handler.hits("/every-other") == 2 * count);
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_and_stop_cancels_what_is_in_flight) {
  Receiver receiver;
  IoThreads io;
  WebhookOptions options = quick();
  options.max_queued = 2;
  WebhookSender sender(io.io.get_executor(), options);
  for (int i = 0; i < 5; ++i) sender.notify({receiver.url("/hold")}, std::to_string(i));
  BOOST_REQUIRE(wait_until([&] { return sender.dropped() == 3; }));
  BOOST_REQUIRE(wait_until([&] { return receiver.handler.holding.load() == 1; }));
  sender.stop();
  sender.notify({receiver.url("/ok")}, "after stop");  // ignored
  receiver.handler.release = true;
  // Nothing more is delivered; IoThreads' destructor then proves no work is left behind.
  BOOST_TEST(!wait_until([&] { return sender.delivered() > 0 || !receiver.handler.got("/ok").empty(); }, 300ms));
  BOOST_TEST(sender.failed() == 0u);
}
