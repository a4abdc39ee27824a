#include "server/store/postgres/acl_rows.hpp"
#include "server/store/postgres/connection.hpp"

namespace edgesync::pg {

std::vector<AclEntry> select_acl(pqxx::transaction_base& transaction, AclKind kind, const std::string& org,
                                 const std::optional<std::string>& key) {
  const std::string sql =
      std::string("SELECT acl_key, user_type, username, role FROM acls WHERE kind = $1 AND org = $2") +
      (key ? " AND acl_key = $3" : "") + " ORDER BY acl_key, user_type, username";
  const std::string kind_name = to_string(kind);
  auto rows =
      key ? pg::exec_cached(transaction, sql, kind_name, org, *key) : pg::exec_cached(transaction, sql, kind_name, org);
  std::vector<AclEntry> entries;
  entries.reserve(rows.size());
  for (const auto& row : rows) {
    entries.push_back(AclEntry{kind, org, row[0].as<std::string>(), row[2].as<std::string>(), row[1].as<std::string>(),
                               row[3].as<std::string>()});
  }
  return entries;
}

void write_acl_entry(pqxx::transaction_base& transaction, const AclEntry& entry) {
  pg::exec_cached(transaction,
                  "INSERT INTO acls (kind, org, acl_key, user_type, username, role) VALUES ($1, $2, $3, $4, $5, $6) "
                  "ON CONFLICT (kind, org, acl_key, user_type, username) DO UPDATE SET role = excluded.role",
                  std::string(to_string(entry.kind)), entry.org, entry.key, entry.user_type, entry.username,
                  entry.role);
}

Status remove_acl_entry(pqxx::transaction_base& transaction, const AclEntry& entry) {
  auto result = pg::exec_cached(
      transaction,
      "DELETE FROM acls WHERE kind = $1 AND org = $2 AND acl_key = $3 AND user_type = $4 AND username = $5",
      std::string(to_string(entry.kind)), entry.org, entry.key, entry.user_type, entry.username);
  return result.affected_rows() == 0 ? Status::not_found() : Status::ok();
}

std::vector<Organization> select_organizations(pqxx::transaction_base& transaction) {
  std::vector<Organization> organizations;
  for (const auto& row : transaction.exec("SELECT org, address, updated_at_ms FROM organizations ORDER BY org")) {
    organizations.push_back(Organization{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
  }
  return organizations;
}

void write_organization(pqxx::transaction_base& transaction, const Organization& organization) {
  pg::exec_cached(
      transaction,
      "INSERT INTO organizations (org, address, updated_at_ms) VALUES ($1, $2, $3) ON CONFLICT (org) DO UPDATE SET "
      "address = excluded.address, updated_at_ms = excluded.updated_at_ms",
      organization.org, organization.address, organization.updated_at_ms);
}

void remove_organization(pqxx::transaction_base& transaction, const std::string& org,
                         std::vector<std::string>& removed_files) {
  for (const auto& row : pg::exec_cached(transaction,
                                         "SELECT data_file FROM objects WHERE org = $1 AND data_file != '' UNION ALL "
                                         "SELECT part_file FROM uploads WHERE org = $1",
                                         org)) {
    removed_files.push_back(row[0].as<std::string>());
  }
  for (const char* table : {"objects", "uploads", "webhooks", "destinations", "deliveries", "owner_refs",
                            "owner_cascades", "acls", "organizations"}) {
    pg::exec_cached(transaction, std::string("DELETE FROM ") + table + " WHERE org = $1", org);
  }
}

}  // namespace edgesync::pg
