#include "server/store/sqlite/delivery_rows.hpp"

namespace edgesync::sqlite_rows {
namespace {

constexpr const char* kDestinationColumns =
    "org, dest_type, dest_id, persistent_storage, communication, code_version, registered_at_ms, last_ping_ms, lost";
constexpr const char* kDeliveryColumns =
    "org, object_type, object_id, peer_type, peer_id, status, message, pending, instance_id, data_id, sent_bytes, "
    "metadata_json, updated_at_ms, attempts, last_error, next_attempt_at_ms";

Destination read_destination(SQLite::Statement& statement) {
  Destination destination;
  destination.node = {statement.getColumn(0).getString(), statement.getColumn(1).getString(),
                      statement.getColumn(2).getString()};
  destination.persistent_storage = statement.getColumn(3).getInt() != 0;
  destination.communication = statement.getColumn(4).getString();
  destination.code_version = statement.getColumn(5).getString();
  destination.registered_at_ms = statement.getColumn(6).getInt64();
  destination.last_ping_ms = statement.getColumn(7).getInt64();
  destination.lost = statement.getColumn(8).getInt() != 0;
  return destination;
}

Delivery read_delivery(SQLite::Statement& statement) {
  Delivery delivery;
  delivery.key = {statement.getColumn(0).getString(), statement.getColumn(1).getString(),
                  statement.getColumn(2).getString()};
  delivery.peer = {delivery.key.org, statement.getColumn(3).getString(), statement.getColumn(4).getString()};
  delivery.status = statement.getColumn(5).getString();
  delivery.message = statement.getColumn(6).getString();
  delivery.pending = statement.getColumn(7).getString();
  delivery.instance_id = statement.getColumn(8).getInt64();
  delivery.data_id = statement.getColumn(9).getInt64();
  delivery.sent_bytes = static_cast<uint64_t>(statement.getColumn(10).getInt64());
  delivery.metadata_json = statement.getColumn(11).getString();
  delivery.updated_at_ms = statement.getColumn(12).getInt64();
  delivery.attempts = statement.getColumn(13).getInt();
  delivery.last_error = statement.getColumn(14).getString();
  delivery.next_attempt_at_ms = statement.getColumn(15).getInt64();
  return delivery;
}

void bind_node(SQLite::Statement& statement, const NodeAddress& node, int first) {
  statement.bind(first, node.org);
  statement.bind(first + 1, node.dest_type);
  statement.bind(first + 2, node.dest_id);
}

void bind_key(SQLite::Statement& statement, const ResourceKey& key) {
  statement.bind(1, key.org);
  statement.bind(2, key.object_type);
  statement.bind(3, key.object_id);
}

}  // namespace

Result<Destination> select_destination(Connection& connection, const NodeAddress& node) {
  auto statement = connection.statement(std::string("SELECT ") + kDestinationColumns +
                                        " FROM destinations WHERE org = ? AND dest_type = ? AND dest_id = ?");
  bind_node(*statement, node, 1);
  if (!statement->executeStep()) return Status::not_found();
  return read_destination(*statement);
}

std::vector<Destination> select_destinations(Connection& connection, const std::string& org) {
  const bool all = org.empty();
  auto statement = connection.statement(std::string("SELECT ") + kDestinationColumns + " FROM destinations" +
                                        (all ? "" : " WHERE org = ?") + " ORDER BY org, dest_type, dest_id");
  if (!all) statement->bind(1, org);
  std::vector<Destination> destinations;
  while (statement->executeStep()) destinations.push_back(read_destination(*statement));
  return destinations;
}

void write_destination(Connection& connection, const Destination& destination) {
  auto statement = connection.statement(std::string("INSERT OR REPLACE INTO destinations (") + kDestinationColumns +
                                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bind_node(*statement, destination.node, 1);
  statement->bind(4, destination.persistent_storage ? 1 : 0);
  statement->bind(5, destination.communication);
  statement->bind(6, destination.code_version);
  statement->bind(7, destination.registered_at_ms);
  statement->bind(8, destination.last_ping_ms);
  statement->bind(9, destination.lost ? 1 : 0);
  statement->exec();
}

void erase_destination(Connection& connection, const NodeAddress& node) {
  auto deliveries = connection.statement("DELETE FROM deliveries WHERE org = ? AND peer_type = ? AND peer_id = ?");
  bind_node(*deliveries, node, 1);
  deliveries->exec();
  auto statement = connection.statement("DELETE FROM destinations WHERE org = ? AND dest_type = ? AND dest_id = ?");
  bind_node(*statement, node, 1);
  statement->exec();
}

Result<Delivery> select_delivery(Connection& connection, const ResourceKey& key, const NodeAddress& peer) {
  auto statement = connection.statement(std::string("SELECT ") + kDeliveryColumns +
                                        " FROM deliveries WHERE org = ? AND object_type = ? AND object_id = ? "
                                        "AND peer_type = ? AND peer_id = ?");
  bind_key(*statement, key);
  statement->bind(4, peer.dest_type);
  statement->bind(5, peer.dest_id);
  if (!statement->executeStep()) return Status::not_found();
  return read_delivery(*statement);
}

std::vector<Delivery> select_deliveries(Connection& connection, const ResourceKey& key) {
  auto statement = connection.statement(std::string("SELECT ") + kDeliveryColumns +
                                        " FROM deliveries WHERE org = ? AND object_type = ? AND object_id = ? "
                                        "ORDER BY peer_type, peer_id");
  bind_key(*statement, key);
  std::vector<Delivery> deliveries;
  while (statement->executeStep()) deliveries.push_back(read_delivery(*statement));
  return deliveries;
}

std::vector<Delivery> select_deliveries_to(Connection& connection, const NodeAddress& peer, bool pending_only) {
  auto statement = connection.statement(
      std::string("SELECT ") + kDeliveryColumns + " FROM deliveries WHERE org = ? AND peer_type = ? AND peer_id = ?" +
      (pending_only ? " AND pending != '' ORDER BY pending_seq" : " ORDER BY object_type, object_id"));
  bind_node(*statement, peer, 1);
  std::vector<Delivery> deliveries;
  while (statement->executeStep()) deliveries.push_back(read_delivery(*statement));
  return deliveries;
}

void write_delivery(Connection& connection, const Delivery& delivery, int64_t pending_seq) {
  auto statement = connection.statement(std::string("INSERT OR REPLACE INTO deliveries (") + kDeliveryColumns +
                                        ", pending_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bind_key(*statement, delivery.key);
  statement->bind(4, delivery.peer.dest_type);
  statement->bind(5, delivery.peer.dest_id);
  statement->bind(6, delivery.status);
  statement->bind(7, delivery.message);
  statement->bind(8, delivery.pending);
  statement->bind(9, delivery.instance_id);
  statement->bind(10, delivery.data_id);
  statement->bind(11, static_cast<int64_t>(delivery.sent_bytes));
  statement->bind(12, delivery.metadata_json);
  statement->bind(13, delivery.updated_at_ms);
  statement->bind(14, delivery.attempts);
  statement->bind(15, delivery.last_error);
  statement->bind(16, delivery.next_attempt_at_ms);
  statement->bind(17, pending_seq);
  statement->exec();
}

void erase_delivery(Connection& connection, const ResourceKey& key, const NodeAddress& peer) {
  auto statement = connection.statement(
      "DELETE FROM deliveries WHERE org = ? AND object_type = ? AND object_id = ? AND peer_type = ? AND peer_id = ?");
  bind_key(*statement, key);
  statement->bind(4, peer.dest_type);
  statement->bind(5, peer.dest_id);
  statement->exec();
}

void erase_deliveries(Connection& connection, const ResourceKey& key) {
  auto statement = connection.statement("DELETE FROM deliveries WHERE org = ? AND object_type = ? AND object_id = ?");
  bind_key(*statement, key);
  statement->exec();
}

}  // namespace edgesync::sqlite_rows
