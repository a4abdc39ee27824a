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
  // A node polls one request at a time, so a new poll means that the client of any older poll still
  // parked here has gone: an edge cuts its long-poll short to send something, and the cloud learns of
  // the closed connection only when it answers. An older poll left waiting would take the next
  // notification when it is woken and record its delivery attempt, answering nobody, while the live
  // poll waited for the retry (seen as ~1 s stalls in the propagation benchmark). begin_poll() makes a
  // new poll the node's current one and wakes the older ones; is_current_poll() tells a woken poll to
  // answer nothing. Only for the SPI poll: an org's event stream has many legitimate readers.
  uint64_t begin_poll(const NodeAddress& node);
  bool is_current_poll(const NodeAddress& node, uint64_t poll) const;
  // Wakes every waiter now and every later one at once (shutdown).
  void stop();
  size_t waiting() const;
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

  mutable std::mutex mutex_;
  std::map<NodeAddress, Entry> entries_;
  bool stopped_ = false;
};

}  // namespace edgesync
