// Node: one edgesync node's parts, wired as its configuration says. The store and data directory, the
// authenticator, the object service, the sync side of its mode (the cloud's planner and CloudSync; the
// edge's metamanager and uplink), webhooks, the maintenance duties and the API handler that serves
// them. main() puts it behind HTTP listeners; the request fuzzer calls its handler directly, so what
// is fuzzed is what runs.
#pragma once

#include <memory>

#include "common/config.hpp"
#include "common/status.hpp"

namespace boost::asio {
class io_context;
}

namespace edgesync {

class ApiHandler;

class Node {
 public:
  // Opens the store and the data directory (removing data files no commit references), makes the
  // authenticator and the services of the configured mode, on an io_context of its own with
  // http.threads as its concurrency hint (one per core when 0). An edge without a cloud_url gets
  // no uplink: it behaves as one whose cloud is unreachable (the request fuzzer's edge). Errors name
  // what failed; a configuration error (unreadable uplink secret or CA file, bad credentials file) is
  // StatusCode::kInvalidArgument.
  static Result<std::unique_ptr<Node>> open(const Config& config);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Where everything of the node runs: the caller runs it on as many threads as it likes.
  boost::asio::io_context& io();
  int io_threads() const;  // http.threads, or one per core
  ApiHandler& api();

  // The background work: maintenance duties, the metamanager, the uplink.
  void start();
  // Answers every long-poll held now, and every later one at once (a shutdown, or a fuzzer's bound).
  void release_waiters();
  // Before the listeners stop: background work ends and long-polls answer.
  void stop();
  // After the io_context stopped: blocking work joined, the store closed cleanly.
  void close();

 private:
  struct Parts;
  explicit Node(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace edgesync
