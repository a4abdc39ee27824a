// The dummy authenticator: MMS's development scheme, where the shape of the app key is the identity.
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "common/base64.hpp"
#include "common/names.hpp"
#include "server/auth/authenticator.hpp"

namespace edgesync {
namespace {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool all_valid(const std::vector<std::string>& parts) {
  return std::all_of(parts.begin(), parts.end(), [](const std::string& part) { return is_valid_name(part); });
}

class DummyAuthenticator final : public Authenticator {
 public:
  DummyAuthenticator(std::set<std::string> regular_users, std::set<std::string> sync_admins)
      : regular_users_(std::move(regular_users)), sync_admins_(std::move(sync_admins)) {}

  Result<Identity> authenticate(std::optional<std::string_view> authorization_header) const override {
    if (!authorization_header) return Status::forbidden();
    auto credentials = parse_basic_authorization(*authorization_header);
    if (!credentials || credentials->app_key.empty()) return Status::forbidden();
    const std::string& key = credentials->app_key;

    if (sync_admins_.count(key) > 0) return Identity{Role::kSyncAdmin, "", key, "", ""};

    if (key.find('$') != std::string::npos) {  // org$svcorg$version$name
      auto parts = split(key, '$');
      if (parts.size() != 4 || !all_valid(parts)) return Status::forbidden();
      return Identity{Role::kService, parts[0], parts[1] + "/" + parts[2] + "/" + parts[3], "", ""};
    }
    if (key.find('%') != std::string::npos) {  // node%org
      auto parts = split(key, '%');
      if (parts.size() != 2 || !all_valid(parts)) return Status::forbidden();
      return Identity{Role::kNodeUser, parts[1], parts[0], "", ""};
    }
    if (key.find('/') != std::string::npos) {  // org/user or org/destType/destID
      auto parts = split(key, '/');
      if (!all_valid(parts)) return Status::forbidden();
      if (parts.size() == 3) return Identity{Role::kEdgeNode, parts[0], parts[2], parts[1], parts[2]};
      if (parts.size() == 2) return Identity{Role::kObjectAdmin, parts[0], parts[1], "", ""};
      return Status::forbidden();
    }
    if (key.find('@') != std::string::npos) {  // user@org or user@domain@org: the org is the last part
      auto parts = split(key, '@');
      if (parts.size() < 2 || parts.size() > 3 || !all_valid(parts)) return Status::forbidden();
      const Role role = regular_users_.count(key) > 0 ? Role::kUser : Role::kAdmin;
      const std::string user = parts.size() == 2 ? parts[0] : parts[0] + "@" + parts[1];
      return Identity{role, parts.back(), user, "", ""};
    }
    return Status::forbidden();
  }

 private:
  std::set<std::string> regular_users_;
  std::set<std::string> sync_admins_;
};

Result<std::set<std::string>> read_key_list(const nlohmann::json& document, const char* name, const std::string& file) {
  std::set<std::string> keys;
  if (!document.contains(name) || document[name].is_null()) return keys;
  if (!document[name].is_array()) return Status::invalid(file + ": " + name + " must be an array of app keys", name);
  for (const auto& entry : document[name]) {
    if (!entry.is_string()) return Status::invalid(file + ": " + name + " must be an array of app keys", name);
    keys.insert(entry.get<std::string>());
  }
  return keys;
}

}  // namespace

std::optional<BasicCredentials> parse_basic_authorization(std::string_view header) {
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != std::tolower(static_cast<unsigned char>(kScheme[i])))
      return std::nullopt;
  }
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  auto decoded = base64_decode(header);
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

Result<std::unique_ptr<Authenticator>> make_dummy_authenticator(const std::string& dummy_users_file) {
  std::set<std::string> regular_users, sync_admins;
  if (!dummy_users_file.empty()) {
    std::ifstream in(dummy_users_file);
    if (!in) return Status::invalid("auth.file: cannot read " + dummy_users_file, "auth.file");
    auto document = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded() || !document.is_object())
      return Status::invalid("auth.file: " + dummy_users_file + " is not a JSON object", "auth.file");
    auto users = read_key_list(document, "regularUsers", dummy_users_file);
    if (!users) return users.status();
    auto admins = read_key_list(document, "syncAdmins", dummy_users_file);
    if (!admins) return admins.status();
    regular_users = std::move(*users);
    sync_admins = std::move(*admins);
  }
  return std::unique_ptr<Authenticator>(new DummyAuthenticator(std::move(regular_users), std::move(sync_admins)));
}

}  // namespace edgesync
