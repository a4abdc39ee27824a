// Authenticator: turns the Authorization header of a request into an Identity.
//
// Every request carries HTTP Basic credentials (app key and secret). A failure is Status::forbidden
// ("Unauthorized"): MMS answers 403, never 401. Implementations are thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "server/auth/identity.hpp"

namespace edgesync {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual Result<Identity> authenticate(std::optional<std::string_view> authorization_header) const = 0;
};

struct BasicCredentials {
  std::string app_key;
  std::string secret;
};

// Decodes "Basic base64(key:secret)"; nullopt when absent or malformed.
std::optional<BasicCredentials> parse_basic_authorization(std::string_view header);

// MMS's development authenticator: the app key's shape decides the identity, the secret is ignored.
//   org/type/id → edge node; org/user → object admin; user@org, user@domain@org → admin;
//   node%org → node user; org$svcorg$version$name → service.
// dummy_users_file (optional, MMS's dummy-auth.json) lists "regularUsers" (→ user) and "syncAdmins"
// (→ sync admin) by app key. Fails at start-up when the file is given but unreadable.
Result<std::unique_ptr<Authenticator>> make_dummy_authenticator(const std::string& dummy_users_file);

// The production authenticator: a YAML file of app keys with salted secret hashes, org, role and, for
// edge nodes, the identity (deploy/conf/credentials.yaml shows the format; `edgesync hash-secret`
// makes a hash). Fails at start-up, naming the entry and key, when the file is unreadable or wrong.
Result<std::unique_ptr<Authenticator>> make_preset_authenticator(const std::string& credentials_file);

}  // namespace edgesync
