// TcpProxy: a fault-injecting TCP proxy for integration tests. Listens on 127.0.0.1 (ephemeral port),
// forwards every connection to 127.0.0.1:<target>, counts the bytes each way, and on demand cuts every
// link (now, or once N more bytes went to the client), refuses connections, or retargets new ones (an
// upstream restarted on another port). Runs on its own thread; every method is thread-safe.
#pragma once

#include <cstdint>
#include <memory>

namespace edgesync::test {

class TcpProxy {
 public:
  explicit TcpProxy(uint16_t target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  uint16_t port() const;
  uint64_t bytes_to_client() const;
  uint64_t bytes_to_server() const;
  void reset_counters();

  // Once n more bytes have gone server → client, every open link is cut (one-shot).
  void cut_after_bytes_to_client(uint64_t n);
  // Once n more bytes have gone client → server, every open link is cut (one-shot).
  void cut_after_bytes_to_server(uint64_t n);
  void drop_all();
  // While set, new connections are accepted and closed at once (the upstream looks unreachable).
  void set_refuse(bool refuse);
  void set_target_port(uint16_t port);
  // Server → client bytes are forwarded at most this fast (0 = no limit): makes a transfer last long
  // enough for a test to act in the middle of it.
  void set_rate_limit(uint64_t bytes_per_second);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace edgesync::test
