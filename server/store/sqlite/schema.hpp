// The database schema and its migrations, versioned by PRAGMA user_version.
#pragma once

#include <SQLiteCpp/Database.h>

#include "common/status.hpp"

namespace edgesync {

// Brings the database to the latest version, one transaction per step. Refuses a database written
// by a newer edgesync.
Status migrate_schema(SQLite::Database& database);

int latest_schema_version();

}  // namespace edgesync
