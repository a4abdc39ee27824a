// OpenSSL contexts through Asio's ssl::context, with the checks that make a bad certificate or key
// file fail at start-up with the file's name instead of at the first handshake.
#include "server/http/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace edgesync::http {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

namespace {

// OpenSSL's own messages for a missing file are vague ("system lib"): check readability first.
// Empty when the file opens; otherwise why not.
std::string why_unreadable(const std::string& path) {
  std::ifstream in(path);
  if (in) return {};
  const int reason = errno;
  return reason != 0 ? std::strerror(reason) : "cannot open it";
}

Status check_readable(const std::string& key, const std::string& path) {
  if (const std::string why = why_unreadable(path); !why.empty())
    return Status::invalid(key + ": cannot read " + path + ": " + why, key);
  return Status::ok();
}

Result<std::shared_ptr<ssl::context>> make_context(ssl::context::method method) {
  auto context = std::make_shared<ssl::context>(method);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1)
    return Status::internal("cannot restrict TLS to version 1.2 and later");
  return context;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_tls_context(const TlsConfig& tls) {
  if (Status status = check_readable("http.tls.cert_file", tls.cert_file); !status) return status;
  if (Status status = check_readable("http.tls.key_file", tls.key_file); !status) return status;
  auto context = make_context(ssl::context::tls_server);
  if (!context) return context.status();
  error_code error;
  // The key first: a certificate loaded after a key that is not its own drops the key quietly, which
  // the check below then reports as a mismatch (loaded the other way round, OpenSSL calls a mismatched
  // key unloadable).
  (*context)->use_private_key_file(tls.key_file, ssl::context::pem, error);
  if (error)
    return Status::invalid("http.tls.key_file: " + tls.key_file + " is not a PEM private key: " + error.message(),
                           "http.tls.key_file");
  (*context)->use_certificate_chain_file(tls.cert_file, error);
  if (error)
    return Status::invalid("http.tls.cert_file: " + tls.cert_file + " is not a PEM certificate: " + error.message(),
                           "http.tls.cert_file");
  if (SSL_CTX_check_private_key((*context)->native_handle()) != 1) {
    ERR_clear_error();
    return Status::invalid(
        "http.tls.key_file: " + tls.key_file + " is not the key of the certificate in " + tls.cert_file,
        "http.tls.key_file");
  }
  return context;
}

Result<std::shared_ptr<ssl::context>> make_client_tls_context(const std::string& ca_file) {
  auto context = make_context(ssl::context::tls_client);
  if (!context) return context.status();
  (*context)->set_verify_mode(ssl::verify_peer);
  error_code error;
  if (ca_file.empty()) {
    (*context)->set_default_verify_paths(error);
    if (error) return Status::unavailable("cannot load the system's CA certificates: " + error.message());
    return context;
  }
  if (const std::string why = why_unreadable(ca_file); !why.empty())
    return Status::unavailable("cannot read the CA file " + ca_file + ": " + why);
  (*context)->load_verify_file(ca_file, error);
  if (error) return Status::unavailable("the CA file " + ca_file + " holds no PEM certificate: " + error.message());
  return context;
}

void expect_peer_name(SSL* ssl, const std::string& host) {
  error_code not_an_address;
  asio::ip::make_address(host, not_an_address);
  if (!not_an_address) {
    // SNI carries names only (RFC 6066 §3); an address is checked against the IP entries.
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    return;
  }
  SSL_set_tlsext_host_name(ssl, host.c_str());
  SSL_set1_host(ssl, host.c_str());
}

std::string describe_handshake_error(SSL* ssl, const error_code& error) {
  // OpenSSL's reason for a failed verification is only "certificate verify failed"; the why is in the
  // verify result.
  const long verify_result = SSL_get_verify_result(ssl);
  if (verify_result != X509_V_OK)
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify_result);
  return error.message();
}

}  // namespace edgesync::http
