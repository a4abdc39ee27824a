// Connection: one PostgreSQL connection that (re)connects on first use and after it broke.
//
// The server may restart or a network path drop at any time; a store must then answer with a clear
// Status and work again once the server is back, without a restart of its own. So a Connection keeps
// its URL and connects lazily: get() returns the open connection or makes a new one (throwing
// pqxx::broken_connection when the server cannot be reached), and reset() drops one found broken.
// Not thread-safe: one thread at a time (the writer thread, or the holder of a pooled reader).
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "common/status.hpp"

namespace edgesync::pg {

class Connection {
 public:
  explicit Connection(std::string url) : url_(std::move(url)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The open connection; connects first when there is none. Throws pqxx::broken_connection.
  pqxx::connection& get();
  // Forgets the connection (closing it); the next get() connects anew.
  void reset() { connection_.reset(); }
  bool connected() const { return connection_ && connection_->is_open(); }

 private:
  std::string url_;
  std::unique_ptr<pqxx::connection> connection_;
};

// Checks a connection string (a postgresql:// URL or "key=value …") without connecting: kInvalidArgument
// naming the problem when libpq cannot parse it.
Status check_connection_url(const std::string& url);

// "host:port/dbname" of a connection string, for messages: never its password.
std::string describe_target(const std::string& url);

// Whether the error means the session is gone: libpq lost the connection, or the server ended it
// (SQLSTATE class 08, connection exception, and 57P0x: shutdown, crash, terminated by an administrator).
bool connection_lost(const std::exception& error);

// A database exception as a Status: a lost or unreachable server is kUnavailable (the store works again
// once it is back), a commit whose outcome is unknown and every other database error kIoError.
Status database_error(const std::string& what, const std::exception& error);

// The name a statement is prepared under: derived from its text, so every call site of one statement
// shares one server-side plan per connection.
std::string statement_name(const std::string& sql);

// Runs `sql` with its parameters as a prepared statement of the transaction's connection (prepared on
// its first use there, again after a reconnect): the server parses and plans each statement once per
// session instead of at every call, which is most of its CPU for the short statements of a write.
// `sql` must come from a bounded set of texts (literals, or literals joined with fixed column lists):
// each distinct text stays prepared for the connection's life.
template <class... Args>
pqxx::result exec_cached(pqxx::transaction_base& transaction, const std::string& sql, Args&&... args) {
  const std::string name = statement_name(sql);
  transaction.conn().prepare(name, sql);  // defines it once; the same definition again is a no-op
  return transaction.exec_prepared(name, std::forward<Args>(args)...);
}

// A nullable parameter: nullptr binds SQL NULL. `text` must outlive the statement.
inline const char* nullable(const std::optional<std::string>& text) {
  return text ? text->c_str() : nullptr;
}

}  // namespace edgesync::pg
