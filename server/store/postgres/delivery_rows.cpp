#include "server/store/postgres/delivery_rows.hpp"
#include "server/store/postgres/connection.hpp"

#include <string>

namespace edgesync::pg {
namespace {

constexpr const char* kDestinationColumns =
    "org, dest_type, dest_id, persistent_storage, communication, code_version, registered_at_ms, last_ping_ms, lost";
constexpr const char* kDeliveryColumns =
    "org, object_type, object_id, peer_type, peer_id, status, message, pending, instance_id, data_id, sent_bytes, "
    "metadata_json, updated_at_ms, attempts, last_error, next_attempt_at_ms";

Destination read_destination(const pqxx::row& row) {
  Destination destination;
  destination.node = {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()};
  destination.persistent_storage = row[3].as<bool>();
  destination.communication = row[4].as<std::string>();
  destination.code_version = row[5].as<std::string>();
  destination.registered_at_ms = row[6].as<int64_t>();
  destination.last_ping_ms = row[7].as<int64_t>();
  destination.lost = row[8].as<bool>();
  return destination;
}

Delivery read_delivery(const pqxx::row& row) {
  Delivery delivery;
  delivery.key = {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()};
  delivery.peer = {delivery.key.org, row[3].as<std::string>(), row[4].as<std::string>()};
  delivery.status = row[5].as<std::string>();
  delivery.message = row[6].as<std::string>();
  delivery.pending = row[7].as<std::string>();
  delivery.instance_id = row[8].as<int64_t>();
  delivery.data_id = row[9].as<int64_t>();
  delivery.sent_bytes = static_cast<uint64_t>(row[10].as<int64_t>());
  delivery.metadata_json = row[11].as<std::string>();
  delivery.updated_at_ms = row[12].as<int64_t>();
  delivery.attempts = row[13].as<int32_t>();
  delivery.last_error = row[14].as<std::string>();
  delivery.next_attempt_at_ms = row[15].as<int64_t>();
  return delivery;
}

std::vector<Delivery> read_deliveries(const pqxx::result& rows) {
  std::vector<Delivery> deliveries;
  deliveries.reserve(rows.size());
  for (const auto& row : rows) deliveries.push_back(read_delivery(row));
  return deliveries;
}

}  // namespace

Result<Destination> select_destination(pqxx::transaction_base& transaction, const NodeAddress& node) {
  auto rows = pg::exec_cached(transaction,
                              std::string("SELECT ") + kDestinationColumns +
                                  " FROM destinations WHERE org = $1 AND dest_type = $2 AND dest_id = $3",
                              node.org, node.dest_type, node.dest_id);
  if (rows.empty()) return Status::not_found();
  return read_destination(rows[0]);
}

std::vector<Destination> select_destinations(pqxx::transaction_base& transaction, const std::string& org) {
  const std::string sql = std::string("SELECT ") + kDestinationColumns + " FROM destinations" +
                          (org.empty() ? "" : " WHERE org = $1") + " ORDER BY org, dest_type, dest_id";
  auto rows = org.empty() ? transaction.exec(sql) : pg::exec_cached(transaction, sql, org);
  std::vector<Destination> destinations;
  destinations.reserve(rows.size());
  for (const auto& row : rows) destinations.push_back(read_destination(row));
  return destinations;
}

void write_destination(pqxx::transaction_base& transaction, const Destination& destination) {
  pg::exec_cached(
      transaction,
      std::string("INSERT INTO destinations (") + kDestinationColumns +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (org, dest_type, dest_id) DO UPDATE SET "
          "persistent_storage = excluded.persistent_storage, communication = excluded.communication, "
          "code_version = excluded.code_version, registered_at_ms = excluded.registered_at_ms, "
          "last_ping_ms = excluded.last_ping_ms, lost = excluded.lost",
      destination.node.org, destination.node.dest_type, destination.node.dest_id, destination.persistent_storage,
      destination.communication, destination.code_version, destination.registered_at_ms, destination.last_ping_ms,
      destination.lost);
}

void erase_destination(pqxx::transaction_base& transaction, const NodeAddress& node) {
  pg::exec_cached(transaction, "DELETE FROM deliveries WHERE org = $1 AND peer_type = $2 AND peer_id = $3", node.org,
                  node.dest_type, node.dest_id);
  pg::exec_cached(transaction, "DELETE FROM destinations WHERE org = $1 AND dest_type = $2 AND dest_id = $3", node.org,
                  node.dest_type, node.dest_id);
}

Result<Delivery> select_delivery(pqxx::transaction_base& transaction, const ResourceKey& key, const NodeAddress& peer) {
  auto rows = pg::exec_cached(transaction,
                              std::string("SELECT ") + kDeliveryColumns +
                                  " FROM deliveries WHERE org = $1 AND object_type = $2 AND object_id = $3 "
                                  "AND peer_type = $4 AND peer_id = $5",
                              key.org, key.object_type, key.object_id, peer.dest_type, peer.dest_id);
  if (rows.empty()) return Status::not_found();
  return read_delivery(rows[0]);
}

std::vector<Delivery> select_deliveries(pqxx::transaction_base& transaction, const ResourceKey& key) {
  return read_deliveries(pg::exec_cached(transaction,
                                         std::string("SELECT ") + kDeliveryColumns +
                                             " FROM deliveries WHERE org = $1 AND object_type = $2 AND "
                                             "object_id = $3 ORDER BY peer_type, peer_id",
                                         key.org, key.object_type, key.object_id));
}

std::vector<Delivery> select_deliveries_to(pqxx::transaction_base& transaction, const NodeAddress& peer,
                                           bool pending_only) {
  return read_deliveries(pg::exec_cached(
      transaction,
      std::string("SELECT ") + kDeliveryColumns +
          " FROM deliveries WHERE org = $1 AND peer_type = $2 AND peer_id = $3" +
          (pending_only ? " AND pending != '' ORDER BY pending_seq" : " ORDER BY object_type, object_id"),
      peer.org, peer.dest_type, peer.dest_id));
}

std::optional<int64_t> select_pending_sequence(pqxx::transaction_base& transaction, const Delivery& delivery) {
  auto rows = pg::exec_cached(
      transaction,
      "SELECT pending_seq FROM deliveries WHERE org = $1 AND object_type = $2 AND object_id = $3 AND peer_type = $4 "
      "AND peer_id = $5",
      delivery.key.org, delivery.key.object_type, delivery.key.object_id, delivery.peer.dest_type,
      delivery.peer.dest_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<int64_t>();
}

void write_delivery(pqxx::transaction_base& transaction, const Delivery& delivery, int64_t pending_seq) {
  pg::exec_cached(
      transaction,
      std::string("INSERT INTO deliveries (") + kDeliveryColumns +
          ", pending_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
          "ON CONFLICT (org, object_type, object_id, peer_type, peer_id) DO UPDATE SET status = excluded.status, "
          "message = excluded.message, pending = excluded.pending, instance_id = excluded.instance_id, "
          "data_id = excluded.data_id, sent_bytes = excluded.sent_bytes, metadata_json = excluded.metadata_json, "
          "updated_at_ms = excluded.updated_at_ms, attempts = excluded.attempts, last_error = excluded.last_error, "
          "next_attempt_at_ms = excluded.next_attempt_at_ms, pending_seq = excluded.pending_seq",
      delivery.key.org, delivery.key.object_type, delivery.key.object_id, delivery.peer.dest_type,
      delivery.peer.dest_id, delivery.status, delivery.message, delivery.pending, delivery.instance_id,
      delivery.data_id, static_cast<int64_t>(delivery.sent_bytes), delivery.metadata_json, delivery.updated_at_ms,
      delivery.attempts, delivery.last_error, delivery.next_attempt_at_ms, pending_seq);
}

void erase_delivery(pqxx::transaction_base& transaction, const ResourceKey& key, const NodeAddress& peer) {
  pg::exec_cached(
      transaction,
      "DELETE FROM deliveries WHERE org = $1 AND object_type = $2 AND object_id = $3 AND peer_type = $4 AND "
      "peer_id = $5",
      key.org, key.object_type, key.object_id, peer.dest_type, peer.dest_id);
}

void erase_deliveries(pqxx::transaction_base& transaction, const ResourceKey& key) {
  pg::exec_cached(transaction, "DELETE FROM deliveries WHERE org = $1 AND object_type = $2 AND object_id = $3", key.org,
                  key.object_type, key.object_id);
}

DeliveryCounts count_deliveries(pqxx::transaction_base& transaction) {
  DeliveryCounts counts;
  for (const auto& row : transaction.exec("SELECT status, count(*) FROM deliveries GROUP BY status ORDER BY status"))
    counts.by_status.emplace_back(row[0].as<std::string>(), row[1].as<int64_t>());
  counts.pending = transaction.exec("SELECT count(*) FROM deliveries WHERE pending != ''")[0][0].as<int64_t>();
  return counts;
}

}  // namespace edgesync::pg
