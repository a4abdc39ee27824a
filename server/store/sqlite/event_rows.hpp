// Mapping between Event and the events table, and pruning. Internal to store/sqlite.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/store/events.hpp"
#include "server/store/sqlite/connection.hpp"

namespace edgesync::sqlite_rows {

// Appends the event; returns its sequence (the table's AUTOINCREMENT key: never reused).
int64_t insert_event(Connection& connection, const Event& event);
// The org's events with seq > after_seq, oldest first, at most `limit`.
std::vector<Event> select_events(Connection& connection, const std::string& org, int64_t after_seq, size_t limit);
EventWindow select_event_window(Connection& connection, const std::string& org);
// Removes up to `batch` of the oldest events that `retention` no longer keeps (now_ms is the age
// reference), raising each org's pruned_through mark; returns how many it removed.
size_t prune_events(Connection& connection, const EventRetention& retention, int64_t now_ms, size_t batch);
// Drops every event of the org; its mark moves to its newest sequence (a reader resuming from before
// it gets 410, not a silently shortened stream).
void erase_org_events(Connection& connection, const std::string& org);

}  // namespace edgesync::sqlite_rows
