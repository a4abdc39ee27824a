// The preset authenticator: app keys and salted secret hashes from a YAML credentials file
// (deploy/conf/credentials.yaml documents the format).
//
// A PBKDF2 check costs tens of milliseconds by design, far too much per request, so a verified
// secret is remembered as an HMAC under a key that lives only in this process: later requests with
// the same secret cost one HMAC and a constant-time compare. The cache holds at most one entry per
// configured app key, and only for secrets that matched the configured hash, so it cannot grow or be
// poisoned by wrong guesses. A wrong secret for a key whose right secret is cached is refused without
// PBKDF2, which also keeps guessing cheap for us and expensive for nobody.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "common/names.hpp"
#include "server/auth/authenticator.hpp"
#include "server/auth/secret_hash.hpp"

namespace edgesync {
namespace {

struct Credential {
  SecretHash hash;
  Identity identity;
};

Result<Role> parse_role(const std::string& text) {
  static const std::map<std::string, Role> kRoles = {{"admin", Role::kAdmin},       {"objectadmin", Role::kObjectAdmin},
                                                     {"user", Role::kUser},         {"syncadmin", Role::kSyncAdmin},
                                                     {"edgenode", Role::kEdgeNode}, {"service", Role::kService},
                                                     {"nodeuser", Role::kNodeUser}};
  auto found = kRoles.find(text);
  if (found == kRoles.end())
    return Status::invalid("must be admin, objectadmin, user, syncadmin, edgenode, service or nodeuser");
  return found->second;
}

class PresetAuthenticator final : public Authenticator {
 public:
  explicit PresetAuthenticator(std::map<std::string, Credential> credentials) : credentials_(std::move(credentials)) {
    if (RAND_bytes(cache_key_, sizeof cache_key_) != 1) throw std::runtime_error("RAND_bytes failed");
  }

  Result<Identity> authenticate(std::optional<std::string_view> authorization_header) const override {
    if (!authorization_header) return Status::forbidden();
    auto credentials = parse_basic_authorization(*authorization_header);
    if (!credentials) return Status::forbidden();
    // App keys are not secret (MMS puts them in URLs and logs); an unknown one is refused at once.
    auto found = credentials_.find(credentials->app_key);
    if (found == credentials_.end()) return Status::forbidden();

    const Digest digest = digest_of(credentials->secret);
    {
      std::lock_guard lock(mutex_);
      auto cached = verified_.find(found->first);
      if (cached != verified_.end()) {
        if (CRYPTO_memcmp(cached->second.data(), digest.data(), digest.size()) == 0) return found->second.identity;
        return Status::forbidden();  // the right secret is known, and this is not it
      }
    }
    if (!verify_secret(found->second.hash, credentials->secret)) return Status::forbidden();
    std::lock_guard lock(mutex_);
    verified_.emplace(found->first, digest);
    return found->second.identity;
  }

 private:
  using Digest = std::array<unsigned char, 32>;

  Digest digest_of(std::string_view secret) const {
    Digest digest{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), cache_key_, sizeof cache_key_, reinterpret_cast<const unsigned char*>(secret.data()),
             secret.size(), digest.data(), &length) == nullptr)
      throw std::runtime_error("HMAC failed");
    return digest;
  }

  const std::map<std::string, Credential> credentials_;
  unsigned char cache_key_[32];
  mutable std::mutex mutex_;
  mutable std::map<std::string, Digest> verified_;  // app key → HMAC of its verified secret
};

Result<std::string> required_text(const YAML::Node& entry, const char* name, const std::string& where) {
  const YAML::Node value = entry[name];
  if (!value || !value.IsScalar() || value.Scalar().empty())
    return Status::invalid(where + "." + name + ": required (a non-empty string)", "auth.file");
  return value.Scalar();
}

std::string optional_text(const YAML::Node& entry, const char* name) {
  const YAML::Node value = entry[name];
  return value && value.IsScalar() ? value.Scalar() : std::string();
}

