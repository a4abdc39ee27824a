// Owner references and queued owner cascades (owner_links.hpp) as rows. Internal to store/postgres; the
// functions run inside the caller's transaction and throw pqxx exceptions on database errors.
#pragma once

#include <pqxx/pqxx>
#include <vector>

#include "server/store/store.hpp"

namespace edgesync::pg {

// Makes the ownee's links exactly `owners`; a kept link keeps its state and first-seen time.
void replace_owner_links(pqxx::transaction_base& transaction, const ResourceKey& ownee,
                         const std::vector<OwnerReference>& owners, int64_t now_ms);
std::vector<OwnerLink> select_ownee_links(pqxx::transaction_base& transaction, const ResourceKey& owner, size_t limit);
void set_owner_link_validated(pqxx::transaction_base& transaction, const ResourceKey& ownee, const ResourceKey& owner);
// Queues the owner's cascade when anything references it.
void insert_owner_cascade(pqxx::transaction_base& transaction, const ResourceKey& owner, int64_t now_ms);
void erase_owner_cascade(pqxx::transaction_base& transaction, const ResourceKey& owner);
std::vector<ResourceKey> select_owner_cascades(pqxx::transaction_base& transaction, size_t limit);
std::vector<OwnerLink> select_unvalidated_owner_links(pqxx::transaction_base& transaction, int64_t seen_before_ms,
                                                      size_t limit);

}  // namespace edgesync::pg
