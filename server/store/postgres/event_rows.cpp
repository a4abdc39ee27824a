#include "server/store/postgres/event_rows.hpp"
#include "server/store/postgres/connection.hpp"

#include <algorithm>

namespace edgesync::pg {
namespace {

constexpr const char* kEventColumns =
    "seq, org, time_ms, type, object_type, object_id, instance_id, dest_type, dest_id, status, previous_status, "
    "detail";

Event read_event(const pqxx::row& row) {
  Event event;
  event.seq = row[0].as<int64_t>();
  event.org = row[1].as<std::string>();
  event.time_ms = row[2].as<int64_t>();
  event.type = row[3].as<std::string>();
  event.object_type = row[4].as<std::string>();
  event.object_id = row[5].as<std::string>();
  event.instance_id = row[6].as<int64_t>();
  event.dest_type = row[7].as<std::string>();
  event.dest_id = row[8].as<std::string>();
  event.status = row[9].as<std::string>();
  event.previous_status = row[10].as<std::string>();
  event.detail = row[11].as<std::string>();
  return event;
}

// The first column of the first row, 0 when there is none or it is NULL (max() of nothing).
int64_t single_int(const pqxx::result& rows) {
  if (rows.empty() || rows[0][0].is_null()) return 0;
  return rows[0][0].as<int64_t>();
}

// Moves the marks of every org with events at or below `through` up to their newest such event, then
// drops those events: the mark and the removal commit together.
void prune_through(pqxx::transaction_base& transaction, int64_t through) {
  pg::exec_cached(
      transaction,
      "INSERT INTO events_pruned (org, pruned_through) SELECT org, max(seq) FROM events WHERE seq <= $1 GROUP BY org "
      "ON CONFLICT (org) DO UPDATE SET pruned_through = GREATEST(events_pruned.pruned_through, "
      "excluded.pruned_through)",
      through);
  pg::exec_cached(transaction, "DELETE FROM events WHERE seq <= $1", through);
}

}  // namespace

int64_t insert_event(pqxx::transaction_base& transaction, const Event& event) {
  auto rows = pg::exec_cached(
      transaction,
      "WITH next AS (UPDATE event_sequence SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq) "
      "INSERT INTO events (seq, org, time_ms, type, object_type, object_id, instance_id, dest_type, dest_id, status, "
      "previous_status, detail) SELECT last_seq, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM next "
      "RETURNING seq",
      event.org, event.time_ms, event.type, event.object_type, event.object_id, event.instance_id, event.dest_type,
      event.dest_id, event.status, event.previous_status, event.detail);
  return single_int(rows);
}

std::vector<Event> select_events(pqxx::transaction_base& transaction, const std::string& org, int64_t after_seq,
                                 size_t limit) {
  auto rows = pg::exec_cached(
      transaction,
      std::string("SELECT ") + kEventColumns + " FROM events WHERE org = $1 AND seq > $2 ORDER BY seq LIMIT $3", org,
      after_seq, static_cast<int64_t>(limit));
  std::vector<Event> events;
  events.reserve(rows.size());
  for (const auto& row : rows) events.push_back(read_event(row));
  return events;
}

EventWindow select_event_window(pqxx::transaction_base& transaction, const std::string& org) {
  EventWindow window;
  window.pruned_through =
      single_int(pg::exec_cached(transaction, "SELECT pruned_through FROM events_pruned WHERE org = $1", org));
  window.last_seq =
      std::max(window.pruned_through,
               single_int(pg::exec_cached(transaction, "SELECT max(seq) FROM events WHERE org = $1", org)));
  return window;
}

size_t prune_events(pqxx::transaction_base& transaction, const EventRetention& retention, int64_t now_ms,
                    size_t batch) {
  const int64_t oldest = single_int(transaction.exec("SELECT min(seq) FROM events"));
  if (oldest == 0 || batch == 0) return 0;
  // Only the next `batch` sequences are looked at, as in store/sqlite: a round costs the same with a
  // backlog of millions (this runs in the writer's transaction).
  const int64_t window_end = oldest + static_cast<int64_t>(batch) - 1;
  int64_t through = 0;  // everything at or below goes
  if (retention.max_age_ms > 0) {
    through = single_int(pg::exec_cached(transaction, "SELECT max(seq) FROM events WHERE seq <= $1 AND time_ms < $2",
                                         window_end, now_ms - retention.max_age_ms));
  }
  if (retention.max_events > 0) {
    const int64_t newest = single_int(transaction.exec("SELECT max(seq) FROM events"));
    through = std::max(through, std::min(window_end, newest - retention.max_events));
  }
  if (through < oldest) return 0;
  const auto removed = static_cast<size_t>(
      single_int(pg::exec_cached(transaction, "SELECT count(*) FROM events WHERE seq <= $1", through)));
  prune_through(transaction, through);
  return removed;
}

void erase_org_events(pqxx::transaction_base& transaction, const std::string& org) {
  pg::exec_cached(
      transaction,
      "INSERT INTO events_pruned (org, pruned_through) SELECT org, max(seq) FROM events WHERE org = $1 GROUP BY org "
      "ON CONFLICT (org) DO UPDATE SET pruned_through = GREATEST(events_pruned.pruned_through, "
      "excluded.pruned_through)",
      org);
  pg::exec_cached(transaction, "DELETE FROM events WHERE org = $1", org);
}

}  // namespace edgesync::pg
