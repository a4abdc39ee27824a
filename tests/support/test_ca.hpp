// TestCa: a certificate authority made in-process for TLS tests (OpenSSL, P-256 keys, valid for two
// days), writing PEM files into a directory. issue() makes a server certificate signed by it for the
// given DNS names and IP addresses. Two TestCa objects never trust each other's certificates.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace edgesync::test {

struct IssuedCertificate {
  std::filesystem::path cert;  // PEM certificate
  std::filesystem::path key;   // PEM private key (unencrypted)
};

class TestCa {
 public:
  // Writes <name>-ca.pem (the CA certificate, the file clients trust) into dir; the CA's key stays
  // in memory. Throws std::runtime_error if OpenSSL fails.
  TestCa(const std::filesystem::path& dir, const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::filesystem::path& ca_file() const { return ca_file_; }

  // A server certificate for common_name with subjectAltName entries for every DNS name and IP
  // address; files <file_stem>.pem and <file_stem>-key.pem in the CA's directory.
  IssuedCertificate issue(const std::string& file_stem, const std::string& common_name,
                          const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses);

  // localhost and 127.0.0.1: what a server under test on this machine needs.
  IssuedCertificate issue_localhost(const std::string& file_stem) {
    return issue(file_stem, "localhost", {"localhost"}, {"127.0.0.1"});
  }

 private:
  struct Keys;
  std::filesystem::path dir_;
  std::filesystem::path ca_file_;
  Keys* keys_;
};

}  // namespace edgesync::test
