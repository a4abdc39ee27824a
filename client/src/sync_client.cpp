#include "edgesync/client/sync_client.hpp"

#include <fstream>
#include <istream>
#include <mutex>
#include <ostream>

#include "client/src/base64.hpp"
#include "client/src/json_mapping.hpp"
#include "client/src/sync_client_impl.hpp"

namespace edgesync::client {

using detail::HttpRequest;
using detail::HttpResponse;

Error::Error(ErrorKind kind, int http_status, std::string message)
    : std::runtime_error(kind == ErrorKind::kHttp ? "HTTP " + std::to_string(http_status) + ": " + message : message),
      kind_(kind),
      http_status_(http_status),
      message_(std::move(message)) {}

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kTransport: return "transport";
    case ErrorKind::kHttp: return "http";
    case ErrorKind::kProtocol: return "protocol";
    case ErrorKind::kInvalidInput: return "invalid input";
    case ErrorKind::kStopped: return "stopped";
  }
  return "unknown";
}

namespace {

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '@' || c == ':' || c == '$' ||
         c == '+' || c == '%' || c == '!' || c == '=' || c == ',' || c == ';' || c == '*' || c == '\'' || c == '(' ||
         c == ')';
}

// Percent-encodes what cannot stand in a path segment (/, ?, #, space…): an ID never changes the path.
std::string segment(const std::string& value) {
  if (value.empty()) throw Error(ErrorKind::kInvalidInput, 0, "Object types, IDs and names must not be empty");
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (is_unreserved(c) && c != '%') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool success(int status) {
  return status >= 200 && status < 300;
}

[[noreturn]] void throw_http(const HttpResponse& response) {
  std::string text = detail::error_text(response.body);
  if (text.empty()) text = response.status == 404 ? "Not found" : "Request failed";
  throw Error(ErrorKind::kHttp, response.status, std::move(text));
}

}  // namespace

SyncClient::Impl::Impl(ClientOptions options_in) : options(std::move(options_in)) {
  reset_transport();
}

void SyncClient::Impl::reset_transport() {
  detail::TransportOptions transport_options;
  transport_options.connect_timeout = options.connect_timeout;
  transport_options.request_timeout = options.request_timeout;
  transport_options.ca_file = options.ca_file;
  transport = std::make_unique<detail::Transport>(detail::parse_endpoint(options.url), transport_options);
}

std::string SyncClient::Impl::objects_path(const std::string& type, const std::string& id,
                                           const std::string& operation) const {
  std::string path = "/api/v1/objects/";
  if (!options.org.empty()) path += segment(options.org) + "/";
  path += segment(type);
  if (!id.empty()) path += "/" + segment(id);
  if (!operation.empty()) path += "/" + operation;
  return path;
}

std::string SyncClient::Impl::org_segment() const {
  if (options.org.empty())
    throw Error(ErrorKind::kInvalidInput, 0, "This call needs the organization (set ClientOptions::org)");
  return segment(options.org);
}

HttpRequest SyncClient::Impl::make(const std::string& method, std::string target, std::string body) const {
  HttpRequest request;
  request.method = method;
  request.target = std::move(target);
  request.body = std::move(body);
  if (!options.app_key.empty() || !options.app_secret.empty())
    request.headers.emplace_back("Authorization",
                                 "Basic " + detail::base64_encode(options.app_key + ":" + options.app_secret));
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  return request;
}

HttpResponse SyncClient::Impl::call(const HttpRequest& request) {
  std::lock_guard lock(mutex);
  return transport->request(request);
}

void SyncClient::Impl::send(const std::string& method, const std::string& target, std::string body) {
  HttpResponse response = call(make(method, target, std::move(body)));
  if (!success(response.status)) throw_http(response);
}

std::optional<std::string> SyncClient::Impl::get_optional(const std::string& target) {
  HttpResponse response = call(make("GET", target));
  if (response.status == 404) return std::nullopt;
  if (!success(response.status)) throw_http(response);
  return std::move(response.body);
}

std::vector<ObjectMetadata> SyncClient::Impl::list_updated(const std::string& type, bool include_received,
                                                           std::chrono::seconds wait) {
  std::string target = objects_path(type, "", "");
  std::string query;
  if (include_received) query += "received=true";
  if (wait.count() > 0) query += std::string(query.empty() ? "" : "&") + "wait=" + std::to_string(wait.count());
  if (!query.empty()) target += "?" + query;
  HttpRequest request = make("GET", target);
  if (wait.count() > 0) request.timeout = options.request_timeout + wait;
  HttpResponse response = call(request);
  if (response.status == 404) return {};
  if (!success(response.status)) throw_http(response);
  return detail::parse_metadata_list(response.body);
}

// ---- SyncClient ----------------------------------------------------------------------------------

SyncClient::SyncClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

SyncClient::SyncClient(const std::string& protocol, const std::string& address, uint16_t port) {
  ClientOptions options;
  if (protocol == "unix" || protocol == "secure-unix") {
    options.url = protocol + "://" + address;
  } else {
    options.url = protocol + "://" + address + ":" + std::to_string(port);
  }
  impl_ = std::make_unique<Impl>(std::move(options));
}

SyncClient::~SyncClient() = default;
SyncClient::SyncClient(SyncClient&&) noexcept = default;
SyncClient& SyncClient::operator=(SyncClient&&) noexcept = default;

const ClientOptions& SyncClient::options() const {
  return impl_->options;
}

void SyncClient::set_org_id(const std::string& org) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.org = org;
}

