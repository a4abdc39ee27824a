// Fuzzes the whole request handler in process: the input is raw HTTP/1.1 (one request or several in a
// row, parsed by Beast as the server parses them), each request runs through the real ApiHandler of a
// cloud (or, built with EDGESYNC_FUZZ_EDGE, an edge) over a real SQLite store and data directory, and
// streamed answers are read to their end. Every input starts from an empty node, so a crash found here
// reproduces from its input alone.
//
// Besides crashes, hangs and sanitizer reports, three rules of the API are checked:
//   - bad input is the client's fault: no answer is a 500;
//   - every refusal other than 404/405 says what is wrong (non-empty body);
//   - nothing is written outside the data directory (the node's parent directory stays as it was).
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"
#include "server/api/api_handler.hpp"
#include "server/node/node.hpp"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using namespace edgesync;

constexpr int kMaxRequestsPerInput = 8;
// A long-poll (`wait=S`) in the input would hold the request for S seconds: past this the node's
// waiters are stopped, which answers every long-poll at once, as a shutdown does.
constexpr auto kLongPollBound = std::chrono::milliseconds(200);

// What a handler sees of one parsed request. Streamed routes get the body in pieces of at most 7 bytes,
// so that reassembly across reads is exercised too.
class FuzzRequest final : public http::Request {
 public:
  explicit FuzzRequest(const bhttp::request<bhttp::string_body>& message) : message_(message) {}

  std::string_view method() const override { return message_.method_string(); }
  std::string_view target() const override { return message_.target(); }
  std::optional<std::string_view> header(std::string_view name) const override {
    const auto found = message_.find(name);
    if (found == message_.end()) return std::nullopt;
    return found->value();
  }
  std::optional<uint64_t> content_length() const override { return message_.body().size(); }
  const std::string& body() const override { return message_.body(); }
  asio::awaitable<Result<size_t>> read_body_some(std::span<char> buffer) override {
    const std::string& body = message_.body();
    const size_t count = std::min({buffer.size(), body.size() - offset_, size_t{7}});
    std::copy_n(body.data() + offset_, count, buffer.data());
    offset_ += count;
    co_return count;
  }
  std::string remote_endpoint() const override { return "127.0.0.1:1"; }

 private:
  const bhttp::request<bhttp::string_body>& message_;
  size_t offset_ = 0;
};

[[noreturn]] void fail(const char* rule, const bhttp::request<bhttp::string_body>& message, int status,
                       const std::string& body) {
  std::fprintf(stderr, "request_fuzz: %s: %.*s %.*s answered %d: %s\n", rule,
               static_cast<int>(message.method_string().size()), message.method_string().data(),
               static_cast<int>(message.target().size()), message.target().data(), status, body.c_str());
  std::abort();
}

// MMS's wire contract: 404 and 405 carry no body anywhere, nor do the SPI's 409 ("ignored, treat as
// acknowledged") and 424 (unknown destination) — reference/spi-wire.md.
bool empty_by_contract(std::string_view target, int status) {
  if (status == 404 || status == 405) return true;
  return (status == 409 || status == 424) && target.starts_with("/spi/");
}

// One empty node in a fresh directory, torn down after the input: the server's own Node, so what is
// fuzzed is what runs.
class FuzzNode {
 public:
  explicit FuzzNode(const fs::path& dir) {
    fs::create_directories(dir);
    Config config;
    config.data_dir = dir.string();
    config.auth = AuthKind::kDummy;
    config.store.max_batch_writes = 64;
    config.store.chunk_size = 64 * 1024;
    config.meta_sync_status_interval_seconds = 3600;
#ifdef EDGESYNC_FUZZ_EDGE
    // No cloud_url: the edge behaves as one whose cloud is unreachable.
    config.mode = NodeMode::kEdge;
    config.org = "myorg";
    config.dest_type = "fuzztype";
    config.dest_id = "node1";
#endif
    auto opened = Node::open(config);
    if (!opened) {
      std::fprintf(stderr, "request_fuzz: cannot set up the node: %s\n", opened.status().message().c_str());
      std::abort();
    }
    node_ = std::move(*opened);
    node_->start();
  }

  ~FuzzNode() {
    node_->stop();
    // Let the stopped parts finish their cancelled work (the io_context stops once none is left).
    asio::io_context& io = node_->io();
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!io.stopped() && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(5));
    node_->close();
  }

  // Runs one request to its answer, with its streamed body read to the end.
  std::pair<int, std::string> run(http::Request& request) {
    auto future = asio::co_spawn(node_->io(), serve(request), asio::use_future);
    auto ready = [&future] { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; };
    // Step by step, not run_for(): the node's timers keep the io_context busy after the answer.
    const auto deadline = std::chrono::steady_clock::now() + kLongPollBound;
    while (!ready() && std::chrono::steady_clock::now() < deadline) step();
    if (!ready()) node_->release_waiters();
    while (!ready()) step();
    return future.get();
  }

 private:
  // Runs what is due; the work may also be on the blocking pool, so an idle io_context is restarted.
  void step() {
    asio::io_context& io = node_->io();
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(5));
  }

  asio::awaitable<std::pair<int, std::string>> serve(http::Request& request) {
    http::Response response = co_await node_->api().handle(request);
    std::string body = response.body;
    if (response.stream) {
      std::vector<char> piece(4096);
      uint64_t total = 0;
      while (true) {
        auto read = response.stream->source(piece);
        if (!read || *read == 0) break;
        total += *read;
      }
      body = "<" + std::to_string(total) + " streamed bytes>";
    }
    co_return std::make_pair(response.status, body);
  }

  std::unique_ptr<Node> node_;
};

// The parent of every node: a directory that must hold nothing but the node after each input.
const fs::path& fuzz_root() {
  static const fs::path root = [] {
    // Every input opens a new SQLite database: on tmpfs its fsyncs cost nothing. libFuzzer ends a
    // timed run without exit handlers, so scripts/fuzz.sh names a scratch directory it removes itself.
    const char* scratch = std::getenv("EDGESYNC_FUZZ_TMPDIR");
    const fs::path base = scratch != nullptr             ? fs::path(scratch)
                          : fs::is_directory("/dev/shm") ? fs::path("/dev/shm")
                                                         : fs::temp_directory_path();
    std::string pattern = (base / "edgesync-request-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(fuzz_root(), ignored);
    });
    return fs::path(pattern);
  }();
  return root;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // a log line per request would drown the fuzzer's output
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path node_dir = fuzz_root() / "node";
  {
    FuzzNode node(node_dir);
    boost::beast::flat_buffer buffer;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    for (int i = 0; i < kMaxRequestsPerInput && !input.empty(); ++i) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.eager(true);
      parser.header_limit(16 * 1024);
      parser.body_limit(1 << 20);
      boost::system::error_code error;
      const size_t used = parser.put(asio::buffer(input.data(), input.size()), error);
      if (error || !parser.is_done()) break;  // not a whole request: the server would wait or refuse
      input.remove_prefix(used);
      const auto& message = parser.get();
      FuzzRequest request(message);
      const auto [status, body] = node.run(request);
      if (status >= 500 && status != 503) fail("a server error", message, status, body);
      if (status >= 400 && body.empty() && !empty_by_contract(message.target(), status))
        fail("a refusal without a reason", message, status, body);
    }
  }
  for (const auto& entry : fs::directory_iterator(fuzz_root())) {
    if (entry.path() != node_dir) {
      std::fprintf(stderr, "request_fuzz: %s was written outside the data directory\n", entry.path().c_str());
      std::abort();
    }
  }
  fs::remove_all(node_dir);
  return 0;
}
