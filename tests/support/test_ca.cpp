#include "tests/support/test_ca.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace edgesync::test {

namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("TestCa: OpenSSL failed to ") + what);
}

EVP_PKEY* make_key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  check(key != nullptr, "generate a key");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  check(extension != nullptr, "build an extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named common_name, valid from an hour ago for two days; unsigned.
X509* make_certificate(EVP_PKEY* key, const std::string& common_name, long serial) {
  X509* cert = X509_new();
  check(cert != nullptr, "allocate a certificate");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 2 * 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  return cert;
}

void write_pem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key) {
  FILE* out = std::fopen(path.c_str(), "w");
  check(out != nullptr, "open a PEM file for writing");
  const bool written = cert ? PEM_write_X509(out, cert) == 1
                            : PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(out);
  check(written, "write a PEM file");
}

}  // namespace

struct TestCa::Keys {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  long next_serial = 2;
  ~Keys() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

TestCa::TestCa(const std::filesystem::path& dir, const std::string& name)
    : dir_(dir), ca_file_(dir / (name + "-ca.pem")), keys_(new Keys) {
  std::filesystem::create_directories(dir_);
  keys_->key = make_key();
  keys_->cert = make_certificate(keys_->key, "edgesync test CA " + name, 1);
  X509_set_issuer_name(keys_->cert, X509_get_subject_name(keys_->cert));
  add_extension(keys_->cert, keys_->cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(keys_->cert, keys_->cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(keys_->cert, keys_->cert, NID_subject_key_identifier, "hash");
  check(X509_sign(keys_->cert, keys_->key, EVP_sha256()) > 0, "sign the CA certificate");
  write_pem(ca_file_, keys_->cert, nullptr);
}

TestCa::~TestCa() {
  delete keys_;
}

IssuedCertificate TestCa::issue(const std::string& file_stem, const std::string& common_name,
                                const std::vector<std::string>& dns_names,
                                const std::vector<std::string>& ip_addresses) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(make_key(), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(make_certificate(key.get(), common_name, keys_->next_serial++),
                                                   X509_free);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(keys_->cert));
  std::string names;
  for (const auto& dns : dns_names) names += (names.empty() ? "" : ",") + std::string("DNS:") + dns;
  for (const auto& ip : ip_addresses) names += (names.empty() ? "" : ",") + std::string("IP:") + ip;
  if (!names.empty()) add_extension(cert.get(), keys_->cert, NID_subject_alt_name, names);
  add_extension(cert.get(), keys_->cert, NID_basic_constraints, "CA:FALSE");
  add_extension(cert.get(), keys_->cert, NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), keys_->cert, NID_authority_key_identifier, "keyid");
  check(X509_sign(cert.get(), keys_->key, EVP_sha256()) > 0, "sign a certificate");
  IssuedCertificate issued{dir_ / (file_stem + ".pem"), dir_ / (file_stem + "-key.pem")};
  write_pem(issued.cert, cert.get(), nullptr);
  write_pem(issued.key, nullptr, key.get());
  return issued;
}

}  // namespace edgesync::test
