// MetaManager: the edge node's dispatcher (design/METAMANAGER.md, after KubeEdge's edge metamanager).
// Every change to an object on an edge — from the cloud (the uplink), from a local application (the
// /api/v1 handlers) or from a timer — is a Message queued on its resource's lane (Dispatcher) and handled
// here, in order per resource:
//
//   insert / update  from the cloud: store the copy (an unchanged version costs nothing); fetch its data
//                    (CloudLink); once complete, applications are told and `received` is queued up;
//                    from an application: store the edge's own object (no-op when nothing changed) and
//                    queue it up for the cloud;
//   delete           from the cloud: mark the copy deleted, tell applications, queue `ackDelete`;
//                    from an application: delete the edge's own object (the cloud is told);
//   query            answer from the store; on a miss while connected ask the cloud (remote query), store
//                    what it returns, answer with it; disconnected: 404;
//   response         from an application: received/consumed/deleted marks (queued up for the cloud);
//                    from the cloud: its acknowledgements and its consumed/deleted answers;
//   nodeconnection   the uplink's connected/disconnected (kept in memory; health shows it);
//   metasync         every meta.sync.status.interval seconds: a snapshot of every object's status here
//                    goes to the cloud, which repairs its per-destination status; records of objects the
//                    cloud no longer knows are dropped.
//
// Persist before dispatch: nothing is told to applications or the cloud before it is in the store (the
// outbox rows are written in the change's own transaction by EdgeRouter).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "server/auth/identity.hpp"
#include "server/metamanager/cloud_link.hpp"
#include "server/metamanager/dispatcher.hpp"
#include "server/metamanager/edge_router.hpp"
#include "server/objects/object_service.hpp"

namespace edgesync::meta {

class MetaManager {
 public:
  struct Options {
    std::chrono::seconds sync_interval{60};  // meta.sync.status.interval
  };

  MetaManager(boost::asio::any_io_executor executor, ObjectService& objects, Store& store, EdgeRouter& router,
              Options options);
  ~MetaManager();
  MetaManager(const MetaManager&) = delete;
  MetaManager& operator=(const MetaManager&) = delete;

  void set_cloud_link(CloudLink* link);
  // Starts and stops the metasync timer.
  void start();
  void stop();

  // Every operation goes through here (also for tests and the bench): the message is queued on its
  // resource's lane and the answer returned.
  boost::asio::awaitable<Message> send(Message message) { return dispatcher_.call(std::move(message)); }
  Dispatcher& dispatcher() { return dispatcher_; }

  bool connected() const { return connected_.load(); }
  uint64_t metasyncs() const { return metasyncs_.load(); }
  // Times the uplink connected (registered with the cloud), the first included.
  uint64_t connects() const { return connects_.load(); }

  // ---- typed entry points (build the Message, send it, map the answer) ----
  // From local applications.
  boost::asio::awaitable<Status> app_put_object(const ResourceKey& key, ObjectMetadata metadata,
                                                std::optional<std::string> inline_data, const Identity& caller);
  boost::asio::awaitable<Status> app_put_data(const ResourceKey& key, std::optional<ContentRange> range,
                                              BodyReader read_body);
  boost::asio::awaitable<Status> app_delete(const ResourceKey& key);
  boost::asio::awaitable<Status> app_mark(const ResourceKey& key, Mark mark);
  boost::asio::awaitable<Status> app_activate(const ResourceKey& key);
  boost::asio::awaitable<Result<StoredObject>> app_query(const ResourceKey& key);
  // From the cloud (the uplink).
  boost::asio::awaitable<Result<ReceiveOutcome>> cloud_update(ObjectMetadata metadata);
  boost::asio::awaitable<Status> cloud_data(const ResourceKey& key, int64_t instance_id, StoredData data);
  boost::asio::awaitable<Status> cloud_delete(const ResourceKey& key);
  // The cloud acknowledged an outbox notification (`action` = what was sent).
  boost::asio::awaitable<Status> cloud_response(const ResourceKey& key, const std::string& action, int64_t instance_id);
  // The cloud's poll said "consumed" or "deleted" about this node's own object.
  boost::asio::awaitable<Status> cloud_item(const ResourceKey& key, const std::string& item_type, int64_t instance_id);
  void node_connection(bool connected);
  // POST /api/v1/resend on the edge.
  void request_resend();
  // Runs one metasync now (the timer calls it; tests too).
  boost::asio::awaitable<Status> metasync();

 private:
  boost::asio::awaitable<Message> handle(Message message);
  boost::asio::awaitable<Message> handle_cloud_update(Message& message, const ResourceKey& key);
  boost::asio::awaitable<Message> handle_app_update(Message& message, const ResourceKey& key);
  boost::asio::awaitable<Message> handle_delete(Message& message, const ResourceKey& key);
  boost::asio::awaitable<Message> handle_query(Message& message, const ResourceKey& key);
  boost::asio::awaitable<Message> handle_response(Message& message, const ResourceKey& key);
  boost::asio::awaitable<Message> handle_metasync(Message& message);
  boost::asio::awaitable<void> metasync_loop();
  boost::asio::awaitable<Status> call_for_status(Message message);

  ObjectService& objects_;
  Store& store_;
  EdgeRouter& router_;
  Options options_;
  std::atomic<CloudLink*> link_{nullptr};
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> metasyncs_{0};
  std::atomic<uint64_t> connects_{0};
  std::atomic<bool> stopped_{false};
  struct Timer;  // the metasync timer (Asio kept out of this header)
  std::unique_ptr<Timer> timer_;
  Dispatcher dispatcher_;  // last: its lanes call back into the members above
};

}  // namespace edgesync::meta
