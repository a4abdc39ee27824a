#include "tests/support/postgres_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

namespace edgesync::test {
namespace fs = std::filesystem;
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

// A port the kernel just handed out on 127.0.0.1 and released: free unless someone takes it in the
// meantime (start() reports a server that could not bind).
uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// Everything a child needs, built before fork(): after it, only async-signal-safe calls are allowed
// (the test process has threads).
struct ChildCommand {
  std::vector<std::string> args;
  std::vector<std::string> environment;
  std::string log_file;
  std::string work_dir;
  bool drop_privileges = false;
  uid_t uid = 0;
  gid_t gid = 0;
  bool die_with_parent = false;
};

pid_t spawn(const ChildCommand& command) {
  std::vector<char*> argv;
  for (const auto& arg : command.args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& variable : command.environment) envp.push_back(const_cast<char*>(variable.c_str()));
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child.
  const int log = ::open(command.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (log >= 0) {
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::close(log);
  }
  const int null = ::open("/dev/null", O_RDONLY);
  if (null >= 0) ::dup2(null, STDIN_FILENO);
  if (command.drop_privileges) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(command.gid) != 0 || ::setuid(command.uid) != 0) ::_exit(126);
  }
  // After the credential change, which clears it: the server must not outlive a crashed test.
  if (command.die_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::chdir(command.work_dir.c_str()) != 0) ::_exit(126);
  ::execve(argv[0], argv.data(), envp.data());
  ::_exit(127);
}

