// The cloud's ACL API (reference/mms-reference.md §1.2, §5), for an admin of the org or a sync admin:
//   GET    /api/v1/security/{objects|destinations}/{org}[/{key}][?key=K][&acl_usertype=user|node][&all_keys=true]
//   PUT    /api/v1/security/{kind}/{org}[/{key}]  {"action":"add|remove","users":[ACLentry]} or {"…","usernames":[…]}
//   DELETE /api/v1/security/{kind}/{org}/{key}/{user|node}/{username}
// No key is the org's "all types" ACL. Both payload forms are accepted (API.md §1): "usernames" are
// users of type user with role aclWriter (what adding a user meant before MMS had roles).
#include <nlohmann/json.hpp>
#include <set>

#include "common/json_limits.hpp"
#include "common/json_text.hpp"
#include "common/names.hpp"
#include "server/api/http_errors.hpp"
#include "server/api/request_context.hpp"
#include "server/auth/authorizer.hpp"
#include "server/objects/async_store.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

Status check_name(const std::string& value, const char* what, const char* field) {
  if (is_valid_name(value)) return Status::ok();
  return Status::invalid(std::string(what) + " (" + html_escape(value) + ") contains invalid characters", field);
}

Status check_user_type(const std::string& value) {
  if (value == "user" || value == "node") return Status::ok();
  return Status::invalid("ACL user type (" + html_escape(value) + ") must be user or node", "ACLUserType");
}

nlohmann::json entry_json(const AclEntry& entry) {
  return {{"Username", entry.username}, {"ACLUserType", entry.user_type}, {"ACLRole", entry.role}};
}

// One member of a PUT body, in either form.
Result<AclEntry> parse_member(const nlohmann::json& item, AclKind kind, const std::string& org,
                              const std::string& key) {
  AclEntry entry{kind, org, key, "", "user", kind == AclKind::kObjects ? "aclWriter" : "na"};
  if (item.is_string()) {
    entry.username = item.get<std::string>();
  } else if (item.is_object()) {
    auto text = [&](const char* name, std::string& target) -> Status {
      if (!item.contains(name) || item[name].is_null()) return Status::ok();
      if (!item[name].is_string()) return Status::invalid(std::string(name) + " must be a string", name);
      target = item[name].get<std::string>();
      return Status::ok();
    };
    std::string role;
    if (Status s = text("Username", entry.username); !s) return s;
    if (Status s = text("ACLUserType", entry.user_type); !s) return s;
    if (Status s = text("ACLRole", role); !s) return s;
    if (entry.user_type.empty()) entry.user_type = "user";
    if (Status s = check_user_type(entry.user_type); !s) return s;
    if (kind == AclKind::kObjects && !role.empty()) {
      if (role != "aclWriter" && role != "aclReader")
        return Status::invalid("ACLRole (" + html_escape(role) + ") must be aclWriter or aclReader", "ACLRole");
      entry.role = role;
    }
  } else {
    return Status::invalid("users must be a list of ACL entries or user names", "users");
  }
  if (entry.username.empty()) return Status::invalid("Username must not be empty", "Username");
  if (entry.username != "*") {
    if (Status s = check_name(entry.username, "Username", "Username"); !s) return s;
  }
  return entry;
}

http::Response get_acl(RequestContext& context, AclKind kind, const std::string& org, std::optional<std::string> key) {
  const auto user_type = context.request.query_param("acl_usertype");
  if (user_type) {
    if (Status s = check_user_type(*user_type); !s) return context.error(s);
  }
  const auto all_keys = context.request.query_param("all_keys");
  if (all_keys && *all_keys != "true" && *all_keys != "false")
    return context.error(Status::invalid("all_keys must be true or false", "all_keys"));
  if (!key) {
    if (auto query_key = context.request.query_param("key"); query_key && !query_key->empty()) {
      if (Status s = check_name(*query_key, "ACL key", "key"); !s) return context.error(s);
      key = *query_key;
    }
  }
  if (all_keys && *all_keys == "true" && !key) {
    auto entries = context.store.list_acl(kind, org, std::nullopt);
    if (!entries) return context.error(entries.status());
    std::set<std::string> keys;
    for (const auto& entry : *entries) {
      if (!user_type || entry.user_type == *user_type) keys.insert(entry.key);
    }
    if (keys.empty()) return http::Response::empty(404);
    return http::Response::json(200, json_text(nlohmann::json(keys), 2));
  }
  auto entries = context.store.list_acl(kind, org, key.value_or(""));
  if (!entries) return context.error(entries.status());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& entry : *entries) {
    if (!user_type || entry.user_type == *user_type) list.push_back(entry_json(entry));
  }
  if (list.empty()) return http::Response::empty(404);
  return http::Response::json(200, json_text(list, 2));
}

