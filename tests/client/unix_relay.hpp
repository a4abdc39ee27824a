// UnixRelay: listens on a Unix socket and relays each connection, byte for byte both ways, to
// 127.0.0.1:port. Lets the client tests reach a TCP server (an edgesync edge, a TLS peer) through a
// Unix socket, for the SDK's unix:// and secure-unix:// transports, until the edge's own socket
// listener exists.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

namespace edgesync::test {

class UnixRelay {
 public:
  UnixRelay(const std::filesystem::path& socket_path, uint16_t port) : port_(port) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0)
      throw std::runtime_error("cannot listen on " + socket_path.string());
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~UnixRelay() {
    stopping_ = true;
    acceptor_.join();
    for (auto& relay : relays_) relay.join();
    ::close(listener_);
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(port_);
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(client);
        ::close(server);
        continue;
      }
      relays_.emplace_back([this, client, server] { relay(client, server); });
    }
  }
  void relay(int a, int b) {
    char buffer[65536];
    bool open = true;
    while (open && !stopping_) {
      pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(fds, 2, 20) <= 0) continue;
      for (int i = 0; i < 2 && open; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
        if (got <= 0) {
          open = false;
          break;
        }
        const int to = i == 0 ? b : a;
        for (ssize_t sent = 0; sent < got;) {
          const ssize_t n = ::write(to, buffer + sent, static_cast<size_t>(got - sent));
          if (n <= 0) {
            open = false;
            break;
          }
          sent += n;
        }
      }
    }
    ::close(a);
    ::close(b);
  }

  uint16_t port_;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::vector<std::thread> relays_;
};

}  // namespace edgesync::test
