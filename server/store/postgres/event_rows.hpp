// Mapping between Event and the events table, and pruning. Internal to store/postgres; the functions run
// inside the caller's transaction and throw pqxx exceptions on database errors.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "server/store/events.hpp"

namespace edgesync::pg {

// Appends the event; returns its sequence. Sequences come from the event_sequence row (schema.cpp):
// never reused, and visible in commit order.
int64_t insert_event(pqxx::transaction_base& transaction, const Event& event);
// The org's events with seq > after_seq, oldest first, at most `limit`.
std::vector<Event> select_events(pqxx::transaction_base& transaction, const std::string& org, int64_t after_seq,
                                 size_t limit);
EventWindow select_event_window(pqxx::transaction_base& transaction, const std::string& org);
// Removes up to `batch` of the oldest events that `retention` no longer keeps (now_ms is the age
// reference), raising each org's pruned_through mark; returns how many it removed.
size_t prune_events(pqxx::transaction_base& transaction, const EventRetention& retention, int64_t now_ms, size_t batch);
// Drops every event of the org; its mark moves to its newest sequence.
void erase_org_events(pqxx::transaction_base& transaction, const std::string& org);

}  // namespace edgesync::pg
