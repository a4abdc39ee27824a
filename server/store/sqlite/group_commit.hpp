// GroupCommit: the one writer of a SQLite database, sharing each commit (and its fsync) between every
// write queued while the previous commit was in flight.
//
// It owns the write connection and a writer thread. submit() queues a step and its completion; the
// thread takes everything queued (up to max_batch_writes), opens BEGIN IMMEDIATE, runs each step in its
// own SAVEPOINT (an error Status or an exception rolls back that step alone), COMMITs once, then runs the
// after-commit actions of the steps that succeeded and calls every completion. A failed COMMIT, or a
// transaction SQLite rolled back on its own (disk full, I/O error), fails every write of the batch with
// kIoError. Steps of one batch share the connection, so a step sees the writes of the steps before it.
// submit(), close() and the statistics are safe from any thread; steps, actions and completions run on
// the writer thread and must not wait for another write (that would deadlock the writer).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.hpp"
#include "server/metrics/metrics.hpp"
#include "server/store/sqlite/connection.hpp"
#include "server/store/store.hpp"

namespace edgesync {

// What a write asks to run once the commit that holds it is durable.
using AfterCommitActions = std::vector<std::function<void()>>;

// One write: runs on the writer thread with the write connection, inside its own savepoint.
using GroupCommitStep = std::function<Status(Connection& connection, AfterCommitActions& after_commit)>;

class GroupCommit {
 public:
  // Starts the writer thread. The connection must be open read-write with no transaction active.
  GroupCommit(std::unique_ptr<Connection> connection, uint32_t max_batch_writes);
  ~GroupCommit();  // close()
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues a write. After close() the completion runs at once, on the caller's thread, with kUnavailable.
  void submit(GroupCommitStep step, WriteCompletion on_durable);

  // Stops accepting writes, finishes the queued ones, joins the writer thread, checkpoints the WAL and
  // closes the connection. Idempotent; the first call blocks until the queue is drained.
  void close();

  // Statistics (for tests and metrics, never for control): successful COMMITs so far, and the largest
  // number of writes that shared one transaction.
  uint64_t commit_count() const { return commit_count_.load(); }
  uint64_t largest_batch() const { return largest_batch_.load(); }
  // Writes queued and not yet taken into a batch; writes per transaction; time of each COMMIT (the
  // fsync), in microseconds.
  int64_t queued() const { return queued_.value(); }
  const metrics::Histogram& batch_sizes() const { return batch_sizes_; }
  const metrics::Histogram& commit_micros() const { return commit_micros_; }

 private:
  struct PendingWrite {
    GroupCommitStep step;
    WriteCompletion on_durable;
  };

  void write_loop();
  void run_batch(std::vector<PendingWrite>& batch);
  // Runs one step in its savepoint. Sets `transaction_lost` when the savepoint could not be cleaned up or
  // SQLite ended the whole transaction: nothing of the batch may then be reported as written.
  Status run_step(GroupCommitStep& step, AfterCommitActions& after_commit, bool& transaction_lost);
  void rollback_quietly();
  SQLite::Database& database() const { return connection_->database(); }

  const uint32_t max_batch_writes_;
  std::unique_ptr<Connection> connection_;  // the writer thread's alone until it is joined

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<PendingWrite> queue_;
  bool closing_ = false;

  std::mutex close_mutex_;  // serialises close() so that a second caller waits for the first to finish
  std::thread writer_thread_;
  std::thread::id writer_thread_id_;  // fixed at construction, so close() may compare without a race

  std::atomic<uint64_t> commit_count_{0};
  std::atomic<uint64_t> largest_batch_{0};
  metrics::Gauge queued_;
  metrics::Histogram batch_sizes_{kBatchSizeBounds, 1};
  metrics::Histogram commit_micros_{metrics::kLatencyBoundsMicros, metrics::kMicrosPerSecond};

  static constexpr std::array<uint64_t, 11> kBatchSizeBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
};

}  // namespace edgesync
