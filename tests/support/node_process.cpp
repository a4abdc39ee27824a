#include "tests/support/node_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace edgesync::test {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

pid_t spawn(const std::vector<std::string>& args, const fs::path& output_file) {
  std::vector<char*> argv;
  std::string binary = EDGESYNC_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copies = args;
  for (auto& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

std::optional<int> reap(pid_t pid, bool block) {
  int status = 0;
  const pid_t done = ::waitpid(pid, &status, block ? 0 : WNOHANG);
  if (done != pid) return std::nullopt;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

TempDir::TempDir() {
  std::random_device random;
  path_ = fs::temp_directory_path() / ("edgesync-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

RunResult run_edgesync(const std::vector<std::string>& args, std::chrono::seconds deadline) {
  TempDir dir;
  const fs::path output = dir.path() / "output.txt";
  const pid_t pid = spawn(args, output);
  RunResult result;
  std::optional<int> code;
  if (!wait_until([&] { return (code = reap(pid, false)).has_value(); }, deadline)) {
    ::kill(pid, SIGKILL);
    code = reap(pid, true);
  }
  result.exit_code = code.value_or(-1);
  result.output = read_file(output);
  return result;
}

NodeProcess::NodeProcess(const fs::path& data_dir, std::vector<std::string> args)
    : data_dir_(data_dir), args_(std::move(args)) {
  start();
}

void NodeProcess::start() {
  static int counter = 0;
  log_file_ = data_dir_.parent_path() / (data_dir_.filename().string() + "-" + std::to_string(++counter) + ".log");
  std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--data-dir", data_dir_.string()};
  // Tests name their authenticator when they care; the rest use MMS's dummy scheme (app key = identity).
  if (std::find(args_.begin(), args_.end(), "--auth") == args_.end()) {
    args.push_back("--auth");
    args.push_back("dummy");
  }
  args.insert(args.end(), args_.begin(), args_.end());
  pid_ = spawn(args, log_file_);
  const std::regex port_line(R"(listening on 127\.0\.0\.1:(\d+))");
  std::smatch match;
  const bool started = wait_until([&] {
    if (exit_code_ = reap(pid_, false); exit_code_) return true;
    const std::string text = read_file(log_file_);
    if (!std::regex_search(text, match, port_line)) return false;
    port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
    return true;
  });
  if (!started || port_ == 0) {
    const std::string text = read_file(log_file_);
    kill_hard();
    throw std::runtime_error("edgesync did not start:\n" + text);
  }
}

NodeProcess::~NodeProcess() {
  if (!running() && exit_code_.value_or(0) != 0 && !killed_by_test_) {
    // The node died on its own: its log is the only account of why.
    std::fprintf(stderr, "edgesync exited with %d; its log:\n%s\n", *exit_code_, log().c_str());
  }
  if (running()) terminate(std::chrono::seconds(10));
  if (running()) kill_hard();
}

std::string NodeProcess::log() const {
  return read_file(log_file_);
}

bool NodeProcess::running() {
  if (exit_code_ || pid_ <= 0) return false;
  exit_code_ = reap(pid_, false);
  return !exit_code_;
}

void NodeProcess::kill_hard() {
  if (!running()) return;
  killed_by_test_ = true;
  ::kill(pid_, SIGKILL);
  exit_code_ = reap(pid_, true);
}

int NodeProcess::terminate(std::chrono::seconds deadline) {
  if (running()) {
    killed_by_test_ = true;
    ::kill(pid_, SIGTERM);
    if (!wait_until([&] { return !running(); }, deadline)) kill_hard();
  }
  return exit_code_.value_or(-1);
}

}  // namespace edgesync::test
