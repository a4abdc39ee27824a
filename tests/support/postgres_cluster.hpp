// PostgresCluster: a throwaway PostgreSQL server for tests — initdb into a fresh temporary directory,
// `postgres` on a free 127.0.0.1 port with its socket directory inside that directory, stopped (fast
// shutdown) and removed on destruction.
//
// PostgreSQL refuses to run as root, so when the test runs as root the server and initdb run as the
// unprivileged user `nobody` (the directory is chowned to it). Starting waits, with a deadline, until
// the server accepts connections; a failure says why, with the end of the server's log. Not
// thread-safe: one test thread drives it.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/status.hpp"

namespace edgesync::test {

class PostgresCluster {
 public:
  // Where Debian's postgresql-15 puts initdb and postgres.
  static std::filesystem::path bin_dir();
  static bool binaries_installed();

  // initdb, then start(). kUnavailable with the reason (and the server's log) when it cannot.
  static Result<std::unique_ptr<PostgresCluster>> create();
  ~PostgresCluster();  // stop(), then remove the directory
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // Starts the server on the same directory and port (after stop()); waits until it accepts connections.
  Status start(std::chrono::seconds deadline = std::chrono::seconds(60));
  // Fast shutdown (SIGINT: open sessions are cut), waiting until the server has exited.
  Status stop(std::chrono::seconds deadline = std::chrono::seconds(60));
  bool running() const { return pid_ > 0; }

  uint16_t port() const { return port_; }
  // A postgresql:// URL of a database of this cluster (as the superuser `postgres`, trusted).
  std::string url(const std::string& database = "postgres") const;
  // Creates a fresh, empty database with a unique name; returns its name.
  Result<std::string> create_database();
  // Drops the database, ending its open sessions. OK when absent.
  Status drop_database(const std::string& name);
  std::string log_tail() const;  // the last lines the server wrote (for failure messages)

 private:
  PostgresCluster() = default;
  Status init();

  std::filesystem::path dir_;  // owned by the server's user; holds data/, the socket and the log
  uid_t run_uid_ = 0;          // whom initdb and postgres run as (nobody when we are root)
  gid_t run_gid_ = 0;
  bool drop_privileges_ = false;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  int next_database_ = 0;
};

}  // namespace edgesync::test
