// Rows of the acls and organizations tables. Internal to store/sqlite.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/store/acl.hpp"
#include "server/store/sqlite/connection.hpp"
#include "server/store/store.hpp"

namespace edgesync::sqlite_rows {

std::vector<AclEntry> select_acl(Connection& connection, AclKind kind, const std::string& org,
                                 const std::optional<std::string>& key);
Status write_acl_entry(Connection& connection, const AclEntry& entry);
Status remove_acl_entry(Connection& connection, const AclEntry& entry);  // kNotFound when absent

std::vector<Organization> select_organizations(Connection& connection);
Status write_organization(Connection& connection, const Organization& organization);
// Deletes every row of the org; removed_files gets the data and part files they referenced.
Status remove_organization(Connection& connection, const std::string& org, std::vector<std::string>& removed_files);

}  // namespace edgesync::sqlite_rows
