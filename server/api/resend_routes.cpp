// POST (or PUT, API.md §1) /api/v1/resend: an edge application asks for every object meant for this
// node again (reference/mms-reference.md §1.10, §11.4). The uplink asks the cloud until it acknowledges.
#include "server/api/request_context.hpp"
#include "server/auth/authorizer.hpp"

namespace edgesync {

http::Response handle_resend(RequestContext& context) {
  const std::string_view method = context.request.method();
  if (method != "POST" && method != "PUT") return http::Response::empty(405);
  if (!context.meta) {
    // A cloud has nobody to ask: MMS refuses an org admin with 400 and anyone else with 403.
    const Role role = context.caller.role;
    if (role == Role::kAdmin || role == Role::kSyncAdmin)
      return context.error(Status::invalid("CSS can't request to resend objects"));
    return context.error(Status::forbidden());
  }
  if (Status status = authorize_node_read(context.caller); !status) return context.error(status);
  context.meta->request_resend();
  return http::Response::empty(204);
}

}  // namespace edgesync
