// NodeProcess: a real `edgesync` process for integration tests, on 127.0.0.1 with an ephemeral port
// and its own temporary data directory. The constructor waits (with a deadline) for the fixed
// "listening on HOST:PORT" log line; the destructor stops the process (SIGTERM, then SIGKILL) and
// removes the directory unless told to keep it.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edgesync::test {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs the edgesync binary with args to completion (for --help, bad configs…), with a deadline.
RunResult run_edgesync(const std::vector<std::string>& args, std::chrono::seconds deadline = std::chrono::seconds(30));

class NodeProcess {
 public:
  // args are appended to `--listen 127.0.0.1:0 --data-dir <dir>`.
  NodeProcess(const std::filesystem::path& data_dir, std::vector<std::string> args);
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log() const;  // everything the process wrote so far

  void kill_hard();                                                         // SIGKILL and reap
  int terminate(std::chrono::seconds deadline = std::chrono::seconds(30));  // SIGTERM; exit code
  bool running();

 private:
  void start();
  std::filesystem::path data_dir_;
  std::vector<std::string> args_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::optional<int> exit_code_;
  bool killed_by_test_ = false;
};

// Waits until predicate() is true, polling every few milliseconds; false at the deadline.
template <class Predicate>
bool wait_until(Predicate predicate, std::chrono::milliseconds deadline = std::chrono::milliseconds(20000));

}  // namespace edgesync::test

#include <thread>

template <class Predicate>
bool edgesync::test::wait_until(Predicate predicate, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return predicate();
}
