// Salted secret hashes for the preset authenticator: PBKDF2-HMAC-SHA256 (OpenSSL), written as
//   pbkdf2-sha256$<iterations>$<base64 salt>$<base64 derived key>
// so a credentials file keeps working when the default iteration count rises.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace edgesync {

// OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
inline constexpr uint32_t kDefaultSecretHashIterations = 600000;
// Below this a hash is refused: it would be cheap to brute-force from a leaked file.
inline constexpr uint32_t kMinSecretHashIterations = 1000;

struct SecretHash {
  uint32_t iterations = 0;
  std::string salt;  // raw bytes
  std::string key;   // raw bytes (32 for SHA-256)
};

// A fresh random 16-byte salt; the text form above.
std::string hash_secret(std::string_view secret, uint32_t iterations = kDefaultSecretHashIterations);

// Parses the text form; the message names what is wrong (never echoes the hash).
Result<SecretHash> parse_secret_hash(std::string_view text);

// Derives the key from `secret` and compares it in constant time.
bool verify_secret(const SecretHash& hash, std::string_view secret);

}  // namespace edgesync