// Waits for the child's exit until the deadline; its status, or nothing when it is still running.
std::optional<int> wait_exit(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

fs::path PostgresCluster::bin_dir() {
  if (const char* configured = std::getenv("EDGESYNC_POSTGRES_BIN")) return configured;
  return "/usr/lib/postgresql/15/bin";
}

bool PostgresCluster::binaries_installed() {
  return ::access((bin_dir() / "initdb").c_str(), X_OK) == 0 && ::access((bin_dir() / "postgres").c_str(), X_OK) == 0;
}

Result<std::unique_ptr<PostgresCluster>> PostgresCluster::create() {
  if (!binaries_installed()) {
    return Status::unavailable("PostgreSQL is not installed (no initdb/postgres in " + bin_dir().string() +
                               "); apt-get install postgresql, or set EDGESYNC_POSTGRES_BIN");
  }
  std::unique_ptr<PostgresCluster> cluster(new PostgresCluster());
  if (Status status = cluster->init(); !status) return status;
  // A port taken between free_port() and the server's bind: try another one.
  Status started;
  for (int attempt = 0; attempt < 3; ++attempt) {
    cluster->port_ = free_port();
    started = cluster->start();
    if (started) return cluster;
  }
  return started;
}

Status PostgresCluster::init() {
  std::string pattern = (fs::temp_directory_path() / "edgesync-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return Status::unavailable("cannot create a temporary directory");
  dir_ = pattern;
  if (::geteuid() == 0) {
    const passwd* nobody = ::getpwnam("nobody");
    if (nobody == nullptr)
      return Status::unavailable("running as root and there is no user `nobody` to run PostgreSQL");
    drop_privileges_ = true;
    run_uid_ = nobody->pw_uid;
    run_gid_ = nobody->pw_gid;
    if (::chown(dir_.c_str(), run_uid_, run_gid_) != 0) {
      return Status::unavailable("cannot hand " + dir_.string() + " to the user nobody");
    }
  }
  ChildCommand initdb;
  initdb.args = {(bin_dir() / "initdb").string(),
                 "--pgdata=" + (dir_ / "data").string(),
                 "--username=postgres",
                 "--auth=trust",
                 "--encoding=UTF8",
                 "--locale=C",
                 "--no-sync",
                 "--no-instructions"};
  initdb.environment = {"PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=" + dir_.string()};
  initdb.log_file = (dir_ / "initdb.log").string();
  initdb.work_dir = dir_.string();
  initdb.drop_privileges = drop_privileges_;
  initdb.uid = run_uid_;
  initdb.gid = run_gid_;
  const pid_t pid = spawn(initdb);
  if (pid < 0) return Status::unavailable("cannot fork initdb");
  const auto status = wait_exit(pid, std::chrono::steady_clock::now() + std::chrono::seconds(120));
  if (!status) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return Status::unavailable("initdb did not finish within 120 s");
  }
  if (*status != 0) {
    std::ifstream log(dir_ / "initdb.log");
    std::stringstream text;
    text << log.rdbuf();
    return Status::unavailable("initdb failed (" + describe_exit(*status) + "): " + text.str());
  }
  return Status::ok();
}

PostgresCluster::~PostgresCluster() {
  (void)stop();
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

Status PostgresCluster::start(std::chrono::seconds deadline) {
  if (running()) return Status::ok();
  ChildCommand server;
  // fsync off: a throwaway cluster need not survive a power cut, and the machine is shared.
  server.args = {(bin_dir() / "postgres").string(),
                 "-D",
                 (dir_ / "data").string(),
                 "-k",
                 dir_.string(),
                 "-h",
                 "127.0.0.1",
                 "-p",
                 std::to_string(port_),
                 "-c",
                 "fsync=off",
                 "-c",
                 "full_page_writes=off",
                 "-c",
                 "max_connections=200"};
  server.environment = {"PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=" + dir_.string()};
  server.log_file = (dir_ / "server.log").string();
  server.work_dir = dir_.string();
  server.drop_privileges = drop_privileges_;
  server.uid = run_uid_;
  server.gid = run_gid_;
  server.die_with_parent = true;
  pid_ = spawn(server);
  if (pid_ < 0) {
    pid_ = -1;
    return Status::unavailable("cannot fork postgres");
  }
  const std::string ping = "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres user=postgres";
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (PQping(ping.c_str()) == PQPING_OK) return Status::ok();
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::unavailable("postgres exited while starting (" + describe_exit(status) + "): " + log_tail());
    }
    if (std::chrono::steady_clock::now() >= until) {
      (void)stop();
      return Status::unavailable("postgres did not accept connections within " + std::to_string(deadline.count()) +
                                 " s: " + log_tail());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Status PostgresCluster::stop(std::chrono::seconds deadline) {
  if (!running()) return Status::ok();
  ::kill(pid_, SIGINT);  // fast shutdown
  auto status = wait_exit(pid_, std::chrono::steady_clock::now() + deadline);
  if (!status) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return Status::unavailable("postgres did not stop within " + std::to_string(deadline.count()) + " s; killed");
  }
  pid_ = -1;
  return Status::ok();
}

std::string PostgresCluster::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

namespace {

Status admin_command(const std::string& url, const std::string& sql) {
  PGconn* connection = PQconnectdb(url.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection);
    PQfinish(connection);
    return Status::unavailable("cannot connect to the test cluster: " + message);
  }
  PGresult* result = PQexec(connection, sql.c_str());
  Status status;
  if (PQresultStatus(result) != PGRES_COMMAND_OK) status = Status::io_error(sql + ": " + PQerrorMessage(connection));
  PQclear(result);
  PQfinish(connection);
  return status;
}

}  // namespace

Result<std::string> PostgresCluster::create_database() {
  const std::string name = "edgesync_test_" + std::to_string(::getpid()) + "_" + std::to_string(next_database_++);
  // FILE_COPY: with fsync off, copying the template's files is quicker than WAL-logging them.
  if (Status status = admin_command(url(), "CREATE DATABASE " + name + " STRATEGY = FILE_COPY"); !status) return status;
  return name;
}

Status PostgresCluster::drop_database(const std::string& name) {
  return admin_command(url(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

std::string PostgresCluster::log_tail() const {
  std::ifstream log(dir_ / "server.log");
  std::vector<std::string> lines;
  for (std::string line; std::getline(log, line);) lines.push_back(line);
  std::string tail;
  for (size_t i = lines.size() > 20 ? lines.size() - 20 : 0; i < lines.size(); ++i) tail += lines[i] + "\n";
  return tail.empty() ? "(the server wrote no log)" : tail;
}

}  // namespace edgesync::test
