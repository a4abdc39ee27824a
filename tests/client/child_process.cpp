#include "tests/client/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace edgesync::test {

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ChildProcess::ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
                           const std::filesystem::path& output_dir, Options options) {
  static std::atomic<int> counter{0};
  const std::string name =
      program.filename().string() + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  std::filesystem::create_directories(output_dir);
  out_ = output_dir / (name + ".out");
  err_ = output_dir / (name + ".err");
  std::vector<std::string> argv_strings{program.string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string in_path = options.stdin_file.empty() ? "/dev/null" : options.stdin_file.string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int in = ::open(in_path.c_str(), O_RDONLY);
    const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& [key, value] : options.environment) ::setenv(key.c_str(), value.c_str(), 1);
    if (!options.working_dir.empty() && ::chdir(options.working_dir.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds deadline) {
  if (exit_code_) return exit_code_;
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void ChildProcess::signal(int number) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, number);
}

std::string ChildProcess::out() const {
  return read_file(out_);
}

std::string ChildProcess::err() const {
  return read_file(err_);
}

Run run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                const std::filesystem::path& output_dir, ChildProcess::Options options) {
  ChildProcess child(program, args, output_dir, std::move(options));
  Run run;
  run.exit_code = child.wait().value_or(-1);
  run.out = child.out();
  run.err = child.err();
  return run;
}

}  // namespace edgesync::test
