// Connection: one SQLite connection and the prepared statements it keeps for reuse.
//
// Preparing a statement costs more than running a small one, and the writer thread runs every write of
// the node, so each connection keeps its statements prepared, keyed by their SQL. A borrowed statement
// is reset when its handle goes out of scope: a statement left mid-step would hold a read transaction
// open and stop WAL checkpoints. Owns the database handle; the statements are finalised before it is
// closed. Not thread-safe: one thread at a time (the writer thread, or the holder of a pooled reader).
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <map>
#include <memory>
#include <string>

namespace edgesync {

class Connection {
 public:
  // A prepared statement borrowed from the cache; reset when the handle is destroyed.
  class StatementHandle {
   public:
    StatementHandle(SQLite::Statement* cached, bool* in_use) : statement_(cached), in_use_(in_use) {}
    explicit StatementHandle(std::unique_ptr<SQLite::Statement> one_off)
        : owned_(std::move(one_off)), statement_(owned_.get()) {}
    ~StatementHandle() {
      statement_->tryReset();
      if (in_use_ != nullptr) *in_use_ = false;
    }
    StatementHandle(const StatementHandle&) = delete;
    StatementHandle& operator=(const StatementHandle&) = delete;
    SQLite::Statement& operator*() const { return *statement_; }
    SQLite::Statement* operator->() const { return statement_; }

   private:
    std::unique_ptr<SQLite::Statement> owned_;
    SQLite::Statement* statement_;
    bool* in_use_ = nullptr;
  };

  explicit Connection(std::unique_ptr<SQLite::Database> database) : database_(std::move(database)) {}
  ~Connection() { statements_.clear(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  SQLite::Database& database() const { return *database_; }

  // The statement for `sql`, prepared once. A statement already borrowed (the same SQL nested in
  // itself) is prepared afresh for this use rather than shared.
  StatementHandle statement(const std::string& sql) {
    auto found = statements_.find(sql);
    if (found == statements_.end()) {
      // Statements built from filters come in a bounded number of shapes; the cap only guards
      // against a caller that builds unbounded SQL.
      if (statements_.size() >= kMaxCachedStatements) {
        std::erase_if(statements_, [](const auto& entry) { return !entry.second.in_use; });
      }
      found = statements_.emplace(sql, Cached{std::make_unique<SQLite::Statement>(*database_, sql), false}).first;
    }
    Cached& cached = found->second;
    if (cached.in_use) return StatementHandle(std::make_unique<SQLite::Statement>(*database_, sql));
    cached.in_use = true;
    return StatementHandle(cached.statement.get(), &cached.in_use);
  }

 private:
  static constexpr size_t kMaxCachedStatements = 64;

  struct Cached {
    std::unique_ptr<SQLite::Statement> statement;
    bool in_use = false;
  };

  std::unique_ptr<SQLite::Database> database_;
  std::map<std::string, Cached> statements_;  // declared after database_: destroyed first
};

}  // namespace edgesync
