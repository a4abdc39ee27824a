#include "tests/support/http_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <stdexcept>

#include "common/base64.hpp"

namespace edgesync::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

void set_socket_timeouts(tcp::socket& socket, int seconds) {
  timeval timeout{seconds, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

}  // namespace

struct HttpClient::Connection {
  asio::io_context io;
  tcp::socket socket{io};
  beast::flat_buffer buffer;
};

std::string basic_auth(const std::string& app_key, const std::string& secret) {
  return "Basic " + base64_encode(app_key + ":" + secret);
}

HttpClient::HttpClient(uint16_t port, std::string app_key) : port_(port), app_key_(std::move(app_key)) {}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const Headers& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!connection_) {
      connection_ = std::make_unique<Connection>();
      connection_->socket.connect({asio::ip::make_address("127.0.0.1"), port_});
      set_socket_timeouts(connection_->socket, 60);
    }
    bhttp::request<bhttp::string_body> message{bhttp::string_to_verb(method), target, 11};
    message.set(bhttp::field::host, "127.0.0.1");
    if (!app_key_.empty()) message.set(bhttp::field::authorization, basic_auth(app_key_, secret_));
    for (const auto& [name, value] : headers) message.set(name, value);
    message.body() = body;
    if (method != "GET" && method != "HEAD" && method != "DELETE")
      message.prepare_payload();
    else if (!body.empty())
      message.prepare_payload();

    boost::system::error_code error;
    bhttp::write(connection_->socket, message, error);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<uint64_t>::max());
    if (method == "HEAD") parser.skip(true);
    if (!error) bhttp::read(connection_->socket, connection_->buffer, parser, error);
    if (error) {
      connection_.reset();  // the server closed a kept-alive connection: retry once on a new one
      if (attempt == 0) continue;
      throw std::runtime_error("HTTP " + method + " " + target + " failed: " + error.message());
    }
    auto response = parser.release();
    HttpResult result;
    result.status = response.result_int();
    for (const auto& field : response) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      result.headers[name] = std::string(field.value());
    }
    result.body = std::move(response.body());
    if (!response.keep_alive()) connection_.reset();
    return result;
  }
  throw std::runtime_error("unreachable");
}

std::string send_raw(uint16_t port, const std::string& bytes, int deadline_seconds) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  set_socket_timeouts(socket, deadline_seconds);
  boost::system::error_code error;
  asio::write(socket, asio::buffer(bytes), error);
  std::string answer;
  char chunk[4096];
  while (true) {
    const size_t n = socket.read_some(asio::buffer(chunk), error);
    if (error) break;
    answer.append(chunk, n);
  }
  return answer;
}

size_t read_then_drop(uint16_t port, const std::string& request, size_t read_bytes, int deadline_seconds) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  set_socket_timeouts(socket, deadline_seconds);
  boost::system::error_code error;
  asio::write(socket, asio::buffer(request), error);
  size_t read = 0;
  char chunk[16 * 1024];
  while (!error && read < read_bytes) read += socket.read_some(asio::buffer(chunk), error);
  socket.shutdown(tcp::socket::shutdown_send, error);
  socket.close(error);
  return read;
}

}  // namespace edgesync::test
