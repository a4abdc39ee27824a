// The cloud's organizations API (reference/mms-reference.md §1.2, §5): an admin of the org or a
// sync admin.
//   GET    /api/v1/organizations        [{"org-id","address"}] (an admin sees its own org only)
//   PUT    /api/v1/organizations/{org}  Organization {orgID, user, password, address}
//   DELETE /api/v1/organizations/{org}  the org and all its objects, destinations, ACLs, webhooks
// MMS keeps user and password for the org's MQTT broker; edgesync speaks HTTP only, so it accepts and
// never stores them (a credential not kept cannot leak).
#include <nlohmann/json.hpp>

#include <chrono>
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

http::Response list_organizations(RequestContext& context) {
  if (Status s = authorize_org_admin(context.caller, ""); !s) return context.error(s);
  auto organizations = context.store.list_organizations();
  if (!organizations) return context.error(organizations.status());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& organization : *organizations) {
    if (context.caller.role != Role::kSyncAdmin && organization.org != context.caller.org) continue;
    list.push_back({{"org-id", organization.org}, {"address", organization.address}});
  }
  if (list.empty()) return http::Response::empty(404);
  return http::Response::json(200, json_text(list, 2));
}

asio::awaitable<http::Response> put_organization(RequestContext& context, const std::string& org) {
  const std::string& text = context.request.body();
  if (!json_nesting_within(text)) co_return context.error(Status::invalid("Invalid JSON: nested too deep"));
  auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    co_return context.error(Status::invalid("Invalid JSON for organization: expected an object"));
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  Organization organization{org, "", now_ms};
  for (const char* name : {"orgID", "user", "password", "address"}) {
    if (body.contains(name) && !body[name].is_null() && !body[name].is_string())
      co_return context.error(Status::invalid(std::string(name) + " must be a string", name));
  }
  if (body.contains("orgID") && body["orgID"].is_string() && !body["orgID"].get<std::string>().empty() &&
      body["orgID"].get<std::string>() != org)
    co_return context.error(Status::invalid("orgID in the body differs from the URL's", "orgID"));
  if (body.contains("address") && body["address"].is_string())
    organization.address = body["address"].get<std::string>();
  Status status = co_await durable_write(
      context.store, [&](WriteTransaction& transaction) { return transaction.put_organization(organization); });
  co_return status ? http::Response::empty(204) : context.error(status);
}

}  // namespace

asio::awaitable<http::Response> handle_organizations(RequestContext& context,
                                                     const std::vector<std::string>& segments) {
  if (!context.sync) co_return no_such_route();  // a cloud API only, as MMS
  const std::string_view method = context.request.method();
  if (segments.size() == 3) {
    if (method == "GET") co_return list_organizations(context);
    co_return http::Response::empty(405);
  }
  if (segments.size() != 4) co_return no_such_route();
  const std::string& org = segments[3];
  if (!is_valid_name(org))
    co_return context.error(
        Status::invalid("Organization ID (" + html_escape(org) + ") contains invalid characters", "orgID"));
  if (Status s = authorize_org_admin(context.caller, org); !s) co_return context.error(s);
  if (method == "PUT") co_return co_await put_organization(context, org);
  if (method == "DELETE") {
    Status status = co_await context.objects.delete_organization(org);
    co_return status ? http::Response::empty(204) : context.error(status);
  }
  co_return http::Response::empty(405);
}

}  // namespace edgesync
