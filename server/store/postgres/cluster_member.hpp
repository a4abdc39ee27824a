// ClusterMember: a PostgreSQL store's side of sharing its database with other instances
// (store/cluster.hpp): its instance id (from a sequence, never handed out twice), the listener of the
// others' notices, the notices gathered for this instance's next commit, and the lease statements on a
// connection of their own (a renewal must not queue behind a long group commit or busy readers).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>

#include "common/status.hpp"
#include "server/store/cluster.hpp"
#include "server/store/postgres/connection.hpp"
#include "server/store/postgres/notices.hpp"

namespace edgesync::pg {

class ClusterMember {
 public:
  // Takes an instance id on `connection` and starts listening. Throws on a database error (at open).
  ClusterMember(pqxx::connection& connection, const std::string& url);
  ~ClusterMember();  // close()

  int64_t instance_id() const { return instance_id_; }
  void set_listener(ClusterNoticeListener listener) { listener_.set_callback(std::move(listener)); }

  // The writer thread's: what the writes of the batch in flight wake, sent just before its COMMIT.
  NoticeBatch& batch_notices() { return batch_notices_; }
  void send_batch_notices(pqxx::transaction_base& transaction);

  Result<LeaseState> acquire_lease(const std::string& name, int64_t holder, std::chrono::milliseconds ttl) noexcept;
  Status release_lease(const std::string& name, int64_t holder) noexcept;

  void close() noexcept;
  uint64_t listener_connects() const { return listener_.connects(); }
  uint64_t notices_delivered() const { return listener_.delivered(); }

 private:
  template <class T, class Work>
  Result<T> with_lease_connection(Work work) noexcept;

  const int64_t instance_id_;
  NoticeListener listener_;
  NoticeBatch batch_notices_;
  std::mutex lease_mutex_;
  Connection lease_connection_;  // under lease_mutex_
};

}  // namespace edgesync::pg
