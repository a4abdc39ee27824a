// GroupCommit: the one writer of a PostgreSQL store, sharing each transaction (and its COMMIT, the WAL
// flush every write waits for) between every write queued while the previous one was in flight.
//
// The same contract as store/sqlite's GroupCommit: submit() queues a step and its completion; the
// writer thread takes everything queued (up to max_batch_writes), BEGINs, runs each step in its own
// savepoint (an error Status or an exception rolls back that step alone), COMMITs once, then runs the
// after-commit actions of the steps that succeeded and calls every completion. A failed COMMIT or a
// transaction lost with its connection fails every write of the batch.
// Connection loss: the writer reconnects at the next batch (BEGIN on a connection found broken is
// retried once on a new one, nothing having been sent yet); while the server is unreachable every write
// fails with kUnavailable, and a connection lost during COMMIT fails its batch with kIoError (the
// outcome is unknown). submit(), close() and the statistics are safe from any thread; steps, actions and
// completions run on the writer thread and must not wait for another write.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "common/status.hpp"
#include "server/metrics/metrics.hpp"
#include "server/store/postgres/connection.hpp"
#include "server/store/store.hpp"

namespace edgesync::pg {

// What a write asks to run once the commit that holds it is durable.
using AfterCommitActions = std::vector<std::function<void()>>;

// One write: runs on the writer thread inside its own savepoint of the batch's transaction.
using GroupCommitStep = std::function<Status(pqxx::transaction_base& transaction, AfterCommitActions& after_commit)>;

class GroupCommit {
 public:
  // Starts the writer thread; the connection is (re)opened on demand.
  GroupCommit(std::unique_ptr<Connection> connection, uint32_t max_batch_writes);
  ~GroupCommit();  // close()
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs inside every batch's transaction after its steps, just before COMMIT (the cross-instance
  // notices, store/cluster.hpp). Set before the first submit(); an exception fails the batch.
  void set_before_commit(std::function<void(pqxx::transaction_base&)> hook) { before_commit_ = std::move(hook); }

  // Queues a write. After close() the completion runs at once, on the caller's thread, with kUnavailable.
  void submit(GroupCommitStep step, WriteCompletion on_durable);

  // Stops accepting writes, finishes the queued ones, joins the writer thread and closes the
  // connection. Idempotent; the first call blocks until the queue is drained.
  void close();

  // Statistics (for tests and metrics, never for control).
  uint64_t commit_count() const { return commit_count_.load(); }
  uint64_t largest_batch() const { return largest_batch_.load(); }
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
  // Runs every step and commits; returns the batch's status (OK when committed).
  Status run_transaction(std::vector<PendingWrite>& batch, std::vector<Status>& results,
                         std::vector<AfterCommitActions>& after_commit);

  const uint32_t max_batch_writes_;
  std::unique_ptr<Connection> connection_;  // the writer thread's alone until it is joined
  std::function<void(pqxx::transaction_base&)> before_commit_;

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<PendingWrite> queue_;
  bool closing_ = false;

  std::mutex close_mutex_;
  std::thread writer_thread_;
  std::thread::id writer_thread_id_;

  std::atomic<uint64_t> commit_count_{0};
  std::atomic<uint64_t> largest_batch_{0};
  metrics::Gauge queued_;
  metrics::Histogram batch_sizes_{kBatchSizeBounds, 1};
  metrics::Histogram commit_micros_{metrics::kLatencyBoundsMicros, metrics::kMicrosPerSecond};

  static constexpr std::array<uint64_t, 11> kBatchSizeBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
};

}  // namespace edgesync::pg
