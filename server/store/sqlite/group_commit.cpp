#include "server/store/sqlite/group_commit.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <algorithm>
#include <chrono>
#include <exception>

namespace edgesync {
namespace {

Status database_error(const char* what, const std::exception& error) {
  return Status::io_error(std::string(what) + ": " + error.what());
}

// Actions and completions belong to callers; one that throws must not take the writer thread down
// (every later write would hang), so it is logged and the batch goes on.
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
  // A completion that closes the store cannot join its own thread; the owner's close() or the
  // destructor, on another thread, finishes the job.
  if (std::this_thread::get_id() == writer_thread_id_) return;
  std::lock_guard lock(close_mutex_);
  if (writer_thread_.joinable()) writer_thread_.join();
  if (!connection_) return;
  try {
    // Folds the WAL back into the database so that the next start does not replay it.
    database().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const SQLite::Exception& error) {
    spdlog::warn("store: checkpoint at close failed: {}", error.what());
  }
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
    batch.clear();  // let go of what the steps captured now, not at the next batch
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
    // IMMEDIATE: take the write lock now, so that no step fails half-way on a lock held elsewhere.
    database().exec("BEGIN IMMEDIATE");
  } catch (const SQLite::Exception& error) {
    batch_status = database_error("cannot start a transaction", error);
  }
  for (size_t i = 0; batch_status.is_ok() && i < batch.size(); ++i) {
    bool transaction_lost = false;
    results[i] = run_step(batch[i].step, after_commit[i], transaction_lost);
    if (transaction_lost) {
      batch_status = Status::io_error("the database rolled back the transaction: " + results[i].message());
    }
  }
  if (batch_status.is_ok()) {
    try {
      const auto commit_started = std::chrono::steady_clock::now();
      database().exec("COMMIT");  // the one fsync of the WAL that every write of the batch waits for
      commit_micros_.observe(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - commit_started)
              .count()));
      ++commit_count_;
    } catch (const SQLite::Exception& error) {
      batch_status = database_error("commit failed", error);
    }
  }
  if (!batch_status.is_ok()) {
    // A failed COMMIT can leave the transaction open (a deferred constraint); end it so the next batch
    // starts clean. Nothing of this batch was written: every write hears so, none of its actions run.
    rollback_quietly();
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

Status GroupCommit::run_step(GroupCommitStep& step, AfterCommitActions& after_commit, bool& transaction_lost) {
  try {
    database().exec("SAVEPOINT write_step");
  } catch (const SQLite::Exception& error) {
    transaction_lost = true;
    return database_error("cannot open a savepoint", error);
  }
  Status result;
  try {
    result = step(*connection_, after_commit);
  } catch (const SQLite::Exception& error) {
    result = database_error("database write failed", error);
  } catch (const std::exception& error) {
    result = Status::internal(std::string("write failed: ") + error.what());
  } catch (...) {
    result = Status::internal("write failed with an unknown exception");
  }
  if (!result.is_ok()) after_commit.clear();
  try {
    if (!result.is_ok()) database().exec("ROLLBACK TO write_step");
    database().exec("RELEASE write_step");
  } catch (const SQLite::Exception& error) {
    // The step's changes could not be undone or kept on their own; only dropping the whole
    // transaction is safe.
    transaction_lost = true;
    if (result.is_ok()) result = database_error("cannot end a savepoint", error);
  }
  // SQLite ends the transaction itself on some errors (SQLITE_FULL, SQLITE_IOERR, …); later steps
  // would then run in autocommit mode, outside the batch.
  if (sqlite3_get_autocommit(database().getHandle()) != 0) transaction_lost = true;
  return result;
}

void GroupCommit::rollback_quietly() {
  if (sqlite3_get_autocommit(database().getHandle()) != 0) return;  // no transaction left to end
  try {
    database().exec("ROLLBACK");
  } catch (const SQLite::Exception& error) {
    spdlog::error("store: rollback failed: {}", error.what());
  }
}

}  // namespace edgesync
