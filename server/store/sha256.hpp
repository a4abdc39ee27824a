// Sha256: SHA-256 computed incrementally (OpenSSL EVP), lowercase hex out. Used for object data hashes
// and generated file names.
#pragma once

#include <cstddef>
#include <string>

struct evp_md_ctx_st;

namespace edgesync {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const char* data, size_t size);
  // The digest of everything given so far; the hasher is finished afterwards.
  std::string hex();

 private:
  evp_md_ctx_st* context_;
};

}  // namespace edgesync
