#include "server/store/sqlite/owner_rows.hpp"

#include <algorithm>

namespace edgesync::sqlite_rows {
namespace {

constexpr const char* kLinkColumns =
    "org, object_type, object_id, owner_type, owner_id, unset_on_delete, validated, first_seen_ms";

OwnerLink read_link(SQLite::Statement& statement) {
  OwnerLink link;
  link.ownee = {statement.getColumn(0).getString(), statement.getColumn(1).getString(),
                statement.getColumn(2).getString()};
  link.owner = {link.ownee.org, statement.getColumn(3).getString(), statement.getColumn(4).getString()};
  link.unset_on_delete = statement.getColumn(5).getInt() != 0;
  link.validated = statement.getColumn(6).getInt() != 0;
  link.first_seen_ms = statement.getColumn(7).getInt64();
  return link;
}

std::vector<OwnerLink> collect_links(SQLite::Statement& statement) {
  std::vector<OwnerLink> links;
  while (statement.executeStep()) links.push_back(read_link(statement));
  return links;
}

void bind_key(SQLite::Statement& statement, const ResourceKey& key) {
  statement.bind(1, key.org);
  statement.bind(2, key.object_type);
  statement.bind(3, key.object_id);
}

}  // namespace

void replace_owner_links(Connection& connection, const ResourceKey& ownee, const std::vector<OwnerReference>& owners,
                         int64_t now_ms) {
  // Most objects have no owners: one indexed read answers whether anything must change.
  std::vector<OwnerLink> held;
  {
    auto statement = connection.statement(std::string("SELECT ") + kLinkColumns +
                                          " FROM owner_refs WHERE org = ? AND object_type = ? AND object_id = ?");
    bind_key(*statement, ownee);
    held = collect_links(*statement);
  }
  for (const auto& link : held) {
    const bool kept = std::any_of(owners.begin(), owners.end(), [&](const OwnerReference& owner) {
      return owner.object_type == link.owner.object_type && owner.object_id == link.owner.object_id;
    });
    if (kept) continue;
    auto statement = connection.statement(
        "DELETE FROM owner_refs WHERE org = ? AND object_type = ? AND object_id = ? AND owner_type = ? AND "
        "owner_id = ?");
    bind_key(*statement, ownee);
    statement->bind(4, link.owner.object_type);
    statement->bind(5, link.owner.object_id);
    statement->exec();
  }
  for (const auto& owner : owners) {
    // A link kept keeps its state and first-seen time; only unsetOnDelete follows the metadata.
    auto statement = connection.statement(
        "INSERT INTO owner_refs (org, object_type, object_id, owner_type, owner_id, unset_on_delete, validated, "
        "first_seen_ms) VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (org, object_type, object_id, owner_type, "
        "owner_id) DO UPDATE SET unset_on_delete = excluded.unset_on_delete");
    bind_key(*statement, ownee);
    statement->bind(4, owner.object_type);
    statement->bind(5, owner.object_id);
    statement->bind(6, owner.unset_on_delete ? 1 : 0);
    statement->bind(7, now_ms);
    statement->exec();
  }
}

std::vector<OwnerLink> select_ownee_links(Connection& connection, const ResourceKey& owner, size_t limit) {
  auto statement = connection.statement(std::string("SELECT ") + kLinkColumns +
                                        " FROM owner_refs WHERE org = ? AND owner_type = ? AND owner_id = ? ORDER BY "
                                        "object_type, object_id LIMIT ?");
  bind_key(*statement, owner);
  statement->bind(4, static_cast<int64_t>(limit));
  return collect_links(*statement);
}

void set_owner_link_validated(Connection& connection, const ResourceKey& ownee, const ResourceKey& owner) {
  auto statement = connection.statement(
      "UPDATE owner_refs SET validated = 1 WHERE org = ? AND object_type = ? AND object_id = ? AND owner_type = ? "
      "AND owner_id = ?");
  bind_key(*statement, ownee);
  statement->bind(4, owner.object_type);
  statement->bind(5, owner.object_id);
  statement->exec();
}

void insert_owner_cascade(Connection& connection, const ResourceKey& owner, int64_t now_ms) {
  auto statement = connection.statement(
      "INSERT OR IGNORE INTO owner_cascades (org, owner_type, owner_id, queued_at_ms) SELECT ?1, ?2, ?3, ?4 WHERE "
      "EXISTS (SELECT 1 FROM owner_refs WHERE org = ?1 AND owner_type = ?2 AND owner_id = ?3)");
  bind_key(*statement, owner);
  statement->bind(4, now_ms);
  statement->exec();
}

void erase_owner_cascade(Connection& connection, const ResourceKey& owner) {
  auto statement = connection.statement("DELETE FROM owner_cascades WHERE org = ? AND owner_type = ? AND owner_id = ?");
  bind_key(*statement, owner);
  statement->exec();
}

std::vector<ResourceKey> select_owner_cascades(Connection& connection, size_t limit) {
  auto statement = connection.statement(
      "SELECT org, owner_type, owner_id FROM owner_cascades ORDER BY queued_at_ms, org, owner_type, owner_id LIMIT ?");
  statement->bind(1, static_cast<int64_t>(limit));
  std::vector<ResourceKey> owners;
  while (statement->executeStep()) {
    owners.push_back({statement->getColumn(0).getString(), statement->getColumn(1).getString(),
                      statement->getColumn(2).getString()});
  }
  return owners;
}

std::vector<OwnerLink> select_unvalidated_owner_links(Connection& connection, int64_t seen_before_ms, size_t limit) {
  auto statement = connection.statement(std::string("SELECT ") + kLinkColumns +
                                        " FROM owner_refs WHERE validated = 0 AND first_seen_ms <= ? ORDER BY "
                                        "first_seen_ms LIMIT ?");
  statement->bind(1, seen_before_ms);
  statement->bind(2, static_cast<int64_t>(limit));
  return collect_links(*statement);
}

}  // namespace edgesync::sqlite_rows
