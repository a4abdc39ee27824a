// Uplink: an edge node's connection to its cloud, speaking MMS's HTTP SPI (reference/spi-wire.md) as
// the client, and the metamanager's CloudLink.
//
// One coroutine keeps the session: register (as new when the cloud does not know the node), then
// alternately send what the outbox holds and long-poll for work (`?wait=`; against a cloud that answers
// at once, MMS-style interval polling), handing every poll item to the metamanager in order. A change
// queued for the cloud interrupts a long-poll so it goes out at once. Transport failures mark the node
// disconnected and retry with exponential backoff and full jitter.
// A second coroutine fetches data: ranged GETs of `chunk_size` into a part file, each chunk fsynced and
// recorded before the next, so a broken transfer or a restart resumes from the last verified byte; the
// whole is checked against the size and the cloud's SHA-256 before the metamanager completes the copy.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "server/metamanager/cloud_link.hpp"
#include "server/metamanager/meta_manager.hpp"
#include "server/store/data_files.hpp"
#include "server/store/delivery.hpp"
#include "server/store/store.hpp"

namespace boost::asio {
class thread_pool;
}

namespace edgesync {

struct UplinkOptions {
  NodeAddress node;
  std::string cloud_url;
  std::string secret;   // this node's secret towards the cloud (app key: org/destType/destID)
  std::string ca_file;  // https cloud_url: PEM CAs to trust (empty: the system's)
  bool persistent_storage = true;
  uint64_t chunk_size = 5 * 1024 * 1024;             // data fetched per ranged GET
  std::chrono::seconds long_poll_wait{30};           // ?wait= asked of the cloud
  std::chrono::milliseconds poll_interval{1000};     // against a cloud without long-poll
  std::chrono::milliseconds min_backoff{100};        // reconnect backoff, doubled per failure …
  std::chrono::milliseconds max_backoff{30000};      // … up to this, with full jitter
  std::chrono::milliseconds request_timeout{30000};  // a request that makes no progress this long fails
  std::chrono::seconds ping_interval{3600};          // MMS's ESSPingInterval (1 hour)
  // Fault injection for tests only: outbox notifications of these kinds are treated as acknowledged
  // without being sent (a lost acknowledgement, for metasync to repair).
  std::set<std::string> drop_notifications;
};

class Uplink final : public meta::CloudLink {
 public:
  Uplink(boost::asio::any_io_executor executor, UplinkOptions options, meta::MetaManager& meta, Store& store,
         DataFiles& data_files, boost::asio::thread_pool& blocking_pool);
  ~Uplink() override;
  Uplink(const Uplink&) = delete;
  Uplink& operator=(const Uplink&) = delete;

  void start();
  // Stops both coroutines (requests in flight are cancelled); safe to call twice.
  void stop();

  // meta::CloudLink
  void outbox_changed() override;
  void request_resend() override;
  void fetch_data(const ResourceKey& key) override;
  boost::asio::awaitable<Result<ObjectMetadata>> remote_query(const ResourceKey& key) override;
  boost::asio::awaitable<Result<std::vector<ResourceKey>>> send_status_snapshot(
      const nlohmann::json& snapshot) override;

  // For health, metrics and tests.
  uint64_t reconnects() const;
  uint64_t bytes_fetched() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace edgesync
