// Mapping between owner links / owner cascades and their rows. Internal to store/sqlite.
#pragma once

#include <vector>

#include "common/object_metadata.hpp"
#include "server/store/owner_links.hpp"
#include "server/store/sqlite/connection.hpp"

namespace edgesync::sqlite_rows {

void replace_owner_links(Connection& connection, const ResourceKey& ownee, const std::vector<OwnerReference>& owners,
                         int64_t now_ms);
std::vector<OwnerLink> select_ownee_links(Connection& connection, const ResourceKey& owner, size_t limit);
void set_owner_link_validated(Connection& connection, const ResourceKey& ownee, const ResourceKey& owner);
void insert_owner_cascade(Connection& connection, const ResourceKey& owner, int64_t now_ms);
void erase_owner_cascade(Connection& connection, const ResourceKey& owner);
std::vector<ResourceKey> select_owner_cascades(Connection& connection, size_t limit);
std::vector<OwnerLink> select_unvalidated_owner_links(Connection& connection, int64_t seen_before_ms, size_t limit);

}  // namespace edgesync::sqlite_rows