Result<Credential> parse_credential(const YAML::Node& entry, const std::string& where) {
  if (!entry.IsMap()) return Status::invalid(where + ": must be a mapping", "auth.file");
  static const std::set<std::string> kKnown = {"app_key", "secret_hash", "org", "role", "user", "identity"};
  for (const auto& field : entry) {
    const std::string name = field.first.as<std::string>();
    if (kKnown.count(name) == 0) return Status::invalid(where + "." + name + ": unknown key", "auth.file");
  }
  auto app_key = required_text(entry, "app_key", where);
  if (!app_key) return app_key.status();
  auto hash_text = required_text(entry, "secret_hash", where);
  if (!hash_text) return hash_text.status();
  auto hash = parse_secret_hash(*hash_text);
  if (!hash) return Status::invalid(where + ".secret_hash: " + hash.status().message(), "auth.file");
  auto role_text = required_text(entry, "role", where);
  if (!role_text) return role_text.status();
  auto role = parse_role(*role_text);
  if (!role) return Status::invalid(where + ".role: " + role.status().message(), "auth.file");

  Credential credential{std::move(*hash), Identity{*role, optional_text(entry, "org"), "", "", ""}};
  Identity& identity = credential.identity;
  if (*role != Role::kSyncAdmin && !is_valid_name(identity.org))
    return Status::invalid(where + ".org: required, a valid organization name", "auth.file");
  if (*role == Role::kSyncAdmin && !identity.org.empty())
    return Status::invalid(where + ".org: a syncadmin belongs to no org (leave org out)", "auth.file");
  const std::string identity_text = optional_text(entry, "identity");
  if (*role == Role::kEdgeNode) {
    const size_t slash = identity_text.find('/');
    if (slash == std::string::npos || !is_valid_name(identity_text.substr(0, slash)) ||
        !is_valid_name(identity_text.substr(slash + 1)))
      return Status::invalid(where + ".identity: an edgenode needs identity DEST_TYPE/DEST_ID", "auth.file");
    identity.dest_type = identity_text.substr(0, slash);
    identity.dest_id = identity_text.substr(slash + 1);
    identity.user = identity.dest_id;
  } else {
    if (!identity_text.empty())
      return Status::invalid(where + ".identity: only an edgenode has an identity", "auth.file");
    identity.user = optional_text(entry, "user");
    if (identity.user.empty()) identity.user = *app_key;
  }
  return credential;
}

}  // namespace

Result<std::unique_ptr<Authenticator>> make_preset_authenticator(const std::string& credentials_file) {
  YAML::Node document;
  try {
    document = YAML::LoadFile(credentials_file);
  } catch (const YAML::BadFile&) {
    return Status::invalid("auth.file: cannot read " + credentials_file, "auth.file");
  } catch (const YAML::Exception& error) {
    return Status::invalid(
        "auth.file: " + credentials_file + " is not valid YAML (line " + std::to_string(error.mark.line + 1) + ")",
        "auth.file");
  }
  const YAML::Node list = document.IsMap() ? document["credentials"] : YAML::Node();
  if (!list || !list.IsSequence())
    return Status::invalid("auth.file: " + credentials_file + " must have a list under \"credentials\"", "auth.file");
  std::map<std::string, Credential> credentials;
  try {
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string where = "credentials[" + std::to_string(i) + "]";
      auto credential = parse_credential(list[i], where);
      if (!credential)
        return Status::invalid(credential.status().message() + " (in " + credentials_file + ")", "auth.file");
      const std::string app_key = list[i]["app_key"].Scalar();
      if (!credentials.emplace(app_key, std::move(*credential)).second)
        return Status::invalid(where + ".app_key: " + app_key + " appears twice (in " + credentials_file + ")",
                               "auth.file");
    }
  } catch (const YAML::Exception& error) {
    return Status::invalid("auth.file: " + credentials_file + ": " + error.what(), "auth.file");
  }
  return std::unique_ptr<Authenticator>(new PresetAuthenticator(std::move(credentials)));
}

}  // namespace edgesync
