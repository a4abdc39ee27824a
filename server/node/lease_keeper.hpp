// LeaseKeeper: takes and keeps the lease of a cloud's background duties (activation, expiration, owner
// cascades, event pruning, lost nodes), so that of several instances on one database exactly one runs
// them, and a dead holder is replaced within the lease's time (store/cluster.hpp).
//
// Its own thread asks the store every third of the lease time: to renew while holding, to take over
// once the lease is free or expired. The holder counts its lease from before it asked (the database
// counts from later), so it stops believing it holds before the database lets anyone else take over;
// a holder that cannot renew in time just stops. Duties check holds() before a round, and their writes
// go through fenced_store(), which makes each check the epoch in its own transaction. On a store that
// is not shared (SQLite) the node always holds and nothing runs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/metrics/exposition.hpp"
#include "server/store/store.hpp"

namespace edgesync {

class LeaseKeeper {
 public:
  LeaseKeeper(Store& store, std::string name, std::chrono::milliseconds ttl);
  ~LeaseKeeper();  // stop()
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  void start();
  // Stops asking and gives the lease up, so another instance takes over at once. Idempotent.
  void stop();

  bool holds() const;  // held, and not past the time it was taken or renewed for
  int64_t epoch() const { return epoch_.load(); }
  int64_t instance_id() const { return instance_id_; }
  const std::string& name() const { return name_; }

  // The store as the duties write to it: every write first checks that this instance still holds the
  // lease at the epoch it had when the write was submitted, and fails (kConflict) otherwise.
  Store& fenced_store() { return *fenced_; }

  void write_metrics(metrics::Exposition& out) const;

 private:
  void run();
  void ask();
  int64_t steady_now_ns() const;

  Store& store_;
  const std::string name_;
  const std::chrono::milliseconds ttl_;
  const int64_t instance_id_;
  std::unique_ptr<Store> fenced_;

  std::atomic<bool> held_{false};
  std::atomic<int64_t> held_until_ns_{0};  // steady clock
  std::atomic<int64_t> epoch_{0};
  std::atomic<int64_t> holder_{0};  // the holder last seen
  std::atomic<uint64_t> acquired_{0};
  std::atomic<uint64_t> lost_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace edgesync
