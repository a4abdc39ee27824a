// Mapping between Destination/Delivery and their rows. Internal to store/sqlite.
#pragma once

#include <SQLiteCpp/Statement.h>

#include <vector>

#include "server/store/delivery.hpp"
#include "server/store/sqlite/connection.hpp"
#include "server/store/store.hpp"

namespace edgesync::sqlite_rows {

Result<Destination> select_destination(Connection& connection, const NodeAddress& node);
std::vector<Destination> select_destinations(Connection& connection, const std::string& org);
void write_destination(Connection& connection, const Destination& destination);
void erase_destination(Connection& connection, const NodeAddress& node);  // and its deliveries

Result<Delivery> select_delivery(Connection& connection, const ResourceKey& key, const NodeAddress& peer);
std::vector<Delivery> select_deliveries(Connection& connection, const ResourceKey& key);
std::vector<Delivery> select_deliveries_to(Connection& connection, const NodeAddress& peer, bool pending_only);
// `pending_seq` orders a peer's pending notifications (oldest first).
void write_delivery(Connection& connection, const Delivery& delivery, int64_t pending_seq);
void erase_delivery(Connection& connection, const ResourceKey& key, const NodeAddress& peer);
void erase_deliveries(Connection& connection, const ResourceKey& key);

}  // namespace edgesync::sqlite_rows
