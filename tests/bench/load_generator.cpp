#include "tests/bench/load_generator.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <thread>

#include "common/base64.hpp"
#include "tests/bench/bench_report.hpp"

namespace edgesync::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

double LoadResult::percentile_ms(double p) const {
  return percentile(latencies_ms, p);
}

std::string make_request(const std::string& method, const std::string& target, const std::string& app_key,
                         const std::string& body, const std::string& content_type) {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!app_key.empty()) request += "Authorization: Basic " + base64_encode(app_key + ":") + "\r\n";
  if (!content_type.empty()) request += "Content-Type: " + content_type + "\r\n";
  if (!body.empty() || method == "PUT" || method == "POST")
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return request + "\r\n" + body;
}

namespace {

// What one thread's connections counted; merged at the end.
struct Tally {
  uint64_t requests = 0, not_success = 0, io_failures = 0;
  std::vector<double> latencies_ms;
};

asio::awaitable<void> drive_connection(const LoadOptions& options, Clock::time_point until,
                                       std::atomic<uint64_t>& sequence, Tally& tally, uint16_t port) {
  auto executor = co_await asio::this_coro::executor;
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  while (Clock::now() < until) {
    tcp::socket socket(executor);
    boost::system::error_code error;
    co_await socket.async_connect(server, asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      ++tally.io_failures;
      continue;
    }
    socket.set_option(tcp::no_delay(true));
    boost::beast::flat_buffer buffer;
    while (Clock::now() < until) {
      const std::string request = options.request(sequence.fetch_add(1, std::memory_order_relaxed));
      const auto start = Clock::now();
      co_await asio::async_write(socket, asio::buffer(request), asio::redirect_error(asio::use_awaitable, error));
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      if (!error) co_await http::async_read(socket, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
      if (error) {
        ++tally.io_failures;
        break;
      }
      tally.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      ++tally.requests;
      const unsigned status = parser.get().result_int();
      if (status < 200 || status >= 300) ++tally.not_success;
      if (!parser.get().keep_alive()) break;
    }
  }
}

// Connection c's server: round robin over the instances when there are several.
uint16_t connection_port(const LoadOptions& options, int c) {
  if (options.more_ports.empty()) return options.port;
  const size_t index = static_cast<size_t>(c) % (options.more_ports.size() + 1);
  return index == 0 ? options.port : options.more_ports[index - 1];
}

}  // namespace

LoadResult run_load(const LoadOptions& options) {
  const int threads = std::max(1, std::min(options.threads, options.connections));
  std::vector<Tally> tallies(threads);
  std::atomic<uint64_t> sequence{0};
  const auto start = Clock::now();
  const auto until = start + options.duration;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      asio::io_context io(1);
      for (int c = t; c < options.connections; c += threads)
        asio::co_spawn(io, drive_connection(options, until, sequence, tallies[t], connection_port(options, c)),
                       asio::detached);
      io.run();
    });
  }
  for (auto& worker : workers) worker.join();
  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& tally : tallies) {
    result.requests += tally.requests;
    result.not_success += tally.not_success;
    result.io_failures += tally.io_failures;
    result.latencies_ms.insert(result.latencies_ms.end(), tally.latencies_ms.begin(), tally.latencies_ms.end());
  }
  return result;
}

}  // namespace edgesync::bench
