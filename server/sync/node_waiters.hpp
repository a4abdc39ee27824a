// NodeWaiters: the in-memory half of long-polling. A poll that finds nothing to do waits here for its
// node; a commit that gives the node work wakes it (after the commit is durable, so the woken poll reads
// what woke it). A generation number per node closes the gap between "read: nothing pending" and
// "start waiting": a wake in between is seen, not lost.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/cluster.hpp"
#include "server/store/delivery.hpp"

namespace boost::asio {
template <typename Clock, typename WaitTraits, typename Executor>
class basic_waitable_timer;
}

namespace edgesync {

// The event stream's long-polls reuse NodeWaiters with one key per org (no node is addressed by an empty
// type and ID): a committed event wakes the readers of its org's stream.
inline NodeAddress event_stream_key(const std::string& org) {
  return {org, "", ""};
}

class WriteTransaction;

class NodeWaiters {
 public:
  NodeWaiters() = default;
  NodeWaiters(const NodeWaiters&) = delete;
  NodeWaiters& operator=(const NodeWaiters&) = delete;

  // Read before looking for work; pass to wait().
  uint64_t generation(const NodeAddress& node);
  // Returns when the node is woken after `seen`, when `timeout` passes, or at stop(). True when woken.
  boost::asio::awaitable<bool> wait(const NodeAddress& node, uint64_t seen, std::chrono::milliseconds timeout);
  // Thread-safe; cheap when nobody waits.
  void wake(const NodeAddress& node);
  // Every node of the org (its event stream too, keyed by org), and every node: for the wake-ups of
  // other instances that said less than which node (store/cluster.hpp).
  void wake_org(const std::string& org);
  void wake_all();
  // A node polls one request at a time, so a new poll means that the client of any older poll still
  // parked here has gone: an edge cuts its long-poll short to send something, and the cloud learns of
  // the closed connection only when it answers. An older poll left waiting would take the next
  // notification when it is woken and record its delivery attempt, answering nobody, while the live
  // poll waited for the retry (seen as ~1 s stalls in the propagation benchmark). begin_poll() makes a
  // new poll the node's current one and wakes the older ones; is_current_poll() tells a woken poll to
  // answer nothing. Only for the SPI poll: an org's event stream has many legitimate readers.
  uint64_t begin_poll(const NodeAddress& node);
  bool is_current_poll(const NodeAddress& node, uint64_t poll) const;
  // The node's other session requests prove the same: an edgesync edge sends its notifications,
  // pings and registrations on the connection of its poll, one request at a time, so any of them
  // means that a poll still parked has no client. (Not its data GETs, remote queries or metasync:
  // those have their own connections, beside a live poll.) Wakes the parked polls to answer nothing.
  void retire_polls(const NodeAddress& node) { (void)begin_poll(node); }
  // Wakes every waiter now and every later one at once (shutdown).
  void stop();
  size_t waiting() const;
  bool stopped() const;
  // Is a poll of this node parked here right now (the node is alive even if it said nothing lately)?
  bool is_waiting(const NodeAddress& node) const;

 private:
  struct Waiter;
  struct Entry {
    uint64_t generation = 0;
    uint64_t current_poll = 0;
    std::vector<std::shared_ptr<Waiter>> waiters;
  };
  // Marks every waiter of the entry woken and returns them, for cancel_timers() outside the lock.
  static std::vector<std::shared_ptr<Waiter>> take_woken(Entry& entry);
  static void cancel_timers(const std::vector<std::shared_ptr<Waiter>>& woken);
  uint64_t generation_locked(const NodeAddress& node) const;

  mutable std::mutex mutex_;
  std::map<NodeAddress, Entry> entries_;
  std::map<std::string, uint64_t> org_wakes_;  // wake_org() calls per org
  uint64_t all_wakes_ = 0;                     // wake_all() calls
  bool stopped_ = false;
};

// Wakes the node's long-polls once the write commits: this instance's with an after-commit action, the
// other instances' (a shared database) through the store's notice in the same commit.
void wake_after_commit(WriteTransaction& transaction, NodeWaiters& waiters, const NodeAddress& node);

// Hands the wakes of another instance's commit (store/cluster.hpp) to the nodes' polls and the event
// streams they name.
void wake_for_notice(const ClusterNotice& notice, NodeWaiters& polls, NodeWaiters& event_streams);

}  // namespace edgesync
