// The HttpServer on a Unix socket: the same sessions as over TCP, the socket file's mode applied,
// a stale socket file from a dead process replaced, any other file at the path refused, and the file
// removed at a graceful stop.
#define BOOST_TEST_MODULE http_unix_socket_test
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tests/support/node_process.hpp"
#include "tests/unit/server/server_test_support.hpp"

using namespace edgesync;
using namespace edgesync::http;
using namespace edgesync::http::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using edgesync::test::TempDir;

namespace {

HttpConfig unix_config(const fs::path& path, uint32_t mode = 0660) {
  HttpConfig config = test_config();
  config.unix_socket = path.string();
  config.unix_socket_mode = mode;
  return config;
}

// A connected Unix socket (a file descriptor) with receive and send timeouts, or -1.
int connect_to(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends the bytes and reads until the server closes (or the 10 s receive timeout passes).
std::string exchange_over(const fs::path& path, const std::string& bytes) {
  const int fd = connect_to(path);
  if (fd < 0) return "connect failed: " + std::string(std::strerror(errno));
  std::string received;
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    char piece[4096];
    ssize_t got = 0;
    while ((got = ::recv(fd, piece, sizeof piece, 0)) > 0) received.append(piece, static_cast<size_t>(got));
  }
  ::close(fd);
  return received;
}

// A socket file nobody listens on, as a killed server leaves behind.
void leave_stale_socket(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  ::close(fd);
}

std::string create_error(const HttpConfig& config) {
  boost::asio::io_context io;
  TestHandler handler;
  auto created = HttpServer::create_unix(io, config, handler);
  return created ? std::string() : created.status().message();
}

}  // namespace

BOOST_AUTO_TEST_CASE(serves_requests_with_keep_alive_and_the_configured_mode) {
  TempDir dir;
  const fs::path path = dir.path() / "ess.sock";
  TestServer server(unix_config(path, 0600), TestServer::Listen::kUnixSocket);
  BOOST_TEST(server.server().host() == path.string());
  BOOST_TEST(server.server().port() == 0);
  struct stat status {};
  BOOST_REQUIRE(::lstat(path.c_str(), &status) == 0);
  BOOST_TEST(S_ISSOCK(status.st_mode));
  BOOST_TEST((status.st_mode & 0777) == 0600u);

  const std::string answers = exchange_over(
      path,
      "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\none"
      "GET /header?name=X-Second HTTP/1.1\r\nHost: localhost\r\nX-Second: two\r\nConnection: close\r\n\r\n");
  BOOST_TEST(answers.find("HTTP/1.1 200") == 0, answers);
  BOOST_TEST(answers.find("\r\n\r\none") != std::string::npos, answers);
  BOOST_TEST(answers.find("\r\n\r\ntwo") != std::string::npos, answers);
  // Limits hold as over TCP.
  const std::string refused =
      exchange_over(path, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n");
  BOOST_TEST(refused.find("HTTP/1.1 413") == 0, refused);
}

BOOST_AUTO_TEST_CASE(another_mode_is_applied_too) {
  TempDir dir;
  const fs::path path = dir.path() / "ess.sock";
  TestServer server(unix_config(path, 0666), TestServer::Listen::kUnixSocket);
  struct stat status {};
  BOOST_REQUIRE(::lstat(path.c_str(), &status) == 0);
  BOOST_TEST((status.st_mode & 0777) == 0666u);
}

BOOST_AUTO_TEST_CASE(a_stale_socket_file_is_replaced) {
  TempDir dir;
  const fs::path path = dir.path() / "ess.sock";
  leave_stale_socket(path);
  BOOST_REQUIRE(fs::is_socket(path));
  TestServer server(unix_config(path), TestServer::Listen::kUnixSocket);
  const std::string answer =
      exchange_over(path, "GET /status?code=200 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  BOOST_TEST(answer.find("HTTP/1.1 200") == 0, answer);
}

BOOST_AUTO_TEST_CASE(a_socket_another_server_serves_is_not_taken_over) {
  TempDir dir;
  const fs::path path = dir.path() / "ess.sock";
  TestServer first(unix_config(path), TestServer::Listen::kUnixSocket);
  const std::string error = create_error(unix_config(path));
  BOOST_TEST(error.find("another process is serving on this socket") != std::string::npos, error);
  const std::string answer =
      exchange_over(path, "GET /status?code=200 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  BOOST_TEST(answer.find("HTTP/1.1 200") == 0, answer);
}

BOOST_AUTO_TEST_CASE(a_regular_file_at_the_path_is_refused_and_kept) {
  TempDir dir;
  const fs::path path = dir.path() / "ess.sock";
  std::ofstream(path) << "precious\n";
  const std::string error = create_error(unix_config(path));
  BOOST_TEST(error == "http.unix_socket: " + path.string() + ": exists and is not a socket; refusing to replace it");
  std::ifstream kept(path);
  std::string line;
  std::getline(kept, line);
  BOOST_TEST(line == "precious");
}

BOOST_AUTO_TEST_CASE(the_socket_file_is_removed_at_graceful_stop) {
  TempDir dir;
  const fs::path path = dir.path() / "ess.sock";
  TestServer server(unix_config(path), TestServer::Listen::kUnixSocket);
  BOOST_REQUIRE(fs::is_socket(path));
  server.stop();
  BOOST_TEST(wait_until([&] { return server.stopped(); }, 10s));
  BOOST_TEST(!fs::exists(path));
}

BOOST_AUTO_TEST_CASE(a_file_that_replaced_the_socket_is_not_removed_at_stop) {
  TempDir dir;
  const fs::path path = dir.path() / "ess.sock";
  TestServer server(unix_config(path), TestServer::Listen::kUnixSocket);
  fs::remove(path);
  std::ofstream(path) << "someone else's\n";
  server.stop();
  BOOST_TEST(wait_until([&] { return server.stopped(); }, 10s));
  BOOST_TEST(fs::exists(path));
}
