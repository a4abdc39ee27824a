// The lease rows of several instances on one database (store/cluster.hpp): one row per lease with
// its holder, its epoch (the fencing token, raised at every change of holder) and its expiry, all
// judged by the database's clock so that the instances' clocks never have to agree.
#pragma once

#include <chrono>
#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "common/status.hpp"
#include "server/store/cluster.hpp"

namespace edgesync::pg {

// Takes or renews the lease in one statement (its own transaction): free, expired or already the
// holder's, it becomes `holder`'s until now + ttl; otherwise the current holder is answered.
LeaseState acquire_lease(pqxx::transaction_base& transaction, const std::string& name, int64_t holder,
                         std::chrono::milliseconds ttl);
// Ends `holder`'s lease now (nothing when another holds it).
void release_lease(pqxx::transaction_base& transaction, const std::string& name, int64_t holder);
// Inside a write: OK when `holder` still holds `name` at `epoch`, and the row is then locked (FOR SHARE)
// until the commit, so no takeover can come between this check and the write's commit. kConflict else.
Status check_lease(pqxx::transaction_base& transaction, const std::string& name, int64_t holder, int64_t epoch);

}  // namespace edgesync::pg
