#include "tests/bench/nginx_ceiling.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace edgesync::bench {

namespace {

const char* const kNginx = "/usr/sbin/nginx";

// A port the kernel just had free (bound and released).
uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

}  // namespace

std::optional<Nginx> Nginx::start(const std::filesystem::path& work_dir) {
  if (::access(kNginx, X_OK) != 0) return std::nullopt;
  const auto dir = work_dir / "nginx";
  std::filesystem::create_directories(dir);
  const uint16_t port = free_port();
  // As many workers as cores (as edgesync's io threads), no logging, keep-alive without a request cap,
  // a 3-byte answer from memory (no file system: workers run as nobody and cannot read our temp dir).
  std::ofstream(dir / "nginx.conf") << "worker_processes auto;\ndaemon off;\nerror_log " << (dir / "error.log").string()
                                    << ";\npid " << (dir / "nginx.pid").string()
                                    << ";\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n"
                                    << "  keepalive_requests 1000000;\n  server {\n    listen 127.0.0.1:" << port
                                    << ";\n    location = " << kPath
                                    << " { default_type text/plain; return 200 \"ok\\n\"; }\n  }\n}\n";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string config = (dir / "nginx.conf").string(), prefix = dir.string() + "/";
    ::execl(kNginx, kNginx, "-p", prefix.c_str(), "-c", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 400 && !accepts(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!accepts(port)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return std::nullopt;
  }
  return Nginx(pid, port);
}

Nginx::Nginx(Nginx&& other) noexcept : pid_(other.pid_), port_(other.port_) {
  other.pid_ = -1;
}

Nginx::~Nginx() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGQUIT);  // graceful: workers finish, then the master exits
  ::waitpid(pid_, nullptr, 0);
}

}  // namespace edgesync::bench
