#include "server/store/postgres/connection.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <functional>
#include <pqxx/pqxx>

namespace edgesync::pg {

pqxx::connection& Connection::get() {
  if (connection_ && connection_->is_open()) {
    // A session the server ended meanwhile (a restart, pg_terminate_backend) is found out here, before
    // a statement goes out on it: reading what the server sent (its FATAL and the close) fails. Besides
    // saving a round trip, this avoids libpqxx 6.4 leaking the error result of a BEGIN sent on such a
    // session.
    try {
      connection_->get_notifs();
      return *connection_;
    } catch (const std::exception&) {
      connection_.reset();
    }
  }
  connection_.reset();
  auto fresh = std::make_unique<pqxx::connection>(url_);
  // CREATE … IF NOT EXISTS and friends say NOTICE; nothing below a warning is worth a log line.
  fresh->set_variable("client_min_messages", "warning");
  connection_ = std::move(fresh);
  return *connection_;
}

Status check_connection_url(const std::string& url) {
  if (url.empty()) return Status::invalid("the PostgreSQL connection URL is empty", "store.postgres.url");
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "out of memory";
    if (error != nullptr) PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Status::invalid("invalid PostgreSQL connection URL: " + message, "store.postgres.url");
  }
  PQconninfoFree(options);
  return Status::ok();
}

std::string describe_target(const std::string& url) {
  PQconninfoOption* options = PQconninfoParse(url.c_str(), nullptr);
  if (options == nullptr) return "(an unreadable URL)";
  std::string host = "localhost", port = "5432", dbname;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || *option->val == '\0') continue;
    const std::string keyword = option->keyword;
    if (keyword == "host" || keyword == "hostaddr") host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") dbname = option->val;
  }
  PQconninfoFree(options);
  return host + ":" + port + "/" + dbname;
}

bool connection_lost(const std::exception& error) {
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) return true;
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error);
  if (sql == nullptr) return false;
  const std::string& state = sql->sqlstate();
  return state.starts_with("08") || state.starts_with("57P");
}

Status database_error(const std::string& what, const std::exception& error) {
  std::string detail = error.what();
  while (!detail.empty() && detail.back() == '\n') detail.pop_back();
  if (dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) {
    return Status::io_error(what + ": the connection was lost during COMMIT, the outcome is unknown: " + detail);
  }
  if (connection_lost(error)) {
    return Status::unavailable(what + ": the PostgreSQL server is unreachable: " + detail);
  }
  return Status::io_error(what + ": " + detail);
}

std::string statement_name(const std::string& sql) {
  char name[24];
  std::snprintf(name, sizeof name, "es_%016zx", std::hash<std::string>{}(sql));
  return name;
}

}  // namespace edgesync::pg
