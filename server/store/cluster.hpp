// What several edgesync instances sharing one database need from their store: an id each, wake-ups
// that cross instances, and leases that let exactly one of them run the background duties.
//
// Wake-ups: a waiter (an edge's long-poll, an event-stream reader) is woken in-process by an
// after-commit action of the write that gave it work. A shared store also carries that wake, inside
// the same transaction, to every other instance (PostgreSQL NOTIFY, delivered only if it commits), and
// hands what arrives from the others to the ClusterNoticeListener. A single-node store (SQLite) has no
// others: it delivers nothing and every default below describes a lone instance.
//
// Leases: a named lease has one holder at a time, until its expiry by the database's clock; renewing
// keeps the epoch, a takeover raises it. The epoch is the fencing token: a write made for a duty checks
// it (WriteTransaction::check_lease) and fails once another instance has taken over, so a paused old
// holder cannot write after being replaced.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "server/store/delivery.hpp"

namespace edgesync {

// What commits of other instances woke. Quick to act on: the waiters re-read what they wait for.
struct ClusterNotice {
  bool everything = false;              // every waiter (a notice too large to say more, or some were missed)
  std::vector<std::string> orgs;        // every waiter of these orgs: nodes' polls and event streams
  std::vector<std::string> event_orgs;  // the event streams of these orgs
  std::vector<NodeAddress> nodes;       // these nodes' polls
};

// Called on the store's own listening thread; must be quick and must not throw.
using ClusterNoticeListener = std::function<void(const ClusterNotice& notice)>;

struct LeaseState {
  bool held = false;     // by the instance that asked
  int64_t holder = 0;    // the instance holding it (0: nobody ever did)
  int64_t epoch = 0;     // raised at every change of holder: the fencing token
  int64_t valid_ms = 0;  // how long the holder keeps it without renewing (by the database's clock)
};

}  // namespace edgesync
