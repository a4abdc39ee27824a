#include "server/store/sqlite/acl_rows.hpp"

namespace edgesync::sqlite_rows {

std::vector<AclEntry> select_acl(Connection& connection, AclKind kind, const std::string& org,
                                 const std::optional<std::string>& key) {
  const std::string sql =
      std::string("SELECT acl_key, user_type, username, role FROM acls WHERE kind = ? AND org = ?") +
      (key ? " AND acl_key = ?" : "") + " ORDER BY acl_key, user_type, username";
  auto statement = connection.statement(sql);
  statement->bind(1, to_string(kind));
  statement->bind(2, org);
  if (key) statement->bind(3, *key);
  std::vector<AclEntry> entries;
  while (statement->executeStep()) {
    entries.push_back(AclEntry{kind, org, statement->getColumn(0).getString(), statement->getColumn(2).getString(),
                               statement->getColumn(1).getString(), statement->getColumn(3).getString()});
  }
  return entries;
}

Status write_acl_entry(Connection& connection, const AclEntry& entry) {
  auto statement = connection.statement(
      "INSERT OR REPLACE INTO acls (kind, org, acl_key, user_type, username, role) VALUES (?, ?, ?, ?, ?, ?)");
  statement->bind(1, to_string(entry.kind));
  statement->bind(2, entry.org);
  statement->bind(3, entry.key);
  statement->bind(4, entry.user_type);
  statement->bind(5, entry.username);
  statement->bind(6, entry.role);
  statement->exec();
  return Status::ok();
}

Status remove_acl_entry(Connection& connection, const AclEntry& entry) {
  auto statement = connection.statement(
      "DELETE FROM acls WHERE kind = ? AND org = ? AND acl_key = ? AND user_type = ? AND username = ?");
  statement->bind(1, to_string(entry.kind));
  statement->bind(2, entry.org);
  statement->bind(3, entry.key);
  statement->bind(4, entry.user_type);
  statement->bind(5, entry.username);
  return statement->exec() == 0 ? Status::not_found() : Status::ok();
}

std::vector<Organization> select_organizations(Connection& connection) {
  auto statement = connection.statement("SELECT org, address, updated_at_ms FROM organizations ORDER BY org");
  std::vector<Organization> organizations;
  while (statement->executeStep()) {
    organizations.push_back(Organization{statement->getColumn(0).getString(), statement->getColumn(1).getString(),
                                         statement->getColumn(2).getInt64()});
  }
  return organizations;
}

Status write_organization(Connection& connection, const Organization& organization) {
  auto statement =
      connection.statement("INSERT OR REPLACE INTO organizations (org, address, updated_at_ms) VALUES (?, ?, ?)");
  statement->bind(1, organization.org);
  statement->bind(2, organization.address);
  statement->bind(3, organization.updated_at_ms);
  statement->exec();
  return Status::ok();
}

Status remove_organization(Connection& connection, const std::string& org, std::vector<std::string>& removed_files) {
  {
    auto files = connection.statement(
        "SELECT data_file FROM objects WHERE org = ? AND data_file != '' UNION ALL "
        "SELECT part_file FROM uploads WHERE org = ?");
    files->bind(1, org);
    files->bind(2, org);
    while (files->executeStep()) removed_files.push_back(files->getColumn(0).getString());
  }
  for (const char* table : {"objects", "uploads", "webhooks", "destinations", "deliveries", "owner_refs",
                            "owner_cascades", "acls", "organizations"}) {
    auto statement = connection.statement(std::string("DELETE FROM ") + table + " WHERE org = ?");
    statement->bind(1, org);
    statement->exec();
  }
  return Status::ok();
}

}  // namespace edgesync::sqlite_rows
