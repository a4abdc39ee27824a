#include "server/store/sqlite/event_rows.hpp"

#include <algorithm>

namespace edgesync::sqlite_rows {
namespace {

constexpr const char* kEventColumns =
    "seq, org, time_ms, type, object_type, object_id, instance_id, dest_type, dest_id, status, previous_status, "
    "detail";

Event read_event(SQLite::Statement& statement) {
  Event event;
  event.seq = statement.getColumn(0).getInt64();
  event.org = statement.getColumn(1).getString();
  event.time_ms = statement.getColumn(2).getInt64();
  event.type = statement.getColumn(3).getString();
  event.object_type = statement.getColumn(4).getString();
  event.object_id = statement.getColumn(5).getString();
  event.instance_id = statement.getColumn(6).getInt64();
  event.dest_type = statement.getColumn(7).getString();
  event.dest_id = statement.getColumn(8).getString();
  event.status = statement.getColumn(9).getString();
  event.previous_status = statement.getColumn(10).getString();
  event.detail = statement.getColumn(11).getString();
  return event;
}

int64_t single_int(Connection& connection, const std::string& sql, const std::string* org = nullptr) {
  auto statement = connection.statement(sql);
  if (org) statement->bind(1, *org);
  if (!statement->executeStep() || statement->getColumn(0).isNull()) return 0;
  return statement->getColumn(0).getInt64();
}

// Moves the marks of every org with events at or below `through` up to their newest such event, then
// drops those events: the mark and the removal commit together.
void prune_through(Connection& connection, int64_t through) {
  auto marks = connection.statement(
      "INSERT INTO events_pruned (org, pruned_through) SELECT org, max(seq) FROM events WHERE seq <= ? GROUP BY org "
      "ON CONFLICT (org) DO UPDATE SET pruned_through = max(pruned_through, excluded.pruned_through)");
  marks->bind(1, through);
  marks->exec();
  auto removal = connection.statement("DELETE FROM events WHERE seq <= ?");
  removal->bind(1, through);
  removal->exec();
}

}  // namespace

int64_t insert_event(Connection& connection, const Event& event) {
  auto statement = connection.statement(
      "INSERT INTO events (org, time_ms, type, object_type, object_id, instance_id, dest_type, dest_id, status, "
      "previous_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  statement->bind(1, event.org);
  statement->bind(2, event.time_ms);
  statement->bind(3, event.type);
  statement->bind(4, event.object_type);
  statement->bind(5, event.object_id);
  statement->bind(6, event.instance_id);
  statement->bind(7, event.dest_type);
  statement->bind(8, event.dest_id);
  statement->bind(9, event.status);
  statement->bind(10, event.previous_status);
  statement->bind(11, event.detail);
  statement->exec();
  return connection.database().getLastInsertRowid();
}

std::vector<Event> select_events(Connection& connection, const std::string& org, int64_t after_seq, size_t limit) {
  auto statement = connection.statement(std::string("SELECT ") + kEventColumns +
                                        " FROM events WHERE org = ? AND seq > ? ORDER BY seq LIMIT ?");
  statement->bind(1, org);
  statement->bind(2, after_seq);
  statement->bind(3, static_cast<int64_t>(limit));
  std::vector<Event> events;
  while (statement->executeStep()) events.push_back(read_event(*statement));
  return events;
}

EventWindow select_event_window(Connection& connection, const std::string& org) {
  EventWindow window;
  window.pruned_through = single_int(connection, "SELECT pruned_through FROM events_pruned WHERE org = ?", &org);
  window.last_seq =
      std::max(window.pruned_through, single_int(connection, "SELECT max(seq) FROM events WHERE org = ?", &org));
  return window;
}

size_t prune_events(Connection& connection, const EventRetention& retention, int64_t now_ms, size_t batch) {
  const int64_t oldest = single_int(connection, "SELECT min(seq) FROM events");
  if (oldest == 0 || batch == 0) return 0;
  // Only the next `batch` sequences are looked at: every statement below walks at most that range of
  // the primary key, so a round costs the same with a backlog of millions (this runs in the writer's
  // transaction). Times follow sequences closely (both grow with every commit), so the oldest events
  // by sequence are the oldest by time.
  const int64_t window_end = oldest + static_cast<int64_t>(batch) - 1;
  int64_t through = 0;  // everything at or below goes
  if (retention.max_age_ms > 0) {
    auto statement = connection.statement("SELECT max(seq) FROM events WHERE seq <= ? AND time_ms < ?");
    statement->bind(1, window_end);
    statement->bind(2, now_ms - retention.max_age_ms);
    if (statement->executeStep() && !statement->getColumn(0).isNull()) through = statement->getColumn(0).getInt64();
  }
  if (retention.max_events > 0) {
    // By sequence, not by count: at most max_events are kept (fewer where an org's deletion left a gap).
    const int64_t newest = single_int(connection, "SELECT max(seq) FROM events");
    through = std::max(through, std::min(window_end, newest - retention.max_events));
  }
  if (through < oldest) return 0;
  auto counted = connection.statement("SELECT count(*) FROM events WHERE seq <= ?");
  counted->bind(1, through);
  counted->executeStep();
  const auto removed = static_cast<size_t>(counted->getColumn(0).getInt64());
  prune_through(connection, through);
  return removed;
}

void erase_org_events(Connection& connection, const std::string& org) {
  auto marks = connection.statement(
      "INSERT INTO events_pruned (org, pruned_through) SELECT org, max(seq) FROM events WHERE org = ? GROUP BY org "
      "ON CONFLICT (org) DO UPDATE SET pruned_through = max(pruned_through, excluded.pruned_through)");
  marks->bind(1, org);
  marks->exec();
  auto removal = connection.statement("DELETE FROM events WHERE org = ?");
  removal->bind(1, org);
  removal->exec();
}

}  // namespace edgesync::sqlite_rows
