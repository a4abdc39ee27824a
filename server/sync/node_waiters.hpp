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
  // Wakes every waiter now and every later one at once (shutdown).
  void stop();
  size_t waiting() const;
  // Is a poll of this node parked here right now (the node is alive even if it said nothing lately)?
  bool is_waiting(const NodeAddress& node) const;

 private:
  struct Waiter;
  struct Entry {
    uint64_t generation = 0;
    std::vector<std::shared_ptr<Waiter>> waiters;
  };
  mutable std::mutex mutex_;
  std::map<NodeAddress, Entry> entries_;
  bool stopped_ = false;
};

}  // namespace edgesync
