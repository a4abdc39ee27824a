// SyncClient::Impl: the options, the one connection and the helpers every call shares (private).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/src/transport.hpp"
#include "edgesync/client/sync_client.hpp"

namespace edgesync::client {

struct SyncClient::Impl {
  explicit Impl(ClientOptions options);
  void reset_transport();

  // /api/v1/objects/[org/]type[/id[/operation]], segments percent-encoded.
  std::string objects_path(const std::string& type, const std::string& id, const std::string& operation) const;
  std::string org_segment() const;  // throws kInvalidInput without an org
  detail::HttpRequest make(const std::string& method, std::string target, std::string body = "") const;

  detail::HttpResponse call(const detail::HttpRequest& request);  // serialized on `mutex`
  // Sends and throws Error(kHttp) unless 2xx.
  void send(const std::string& method, const std::string& target, std::string body = "");
  // GET: the body, nullopt on 404 (MMS answers 404 for "nothing"), throws on other failures.
  std::optional<std::string> get_optional(const std::string& target);
  std::vector<ObjectMetadata> list_updated(const std::string& type, bool include_received, std::chrono::seconds wait);

  ClientOptions options;
  std::mutex mutex;
  std::unique_ptr<detail::Transport> transport;
};

}  // namespace edgesync::client
