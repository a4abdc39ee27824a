// Internal to server/http: the three byte streams a connection can run over, and what differs
// between them. The session, the response writer and the client are templates over these, so one
// request loop serves TCP, TLS and Unix-socket connections alike. Only server/http's .cpp files
// include this header (it pulls in Asio's SSL).
#pragma once

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <type_traits>

namespace edgesync::http {

using TcpStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using LocalStream = boost::beast::basic_stream<boost::asio::local::stream_protocol>;

template <class Stream>
inline constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// The stream that owns the socket and the timeouts (TLS runs on top of a TcpStream).
inline TcpStream& timed_layer(TcpStream& stream) {
  return stream;
}
inline TcpStream& timed_layer(TlsStream& stream) {
  return stream.next_layer();
}
inline LocalStream& timed_layer(LocalStream& stream) {
  return stream;
}

}  // namespace edgesync::http