asio::awaitable<http::Response> put_acl(RequestContext& context, AclKind kind, const std::string& org,
                                        const std::string& key) {
  const std::string& text = context.request.body();
  if (!json_nesting_within(text)) co_return context.error(Status::invalid("Invalid JSON: nested too deep"));
  auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    co_return context.error(Status::invalid("Invalid JSON for ACL update: expected an object"));
  const std::string action =
      body.contains("action") && body["action"].is_string() ? body["action"].get<std::string>() : "";
  if (action != "add" && action != "remove")
    co_return context.error(Status::invalid("action must be add or remove", "action"));
  const char* field = body.contains("users") && !body["users"].is_null() ? "users" : "usernames";
  if (!body.contains(field) || !body[field].is_array() || body[field].empty())
    co_return context.error(Status::invalid("users must list at least one ACL entry", "users"));
  std::vector<AclEntry> entries;
  for (const auto& item : body[field]) {
    auto entry = parse_member(item, kind, org, key);
    if (!entry) co_return context.error(entry.status());
    entries.push_back(std::move(*entry));
  }
  const bool add = action == "add";
  Status status = co_await durable_write(context.store, [&](WriteTransaction& transaction) -> Status {
    for (const auto& entry : entries) {
      Status done = add ? transaction.put_acl_entry(entry) : transaction.delete_acl_entry(entry);
      if (!done && done.code() != StatusCode::kNotFound) return done;  // removing a non-member is a no-op
    }
    return Status::ok();
  });
  co_return status ? http::Response::empty(204) : context.error(status);
}

}  // namespace

asio::awaitable<http::Response> handle_security(RequestContext& context, const std::vector<std::string>& segments) {
  if (!context.sync) co_return no_such_route();  // a cloud API only, as MMS
  // api/v1/security/{kind}/{org}[/{key}[/{type}/{user}]]
  if (segments.size() < 5)
    co_return context.error(Status::invalid("The URL must name an ACL type and an organization"));
  AclKind kind;
  if (segments[3] == "objects") {
    kind = AclKind::kObjects;
  } else if (segments[3] == "destinations") {
    kind = AclKind::kDestinations;
  } else {
    co_return context.error(
        Status::invalid("ACL type (" + html_escape(segments[3]) + ") must be objects or destinations"));
  }
  const std::string& org = segments[4];
  if (Status s = check_name(org, "Organization ID", "orgID"); !s) co_return context.error(s);
  std::optional<std::string> key;
  if (segments.size() >= 6) {
    key = segments[5];
    if (Status s = check_name(*key, "ACL key", "key"); !s) co_return context.error(s);
  }
  if (Status s = authorize_org_admin(context.caller, org); !s) co_return context.error(s);

  const std::string_view method = context.request.method();
  if (segments.size() <= 6) {
    if (method == "GET") co_return get_acl(context, kind, org, key);
    if (method == "PUT") co_return co_await put_acl(context, kind, org, key.value_or(""));
    co_return http::Response::empty(405);
  }
  if (segments.size() != 8) co_return context.error(Status::invalid("Unknown ACL operation"));
  if (method != "DELETE") co_return http::Response::empty(405);
  if (Status s = check_user_type(segments[6]); !s) co_return context.error(s);
  const std::string& username = segments[7];
  if (username != "*") {
    if (Status s = check_name(username, "Username", "Username"); !s) co_return context.error(s);
  }
  const AclEntry entry{kind, org, *key, username, segments[6], ""};
  Status status = co_await durable_write(context.store, [&](WriteTransaction& transaction) -> Status {
    Status done = transaction.delete_acl_entry(entry);
    return done.code() == StatusCode::kNotFound ? Status::ok() : done;
  });
  co_return status ? http::Response::empty(204) : context.error(status);
}

}  // namespace edgesync
