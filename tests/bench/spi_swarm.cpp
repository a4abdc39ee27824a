#include "tests/bench/spi_swarm.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/base64.hpp"

namespace edgesync::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Answer {
  unsigned status = 0;  // 0: the connection failed
  std::string body;
};

// One simulated node: its identity and its connection.
class Node {
 public:
  Node(asio::io_context& io, const SwarmOptions& options, int index)
      : socket_(io),
        options_(options),
        identity_(options.org + "/" + options.dest_type + "/n" + std::to_string(index)),
        authorization_("Basic " + base64_encode(identity_ + ":")) {}

  asio::awaitable<Answer> call(const std::string& method, const std::string& target) {
    boost::system::error_code error;
    if (!socket_.is_open()) {
      co_await socket_.async_connect({asio::ip::make_address("127.0.0.1"), options_.cloud_port},
                                     asio::redirect_error(asio::use_awaitable, error));
      if (error) co_return Answer{};
    }
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization_ +
                          "\r\nX-Sync-Service-Dest: " + identity_ + "\r\n";
    if (method == "PUT") request += "Content-Length: 0\r\n";
    request += "\r\n";
    co_await asio::async_write(socket_, asio::buffer(request), asio::redirect_error(asio::use_awaitable, error));
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (!error) co_await http::async_read(socket_, buffer_, parser, asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      socket_.close(error);
      co_return Answer{};
    }
    if (!parser.get().keep_alive()) socket_.close(error);
    co_return Answer{parser.get().result_int(), std::move(parser.get().body())};
  }

  const std::string& identity() const { return identity_; }
  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  const SwarmOptions& options_;
  std::string identity_;
  std::string authorization_;
};

struct Shared {
  const SwarmOptions& options;
  SwarmResult result;
  std::atomic<int> next_to_register{0};
  int follow_failures = 0;  // nodes that stopped following after a failed request
  std::minstd_rand jitter{42};
  Clock::time_point publish_start;
  std::vector<std::unique_ptr<Node>> nodes;
};

// Counts a node that stops following; the first one is described on stderr.
void node_failed(Shared& shared, const Node& node, const std::string& call, const Answer& answer) {
  if (shared.follow_failures == 0)
    std::fprintf(stderr, "fanout: %s: %s answered %u %s\n", node.identity().c_str(), call.c_str(), answer.status,
                 answer.body.c_str());
  ++shared.result.failures;
  ++shared.follow_failures;
}

// Polls until the awaited object arrives, then fetches its data and acknowledges it.
asio::awaitable<void> follow(Shared& shared, Node& node) {
  const auto& options = shared.options;
  const std::string poll = "/spi/v1/objects/?wait=" + std::to_string(options.poll_wait_seconds);
  while (true) {
    Answer answer = co_await node.call("GET", poll);
    if (answer.status == 204) continue;
    auto items = nlohmann::json::parse(answer.body, nullptr, false);
    if (answer.status != 200 || !items.is_array()) {
      node_failed(shared, node, "poll", answer);
      co_return;
    }
    for (const auto& item : items) {
      const auto& meta = item.value("MetaData", nlohmann::json::object());
      if (item.value("Type", "") != "update" || meta.value("objectID", "") != options.object_id) continue;
      const std::string base = "/spi/v1/objects/" + options.org + "/" + options.object_type + "/" + options.object_id +
                               "/" + std::to_string(meta.value("instanceID", int64_t{0})) + "/" +
                               std::to_string(meta.value("dataID", int64_t{0})) + "/";
      if (meta.value("objectSize", int64_t{0}) > 0) {
        Answer data = co_await node.call("GET", base + "data");
        // 429: the cloud's transfer slots are taken; an edge retries after a jittered pause.
        for (int attempt = 0; data.status == 429 && attempt < 1000; ++attempt) {
          asio::steady_timer pause(co_await asio::this_coro::executor,
                                   std::chrono::milliseconds(10 + shared.jitter() % 90));
          co_await pause.async_wait(asio::use_awaitable);
          data = co_await node.call("GET", base + "data");
        }
        if (data.status != 200) {
          node_failed(shared, node, "GET " + base + "data", data);
          co_return;
        }
      }
      Answer received = co_await node.call("PUT", base + "received");
      if (received.status != 204) {
        node_failed(shared, node, "PUT " + base + "received", received);
        co_return;
      }
      shared.result.ack_seconds.push_back(std::chrono::duration<double>(Clock::now() - shared.publish_start).count());
      ++shared.result.acknowledged;
      node.close();
      co_return;
    }
  }
}

// Registers nodes one after another (several registrars run at once) and starts each one's polling.
asio::awaitable<void> registrar(Shared& shared) {
  for (int index; (index = shared.next_to_register++) < shared.options.nodes;) {
    Node& node = *shared.nodes[index];
    Answer answer = co_await node.call("PUT", "/spi/v1/register-new/" + node.identity());
    if (answer.status != 204) {
      ++shared.result.failures;
      continue;
    }
    ++shared.result.registered;
    asio::co_spawn(co_await asio::this_coro::executor, follow(shared, node), asio::detached);
  }
}

}  // namespace

SwarmResult run_swarm(const SwarmOptions& options, const std::function<bool()>& publish) {
  asio::io_context io(1);
  Shared shared{.options = options};
  for (int i = 0; i < options.nodes; ++i) shared.nodes.push_back(std::make_unique<Node>(io, options, i));
  for (int r = 0; r < options.registration_concurrency; ++r) asio::co_spawn(io, registrar(shared), asio::detached);
  // Registration runs alone; then the publisher starts from another thread while the polls are held.
  while (shared.result.registered + shared.result.failures < options.nodes) io.run_one();
  bool publish_ok = true;
  shared.publish_start = Clock::now();
  std::thread publisher([&] { publish_ok = publish(); });
  asio::steady_timer deadline(io, options.deadline);
  deadline.async_wait([&](boost::system::error_code) { io.stop(); });
  while (!io.stopped() && shared.result.acknowledged + shared.follow_failures < shared.result.registered) io.run_one();
  shared.result.seconds_to_all = std::chrono::duration<double>(Clock::now() - shared.publish_start).count();
  publisher.join();
  if (!publish_ok) ++shared.result.failures;
  for (auto& node : shared.nodes) node->close();
  return shared.result;
}

}  // namespace edgesync::bench
