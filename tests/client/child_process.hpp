// ChildProcess: runs a program of this build (edgesyncctl, the examples) for the client tests, with
// stdout and stderr captured in files and an optional stdin file; waits for it with deadlines and
// kills it on destruction if it is still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edgesync::test {

class ChildProcess {
 public:
  struct Options {
    std::filesystem::path stdin_file;                              // empty: /dev/null
    std::vector<std::pair<std::string, std::string>> environment;  // added to the parent's
    std::filesystem::path working_dir;                             // empty: the parent's
  };
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
               const std::filesystem::path& output_dir, Options options);
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
               const std::filesystem::path& output_dir)
      : ChildProcess(program, args, output_dir, Options{}) {}
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The exit code, or nullopt if it is still running at the deadline (killed by signal: 128 + signal).
  std::optional<int> wait(std::chrono::milliseconds deadline = std::chrono::seconds(60));
  void signal(int number);  // e.g. SIGTERM, to a running child
  std::string out() const;
  std::string err() const;
  const std::filesystem::path& out_path() const { return out_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs to completion (60 s deadline, then a failed Run with exit_code -1).
Run run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                const std::filesystem::path& output_dir, ChildProcess::Options options = {});

}  // namespace edgesync::test
