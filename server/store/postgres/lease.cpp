#include "server/store/postgres/lease.hpp"
#include "server/store/postgres/connection.hpp"

namespace edgesync::pg {

LeaseState acquire_lease(pqxx::transaction_base& transaction, const std::string& name, int64_t holder,
                         std::chrono::milliseconds ttl) {
  // clock_timestamp(), not now(): the expiry counts from this statement, not from a transaction that
  // may have waited on a lock.
  auto taken =
      pg::exec_cached(transaction,
                      "INSERT INTO leases (name, holder, epoch, expires_at) "
                      "VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond') "
                      "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, "
                      "  epoch = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > clock_timestamp() "
                      "          THEN leases.epoch ELSE leases.epoch + 1 END "
                      "WHERE leases.holder = excluded.holder OR leases.expires_at <= clock_timestamp() "
                      "RETURNING epoch",
                      name, holder, static_cast<int64_t>(ttl.count()));
  if (!taken.empty()) return LeaseState{true, holder, taken[0][0].as<int64_t>(), ttl.count()};
  auto current = pg::exec_cached(
      transaction,
      "SELECT holder, epoch, greatest(0, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint) "
      "FROM leases WHERE name = $1",
      name);
  if (current.empty()) return LeaseState{};
  return LeaseState{false, current[0][0].as<int64_t>(), current[0][1].as<int64_t>(), current[0][2].as<int64_t>()};
}

void release_lease(pqxx::transaction_base& transaction, const std::string& name, int64_t holder) {
  pg::exec_cached(transaction, "UPDATE leases SET expires_at = clock_timestamp() WHERE name = $1 AND holder = $2", name,
                  holder);
}

Status check_lease(pqxx::transaction_base& transaction, const std::string& name, int64_t holder, int64_t epoch) {
  auto held = pg::exec_cached(
      transaction,
      "SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp() "
      "FOR SHARE",
      name, holder, epoch);
  if (held.empty())
    return Status::conflict("lease " + name + " epoch " + std::to_string(epoch) + " is no longer held by instance " +
                            std::to_string(holder));
  return Status::ok();
}

}  // namespace edgesync::pg
