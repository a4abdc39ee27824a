// Mapping between Destination/Delivery and their rows. Internal to store/postgres; the functions run
// inside the caller's transaction and throw pqxx exceptions on database errors.
#pragma once

#include <pqxx/pqxx>
#include <vector>

#include "server/store/store.hpp"

namespace edgesync::pg {

Result<Destination> select_destination(pqxx::transaction_base& transaction, const NodeAddress& node);  // kNotFound
// Every node of an org (of every org when org is empty), ordered by org, type and ID.
std::vector<Destination> select_destinations(pqxx::transaction_base& transaction, const std::string& org);
void write_destination(pqxx::transaction_base& transaction, const Destination& destination);
// Removes the node and every delivery row addressed to it.
void erase_destination(pqxx::transaction_base& transaction, const NodeAddress& node);

Result<Delivery> select_delivery(pqxx::transaction_base& transaction, const ResourceKey& key,
                                 const NodeAddress& peer);  // kNotFound
std::vector<Delivery> select_deliveries(pqxx::transaction_base& transaction, const ResourceKey& key);
std::vector<Delivery> select_deliveries_to(pqxx::transaction_base& transaction, const NodeAddress& peer,
                                           bool pending_only);
// The row's place in its peer's pending queue; nullopt when there is no row.
std::optional<int64_t> select_pending_sequence(pqxx::transaction_base& transaction, const Delivery& delivery);
void write_delivery(pqxx::transaction_base& transaction, const Delivery& delivery, int64_t pending_seq);
void erase_delivery(pqxx::transaction_base& transaction, const ResourceKey& key, const NodeAddress& peer);
void erase_deliveries(pqxx::transaction_base& transaction, const ResourceKey& key);
DeliveryCounts count_deliveries(pqxx::transaction_base& transaction);

}  // namespace edgesync::pg