void SyncClient::set_app_key_and_secret(const std::string& key, const std::string& secret) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.app_key = key;
  impl_->options.app_secret = secret;
}

void SyncClient::set_ca_certificate(const std::string& ca_file) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.ca_file = ca_file;
  impl_->reset_transport();
}

std::optional<ObjectMetadata> SyncClient::get_object(const std::string& type, const std::string& id) {
  auto body = impl_->get_optional(impl_->objects_path(type, id, ""));
  if (!body) return std::nullopt;
  return detail::parse_metadata(*body);
}

std::optional<std::string> SyncClient::get_object_status(const std::string& type, const std::string& id) {
  return impl_->get_optional(impl_->objects_path(type, id, "status"));
}

std::vector<DestinationStatus> SyncClient::get_object_destinations(const std::string& type, const std::string& id) {
  auto body = impl_->get_optional(impl_->objects_path(type, id, "destinations"));
  if (!body) return {};
  return detail::parse_destination_statuses(*body);
}

void SyncClient::update_object(const ObjectMetadata& metadata) {
  impl_->send("PUT", impl_->objects_path(metadata.object_type, metadata.object_id, ""),
              detail::metadata_update_body(metadata));
}

void SyncClient::delete_object(const std::string& type, const std::string& id) {
  impl_->send("DELETE", impl_->objects_path(type, id, ""));
}

std::vector<ObjectMetadata> SyncClient::get_updated_objects(const std::string& type, bool include_received) {
  return impl_->list_updated(type, include_received, std::chrono::seconds(0));
}

void SyncClient::activate_object(const std::string& type, const std::string& id) {
  impl_->send("PUT", impl_->objects_path(type, id, "activate"));
}

void SyncClient::mark_object_received(const std::string& type, const std::string& id) {
  impl_->send("PUT", impl_->objects_path(type, id, "received"));
}

void SyncClient::mark_object_consumed(const std::string& type, const std::string& id) {
  impl_->send("PUT", impl_->objects_path(type, id, "consumed"));
}

void SyncClient::mark_object_deleted(const std::string& type, const std::string& id) {
  impl_->send("PUT", impl_->objects_path(type, id, "deleted"));
}

std::vector<Destination> SyncClient::get_destinations() {
  auto body = impl_->get_optional("/api/v1/destinations/" + impl_->org_segment());
  if (!body) return {};
  return detail::parse_destinations(*body);
}

std::vector<ObjectStatus> SyncClient::get_destination_objects(const std::string& dest_type,
                                                              const std::string& dest_id) {
  auto body = impl_->get_optional("/api/v1/destinations/" + impl_->org_segment() + "/" + segment(dest_type) + "/" +
                                  segment(dest_id) + "/objects");
  if (!body) return {};
  return detail::parse_object_statuses(*body);
}

void SyncClient::register_webhook(const std::string& type, const std::string& url) {
  impl_->send("PUT", impl_->objects_path(type, "", ""), detail::webhook_body("register", url));
}

void SyncClient::delete_webhook(const std::string& type, const std::string& url) {
  impl_->send("PUT", impl_->objects_path(type, "", ""), detail::webhook_body("delete", url));
}

namespace {

std::string acl_path(SyncClient::Impl& impl, const char* kind, const std::string& name) {
  std::string path = std::string("/api/v1/security/") + kind + "/" + impl.org_segment();
  if (!name.empty()) path += "/" + segment(name);
  return path;
}

std::vector<std::string> acl_list(SyncClient::Impl& impl, const std::string& path) {
  auto body = impl.get_optional(path);
  if (!body) return {};
  return detail::parse_string_list(*body);
}

}  // namespace

void SyncClient::add_users_to_destination_acl(const std::string& dest_type, const std::vector<std::string>& users) {
  impl_->send("PUT", acl_path(*impl_, "destinations", dest_type), detail::action_body("add", "usernames", users));
}

void SyncClient::remove_users_from_destination_acl(const std::string& dest_type,
                                                   const std::vector<std::string>& users) {
  impl_->send("PUT", acl_path(*impl_, "destinations", dest_type), detail::action_body("remove", "usernames", users));
}

std::vector<std::string> SyncClient::retrieve_destination_acl(const std::string& dest_type) {
  return acl_list(*impl_, acl_path(*impl_, "destinations", dest_type));
}

std::vector<std::string> SyncClient::retrieve_all_destination_acls() {
  return acl_list(*impl_, acl_path(*impl_, "destinations", ""));
}

void SyncClient::add_users_to_object_acl(const std::string& type, const std::vector<std::string>& users) {
  impl_->send("PUT", acl_path(*impl_, "objects", type), detail::action_body("add", "usernames", users));
}

void SyncClient::remove_users_from_object_acl(const std::string& type, const std::vector<std::string>& users) {
  impl_->send("PUT", acl_path(*impl_, "objects", type), detail::action_body("remove", "usernames", users));
}

std::vector<std::string> SyncClient::retrieve_object_acl(const std::string& type) {
  return acl_list(*impl_, acl_path(*impl_, "objects", type));
}

std::vector<std::string> SyncClient::retrieve_all_object_acls() {
  return acl_list(*impl_, acl_path(*impl_, "objects", ""));
}

void SyncClient::resend() {
  impl_->send("POST", "/api/v1/resend");
}

Health SyncClient::health() {
  HttpResponse response = impl_->call(impl_->make("GET", "/api/v1/health"));
  if (!success(response.status)) throw_http(response);
  return detail::parse_health(response.body);
}

}  // namespace edgesync::client
