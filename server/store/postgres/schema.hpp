// The PostgreSQL schema of a store: versioned migrations applied when a store opens, under an advisory
// lock so that several processes opening one database at once apply each step once. Internal to
// store/postgres.
#pragma once

#include <pqxx/pqxx>

#include "common/status.hpp"

namespace edgesync::pg {

int latest_schema_version();

// Brings the database to the latest schema (creating every table in an empty one). Idempotent. Fails
// with kIoError when the database was written by a newer edgesync. Throws pqxx exceptions on database
// errors (the caller maps them).
Status migrate_schema(pqxx::connection& connection);

}  // namespace edgesync::pg
