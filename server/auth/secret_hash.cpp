#include "server/auth/secret_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>

#include "common/base64.hpp"

namespace edgesync {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr size_t kSaltBytes = 16;
constexpr size_t kKeyBytes = 32;
constexpr uint32_t kMaxIterations = 100'000'000;  // a typo, not a policy: ~1 min per check

std::string derive(std::string_view secret, std::string_view salt, uint32_t iterations, size_t length) {
  std::string key(length, '\0');
  if (PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                        static_cast<int>(iterations), EVP_sha256(), static_cast<int>(length),
                        reinterpret_cast<unsigned char*>(key.data())) != 1)
    throw std::runtime_error("PBKDF2 failed");
  return key;
}

}  // namespace

std::string hash_secret(std::string_view secret, uint32_t iterations) {
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  const std::string key = derive(secret, salt, iterations, kKeyBytes);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + base64_encode(salt) + "$" + base64_encode(key);
}

Result<SecretHash> parse_secret_hash(std::string_view text) {
  std::string_view parts[4];
  for (int i = 0; i < 4; ++i) {
    const size_t end = i == 3 ? std::string_view::npos : text.find('$');
    if (i < 3 && end == std::string_view::npos)
      return Status::invalid("must be pbkdf2-sha256$ITERATIONS$SALT$HASH (edgesync hash-secret makes one)");
    parts[i] = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  if (parts[0] != kScheme) return Status::invalid("unknown hash scheme (only pbkdf2-sha256 is supported)");
  SecretHash hash;
  auto [end, error] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), hash.iterations);
  if (error != std::errc() || end != parts[1].data() + parts[1].size() || hash.iterations < kMinSecretHashIterations ||
      hash.iterations > kMaxIterations)
    return Status::invalid("iterations must be an integer between " + std::to_string(kMinSecretHashIterations) +
                           " and " + std::to_string(kMaxIterations));
  auto salt = base64_decode(parts[2]);
  if (!salt || salt->size() < 8) return Status::invalid("the salt must be base64 of at least 8 bytes");
  auto key = base64_decode(parts[3]);
  if (!key || key->size() < 16 || key->size() > 64) return Status::invalid("the hash must be base64 of 16 to 64 bytes");
  hash.salt = std::move(*salt);
  hash.key = std::move(*key);
  return hash;
}

bool verify_secret(const SecretHash& hash, std::string_view secret) {
  const std::string derived = derive(secret, hash.salt, hash.iterations, hash.key.size());
  return CRYPTO_memcmp(derived.data(), hash.key.data(), derived.size()) == 0;
}

}  // namespace edgesync
