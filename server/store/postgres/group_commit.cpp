#include "server/store/postgres/group_commit.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <pqxx/pqxx>

namespace edgesync::pg {
namespace {

// Actions and completions belong to callers; one that throws must not take the writer thread down.
template <class Call>
void call_guarded(const char* what, Call&& call) {
  try {
    call();
  } catch (const std::exception& error) {
    spdlog::error("store: {} threw: {}", what, error.what());
  } catch (...) {
    spdlog::error("store: {} threw an unknown exception", what);
  }
}

// Thrown out of a step's savepoint when the whole transaction is gone with it.
struct TransactionLost {
  Status status;
};

}  // namespace

GroupCommit::GroupCommit(std::unique_ptr<Connection> connection, uint32_t max_batch_writes)
    : max_batch_writes_(std::max<uint32_t>(1, max_batch_writes)), connection_(std::move(connection)) {
  writer_thread_ = std::thread([this] { write_loop(); });
  writer_thread_id_ = writer_thread_.get_id();
}

GroupCommit::~GroupCommit() {
  close();
}

void GroupCommit::submit(GroupCommitStep step, WriteCompletion on_durable) {
  {
    std::lock_guard lock(queue_mutex_);
    if (!closing_) {
      queue_.push_back({std::move(step), std::move(on_durable)});
      queued_.add(1);
      queue_ready_.notify_one();
      return;
    }
  }
  on_durable(Status::unavailable("the store is closed"));
}

void GroupCommit::close() {
  {
    std::lock_guard lock(queue_mutex_);
    closing_ = true;
    queue_ready_.notify_all();
  }
  // A completion that closes the store cannot join its own thread; the owner's close() finishes the job.
  if (std::this_thread::get_id() == writer_thread_id_) return;
  std::lock_guard lock(close_mutex_);
  if (writer_thread_.joinable()) writer_thread_.join();
  connection_.reset();
}

void GroupCommit::write_loop() {
  std::vector<PendingWrite> batch;
  while (true) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_ready_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and every queued write is done
      const size_t count = std::min<size_t>(queue_.size(), max_batch_writes_);
      for (size_t i = 0; i < count; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_.add(-static_cast<int64_t>(count));
    }
    run_batch(batch);
    batch.clear();
  }
}

void GroupCommit::run_batch(std::vector<PendingWrite>& batch) {
  uint64_t largest = largest_batch_.load();
  while (batch.size() > largest && !largest_batch_.compare_exchange_weak(largest, batch.size())) {
  }
  batch_sizes_.observe(batch.size());

  std::vector<Status> results(batch.size());
  std::vector<AfterCommitActions> after_commit(batch.size());
  Status batch_status;
  try {
    batch_status = run_transaction(batch, results, after_commit);
  } catch (const TransactionLost& lost) {
    batch_status = lost.status;
  } catch (const std::exception& error) {
    batch_status = database_error("the write transaction failed", error);
  }
  if (!batch_status.is_ok()) {
    // The transaction is gone (rolled back when it left scope, or with its connection). The connection
    // may be broken without knowing it yet: the next batch starts on a fresh one.
    connection_->reset();
    for (size_t i = 0; i < batch.size(); ++i) {
      results[i] = batch_status;
      after_commit[i].clear();
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    for (auto& action : after_commit[i]) call_guarded("an after-commit action", action);
    call_guarded("a write completion", [&] { batch[i].on_durable(std::move(results[i])); });
  }
}

Status GroupCommit::run_transaction(std::vector<PendingWrite>& batch, std::vector<Status>& results,
                                    std::vector<AfterCommitActions>& after_commit) {
  std::optional<pqxx::work> transaction;
  // A connection the server dropped since the last batch (a restart, an idle timeout) is only found
  // out by using it; nothing has been sent yet, so one retry on a fresh connection is safe.
  for (int attempt = 0; !transaction; ++attempt) {
    try {
      transaction.emplace(connection_->get(), "group_commit");
    } catch (const std::exception& error) {
      connection_->reset();
      if (attempt > 0 || !connection_lost(error)) return database_error("cannot start a transaction", error);
    }
  }
  bool savepoint_open = false;  // the last step's, kept: the COMMIT releases it
  for (size_t i = 0; i < batch.size(); ++i) {
    // Savepoints by hand: libpqxx 6's subtransaction only sends its SAVEPOINT on a plain exec(), not
    // before exec_params(), so a step's statements would land outside it. The previous step's RELEASE
    // travels with this step's SAVEPOINT: one round trip per step instead of two.
    try {
      transaction->exec(savepoint_open ? "RELEASE SAVEPOINT write_step; SAVEPOINT write_step" : "SAVEPOINT write_step");
      savepoint_open = true;
    } catch (const std::exception& error) {
      throw TransactionLost{database_error("cannot open a savepoint", error)};
    }
    Status result;
    try {
      result = batch[i].step(*transaction, after_commit[i]);
    } catch (const pqxx::failure& error) {
      if (connection_lost(error)) throw TransactionLost{database_error("database write failed", error)};
      result = database_error("database write failed", error);
    } catch (const std::exception& error) {
      result = Status::internal(std::string("write failed: ") + error.what());
    } catch (...) {
      result = Status::internal("write failed with an unknown exception");
    }
    try {
      // A failed statement left the transaction unusable up to the savepoint: roll back to it, which
      // undoes this step alone.
      if (!result.is_ok()) {
        transaction->exec("ROLLBACK TO SAVEPOINT write_step; RELEASE SAVEPOINT write_step");
        savepoint_open = false;
      }
    } catch (const std::exception& error) {
      // The step's changes could not be undone or kept on their own: only dropping the whole
      // transaction is safe.
      throw TransactionLost{database_error("cannot end a savepoint", error)};
    }
    if (!result.is_ok()) after_commit[i].clear();
    results[i] = std::move(result);
  }
  if (before_commit_) before_commit_(*transaction);
  const auto commit_started = std::chrono::steady_clock::now();
  transaction->commit();  // the one WAL flush every write of the batch waits for
  commit_micros_.observe(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - commit_started)
          .count()));
  ++commit_count_;
  return Status::ok();
}

}  // namespace edgesync::pg
