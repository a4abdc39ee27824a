#include "webhook_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace example {

WebhookListener::WebhookListener(std::function<void(const std::string&)> on_post) : on_post_(std::move(on_post)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("cannot listen on 127.0.0.1");
  port_ = ntohs(address.sin_port);
}

WebhookListener::~WebhookListener() {
  if (listener_ >= 0) ::close(listener_);
}

void WebhookListener::stop() {
  stopping_ = true;
}

void WebhookListener::serve() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;  // wake up now and then to see stop()
    const int connection = ::accept(listener_, nullptr, nullptr);
    if (connection < 0) continue;
    while (handle(connection)) {
    }
    ::close(connection);
  }
}

// One request on a kept-alive connection; false when the connection is done.
bool WebhookListener::handle(int connection) {
  std::string data;
  char buffer[8192];
  size_t header_end;
  while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
    pollfd ready{connection, POLLIN, 0};
    if (stopping_ || ::poll(&ready, 1, 100) < 0) return false;
    if (!(ready.revents & POLLIN)) continue;
    const ssize_t got = ::read(connection, buffer, sizeof buffer);
    if (got <= 0 || data.size() > 65536) return false;
    data.append(buffer, static_cast<size_t>(got));
  }
  const std::string head = data.substr(0, header_end);
  size_t length = 0;
  for (size_t at = head.find("\r\n"); at != std::string::npos; at = head.find("\r\n", at + 2)) {
    std::string line = head.substr(at + 2, head.find("\r\n", at + 2) - at - 2);
    for (size_t i = 0; i < line.size() && line[i] != ':'; ++i) line[i] = static_cast<char>(std::tolower(line[i]));
    if (line.rfind("content-length:", 0) == 0) length = std::stoul(line.substr(15));
  }
  std::string body = data.substr(header_end + 4);
  while (body.size() < length) {
    const ssize_t got = ::read(connection, buffer, sizeof buffer);
    if (got <= 0) return false;
    body.append(buffer, static_cast<size_t>(got));
  }
  const bool post = head.rfind("POST ", 0) == 0 && length > 0;
  const std::string answer =
      post ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" : "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  if (::write(connection, answer.data(), answer.size()) < 0) return false;
  if (post) on_post_(body);
  return true;
}

}  // namespace example
