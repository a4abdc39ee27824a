#include "server/store/postgres/cluster_member.hpp"

#include <spdlog/spdlog.h>
#include <exception>

#include "server/store/postgres/lease.hpp"

namespace edgesync::pg {
namespace {

int64_t take_instance_id(pqxx::connection& connection) {
  pqxx::work transaction(connection, "instance_id");
  const int64_t id = transaction.exec("SELECT nextval('instance_ids')")[0][0].as<int64_t>();
  transaction.commit();
  return id;
}

}  // namespace

ClusterMember::ClusterMember(pqxx::connection& connection, const std::string& url)
    : instance_id_(take_instance_id(connection)), listener_(url, instance_id_), lease_connection_(url) {}

ClusterMember::~ClusterMember() {
  close();
}

void ClusterMember::send_batch_notices(pqxx::transaction_base& transaction) {
  // Cleared first: a batch that fails after this point must not have its wakes sent with the next one.
  NoticeBatch batch;
  std::swap(batch, batch_notices_);
  send_notice(transaction, batch, instance_id_);
}

template <class T, class Work>
Result<T> ClusterMember::with_lease_connection(Work work) noexcept {
  std::lock_guard lock(lease_mutex_);
  // Like a read: a session the server dropped is found out by using it, and one retry is safe, each
  // statement being its own transaction.
  for (int attempt = 0;; ++attempt) {
    const bool was_connected = lease_connection_.connected();
    try {
      pqxx::work transaction(lease_connection_.get(), "lease");
      T answer = work(transaction);
      transaction.commit();
      return answer;
    } catch (const std::exception& error) {
      if (!connection_lost(error) || attempt > 0 || !was_connected) {
        if (connection_lost(error)) lease_connection_.reset();
        return database_error("lease", error);
      }
      lease_connection_.reset();
    } catch (...) {
      return Status::internal("lease failed with an unknown exception");
    }
  }
}

Result<LeaseState> ClusterMember::acquire_lease(const std::string& name, int64_t holder,
                                                std::chrono::milliseconds ttl) noexcept {
  return with_lease_connection<LeaseState>(
      [&](pqxx::transaction_base& transaction) { return pg::acquire_lease(transaction, name, holder, ttl); });
}

Status ClusterMember::release_lease(const std::string& name, int64_t holder) noexcept {
  auto released = with_lease_connection<bool>([&](pqxx::transaction_base& transaction) {
    pg::release_lease(transaction, name, holder);
    return true;
  });
  return released ? Status::ok() : released.status();
}

void ClusterMember::close() noexcept {
  listener_.close();
  std::lock_guard lock(lease_mutex_);
  lease_connection_.reset();
}

}  // namespace edgesync::pg
