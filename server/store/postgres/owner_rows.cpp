#include "server/store/postgres/owner_rows.hpp"
#include "server/store/postgres/connection.hpp"

#include <algorithm>
#include <string>

namespace edgesync::pg {
namespace {

constexpr const char* kLinkColumns =
    "org, object_type, object_id, owner_type, owner_id, unset_on_delete, validated, first_seen_ms";

std::vector<OwnerLink> read_links(const pqxx::result& rows) {
  std::vector<OwnerLink> links;
  links.reserve(rows.size());
  for (const auto& row : rows) {
    OwnerLink link;
    link.ownee = {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()};
    link.owner = {link.ownee.org, row[3].as<std::string>(), row[4].as<std::string>()};
    link.unset_on_delete = row[5].as<bool>();
    link.validated = row[6].as<bool>();
    link.first_seen_ms = row[7].as<int64_t>();
    links.push_back(std::move(link));
  }
  return links;
}

}  // namespace

void replace_owner_links(pqxx::transaction_base& transaction, const ResourceKey& ownee,
                         const std::vector<OwnerReference>& owners, int64_t now_ms) {
  // Most objects have no owners: one indexed read answers whether anything must change.
  const auto held = read_links(pg::exec_cached(
      transaction,
      std::string("SELECT ") + kLinkColumns + " FROM owner_refs WHERE org = $1 AND object_type = $2 AND object_id = $3",
      ownee.org, ownee.object_type, ownee.object_id));
  for (const auto& link : held) {
    const bool kept = std::any_of(owners.begin(), owners.end(), [&](const OwnerReference& owner) {
      return owner.object_type == link.owner.object_type && owner.object_id == link.owner.object_id;
    });
    if (kept) continue;
    pg::exec_cached(
        transaction,
        "DELETE FROM owner_refs WHERE org = $1 AND object_type = $2 AND object_id = $3 AND owner_type = $4 AND "
        "owner_id = $5",
        ownee.org, ownee.object_type, ownee.object_id, link.owner.object_type, link.owner.object_id);
  }
  for (const auto& owner : owners) {
    // A link kept keeps its state and first-seen time; only unsetOnDelete follows the metadata.
    pg::exec_cached(
        transaction,
        "INSERT INTO owner_refs (org, object_type, object_id, owner_type, owner_id, unset_on_delete, validated, "
        "first_seen_ms) VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7) ON CONFLICT (org, object_type, object_id, "
        "owner_type, owner_id) DO UPDATE SET unset_on_delete = excluded.unset_on_delete",
        ownee.org, ownee.object_type, ownee.object_id, owner.object_type, owner.object_id, owner.unset_on_delete,
        now_ms);
  }
}

std::vector<OwnerLink> select_ownee_links(pqxx::transaction_base& transaction, const ResourceKey& owner, size_t limit) {
  return read_links(pg::exec_cached(transaction,
                                    std::string("SELECT ") + kLinkColumns +
                                        " FROM owner_refs WHERE org = $1 AND owner_type = $2 AND owner_id = "
                                        "$3 ORDER BY object_type, object_id LIMIT $4",
                                    owner.org, owner.object_type, owner.object_id, static_cast<int64_t>(limit)));
}

void set_owner_link_validated(pqxx::transaction_base& transaction, const ResourceKey& ownee, const ResourceKey& owner) {
  pg::exec_cached(transaction,
                  "UPDATE owner_refs SET validated = TRUE WHERE org = $1 AND object_type = $2 AND object_id = $3 AND "
                  "owner_type = $4 AND owner_id = $5",
                  ownee.org, ownee.object_type, ownee.object_id, owner.object_type, owner.object_id);
}

void insert_owner_cascade(pqxx::transaction_base& transaction, const ResourceKey& owner, int64_t now_ms) {
  pg::exec_cached(
      transaction,
      "INSERT INTO owner_cascades (org, owner_type, owner_id, queued_at_ms) SELECT $1, $2, $3, $4 WHERE EXISTS "
      "(SELECT 1 FROM owner_refs WHERE org = $1 AND owner_type = $2 AND owner_id = $3) ON CONFLICT DO NOTHING",
      owner.org, owner.object_type, owner.object_id, now_ms);
}

void erase_owner_cascade(pqxx::transaction_base& transaction, const ResourceKey& owner) {
  pg::exec_cached(transaction, "DELETE FROM owner_cascades WHERE org = $1 AND owner_type = $2 AND owner_id = $3",
                  owner.org, owner.object_type, owner.object_id);
}

std::vector<ResourceKey> select_owner_cascades(pqxx::transaction_base& transaction, size_t limit) {
  std::vector<ResourceKey> owners;
  for (const auto& row : pg::exec_cached(
           transaction,
           "SELECT org, owner_type, owner_id FROM owner_cascades ORDER BY queued_at_ms, org, owner_type, owner_id "
           "LIMIT $1",
           static_cast<int64_t>(limit))) {
    owners.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  }
  return owners;
}

std::vector<OwnerLink> select_unvalidated_owner_links(pqxx::transaction_base& transaction, int64_t seen_before_ms,
                                                      size_t limit) {
  return read_links(pg::exec_cached(transaction,
                                    std::string("SELECT ") + kLinkColumns +
                                        " FROM owner_refs WHERE NOT validated AND first_seen_ms <= $1 "
                                        "ORDER BY first_seen_ms LIMIT $2",
                                    seen_before_ms, static_cast<int64_t>(limit)));
}

}  // namespace edgesync::pg
