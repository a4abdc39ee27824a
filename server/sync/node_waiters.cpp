#include "server/sync/node_waiters.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/store/store.hpp"

namespace edgesync {

namespace asio = boost::asio;

struct NodeWaiters::Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  bool woken = false;  // under the NodeWaiters mutex
};

uint64_t NodeWaiters::generation_locked(const NodeAddress& node) const {
  // Wakes of the node's org and of everything count too: their sum only grows, and a node that had no
  // entry yet when its org was woken still sees the wake.
  auto found = entries_.find(node);
  auto org = org_wakes_.find(node.org);
  return (found == entries_.end() ? 0 : found->second.generation) + (org == org_wakes_.end() ? 0 : org->second) +
         all_wakes_;
}

uint64_t NodeWaiters::generation(const NodeAddress& node) {
  std::lock_guard lock(mutex_);
  return generation_locked(node);
}

asio::awaitable<bool> NodeWaiters::wait(const NodeAddress& node, uint64_t seen, std::chrono::milliseconds timeout) {
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_after(timeout);
  {
    std::lock_guard lock(mutex_);
    if (stopped_) co_return false;
    if (generation_locked(node) != seen) co_return true;  // woken between the caller's read and now
    entries_[node].waiters.push_back(waiter);
  }
  co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  std::lock_guard lock(mutex_);
  auto found = entries_.find(node);
  if (found != entries_.end()) {
    auto& waiters = found->second.waiters;
    waiters.erase(std::remove(waiters.begin(), waiters.end(), waiter), waiters.end());
  }
  co_return waiter->woken;
}

std::vector<std::shared_ptr<NodeWaiters::Waiter>> NodeWaiters::take_woken(Entry& entry) {
  for (auto& waiter : entry.waiters) waiter->woken = true;
  return entry.waiters;
}

void NodeWaiters::cancel_timers(const std::vector<std::shared_ptr<Waiter>>& woken) {
  // The timer belongs to its waiter's executor: cancel it there, not from this thread.
  for (auto& waiter : woken) {
    asio::post(waiter->timer.get_executor(), [waiter] { waiter->timer.cancel(); });
  }
}

void NodeWaiters::wake(const NodeAddress& node) {
  std::vector<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(mutex_);
    // Entries are never removed (one small entry per node): a wake must bump the generation even when
    // nobody waits yet, or a poll between its read and its wait would miss it.
    Entry& entry = entries_[node];
    ++entry.generation;
    woken = take_woken(entry);
  }
  cancel_timers(woken);
}

void NodeWaiters::wake_org(const std::string& org) {
  std::vector<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(mutex_);
    ++org_wakes_[org];
    // The org's addresses are contiguous in the map (ordered by org first).
    for (auto it = entries_.lower_bound(NodeAddress{org, "", ""}); it != entries_.end() && it->first.org == org; ++it) {
      auto taken = take_woken(it->second);
      woken.insert(woken.end(), taken.begin(), taken.end());
    }
  }
  cancel_timers(woken);
}

void NodeWaiters::wake_all() {
  std::vector<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(mutex_);
    ++all_wakes_;
    for (auto& [node, entry] : entries_) {
      auto taken = take_woken(entry);
      woken.insert(woken.end(), taken.begin(), taken.end());
    }
  }
  cancel_timers(woken);
}

uint64_t NodeWaiters::begin_poll(const NodeAddress& node) {
  std::vector<std::shared_ptr<Waiter>> woken;
  uint64_t poll = 0;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[node];
    poll = ++entry.current_poll;
    woken = take_woken(entry);  // all of them are older polls of the node
  }
  cancel_timers(woken);
  return poll;
}

bool NodeWaiters::is_current_poll(const NodeAddress& node, uint64_t poll) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(node);
  return found != entries_.end() && found->second.current_poll == poll;
}

void NodeWaiters::stop() {
  std::vector<std::shared_ptr<Waiter>> all;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [node, entry] : entries_) all.insert(all.end(), entry.waiters.begin(), entry.waiters.end());
  }
  cancel_timers(all);
}

bool NodeWaiters::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

size_t NodeWaiters::waiting() const {
  std::lock_guard lock(mutex_);
  size_t count = 0;
  for (const auto& [node, entry] : entries_) count += entry.waiters.size();
  return count;
}

bool NodeWaiters::is_waiting(const NodeAddress& node) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(node);
  return found != entries_.end() && !found->second.waiters.empty();
}

void wake_after_commit(WriteTransaction& transaction, NodeWaiters& waiters, const NodeAddress& node) {
  transaction.after_commit([&waiters, node] { waiters.wake(node); });
  transaction.notify_node(node);
}

void wake_for_notice(const ClusterNotice& notice, NodeWaiters& polls, NodeWaiters& event_streams) {
  if (notice.everything) {
    polls.wake_all();
    event_streams.wake_all();
    return;
  }
  for (const auto& org : notice.orgs) {
    polls.wake_org(org);
    event_streams.wake_org(org);
  }
  for (const auto& org : notice.event_orgs) event_streams.wake(event_stream_key(org));
  for (const auto& node : notice.nodes) polls.wake(node);
}

}  // namespace edgesync
