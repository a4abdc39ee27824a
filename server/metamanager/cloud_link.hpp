// CloudLink: what the metamanager needs of the edge's connection to its cloud. The uplink implements
// it; tests use a fake. Calls never block: sending happens on the uplink's own coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/object_metadata.hpp"
#include "common/resource_key.hpp"
#include "common/status.hpp"

namespace edgesync::meta {

class CloudLink {
 public:
  virtual ~CloudLink() = default;
  // A notification was queued for the cloud (the outbox, in the store): send it when connected.
  virtual void outbox_changed() = 0;
  // An application asked for everything meant for this node again (POST /api/v1/resend): ask the cloud,
  // until it acknowledges.
  virtual void request_resend() = 0;
  // A copy's metadata is stored and its data must be fetched.
  virtual void fetch_data(const ResourceKey& key) = 0;
  // Remote query: the metadata of an object the cloud holds for this node. kNotFound when it has none,
  // kUnavailable when the cloud cannot be asked.
  virtual boost::asio::awaitable<Result<ObjectMetadata>> remote_query(const ResourceKey& key) = 0;
  // Metasync: sends a status snapshot; returns the keys the cloud no longer knows.
  virtual boost::asio::awaitable<Result<std::vector<ResourceKey>>> send_status_snapshot(
      const nlohmann::json& snapshot) = 0;
};

}  // namespace edgesync::meta
