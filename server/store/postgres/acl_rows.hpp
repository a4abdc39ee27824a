// ACL entries and organizations as rows, and the removal of an org with everything of it. Internal to
// store/postgres; the functions run inside the caller's transaction and throw pqxx exceptions on
// database errors.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "server/store/store.hpp"

namespace edgesync::pg {

std::vector<AclEntry> select_acl(pqxx::transaction_base& transaction, AclKind kind, const std::string& org,
                                 const std::optional<std::string>& key);
void write_acl_entry(pqxx::transaction_base& transaction, const AclEntry& entry);
Status remove_acl_entry(pqxx::transaction_base& transaction, const AclEntry& entry);  // kNotFound when absent
std::vector<Organization> select_organizations(pqxx::transaction_base& transaction);
void write_organization(pqxx::transaction_base& transaction, const Organization& organization);
// Removes every row of the org (events aside); `removed_files` receives its data and part files.
void remove_organization(pqxx::transaction_base& transaction, const std::string& org,
                         std::vector<std::string>& removed_files);

}  // namespace edgesync::pg
