// Internal to server/http: OpenSSL contexts for the listener (certificate and key from the
// configuration) and for the client (the CAs it trusts), and the words for a failed handshake.
//
// Contexts are built once and shared (by shared_ptr) by every connection that uses them; OpenSSL
// contexts are safe to use from several threads once built. Both allow TLS 1.2 and later only.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

#include "common/config.hpp"
#include "common/status.hpp"

namespace edgesync::http {

// Errors name the configuration key and the file: a missing or unreadable file, a file that is not
// PEM, a key that does not belong to the certificate.
Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(const TlsConfig& tls);

// Verifies the peer against the PEM CAs of ca_file, or the system's default CAs when it is empty.
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(const std::string& ca_file);

// Asks a client connection (the native handle of its SSL stream) to send SNI and to check that the
// certificate names `host` (a DNS name or an IP address literal).
void expect_peer_name(SSL* ssl, const std::string& host);

// A failed handshake, in words: OpenSSL's reason plus, for a certificate that did not verify, why
// ("certificate verify failed: unable to get local issuer certificate").
std::string describe_handshake_error(SSL* ssl, const boost::system::error_code& error);

}  // namespace edgesync::http
