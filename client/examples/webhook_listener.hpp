// A minimal HTTP listener for receive_file's webhook mode: accepts POSTs on 127.0.0.1, hands each
// body to a callback and answers 200 (400 for anything but a POST with a body). Plain POSIX sockets,
// one connection at a time: enough for an example, not a production server.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace example {

class WebhookListener {
 public:
  explicit WebhookListener(std::function<void(const std::string& body)> on_post);
  ~WebhookListener();
  uint16_t port() const { return port_; }
  // Serves until stop() (from the callback or another thread).
  void serve();
  void stop();

 private:
  bool handle(int connection);
  std::function<void(const std::string&)> on_post_;
  int listener_ = -1;
  uint16_t port_ = 0;
  volatile bool stopping_ = false;
};

}  // namespace example
