// edgesync: one binary, a cloud (CSS) or an edge (ESS) node. Reads the configuration, opens the
// store, serves the REST API until SIGINT/SIGTERM, then shuts down gracefully: in-flight requests
// finish, queued writes commit, the database closes cleanly.
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "common/config.hpp"
#include "common/logging.hpp"
#include "server/api/api_handler.hpp"
#include "server/auth/secret_hash.hpp"
#include "server/http/io_pool.hpp"
#include "server/http/server.hpp"
#include "server/node/node.hpp"

namespace {

using namespace edgesync;

struct Overrides {
  std::string config_file, mode, listen, data_dir, org, dest_type, dest_id, cloud_url, auth, auth_file, log_level,
      log_format;
  std::string tls_cert_file, tls_key_file, unix_socket, unix_socket_mode, cloud_ca_file;
};

// Exit code 2: bad command line or configuration (the message names what is wrong).
[[noreturn]] void fail_configuration(const std::string& message) {
  std::cerr << "edgesync: " << message << "\n";
  std::exit(2);
}

Config resolve_config(const Overrides& given) {
  Config config;
  if (!given.config_file.empty()) {
    auto loaded = load_config_file(given.config_file);
    if (!loaded) fail_configuration(loaded.status().message());
    config = std::move(*loaded);
  }
  if (!given.mode.empty()) {
    if (given.mode != "cloud" && given.mode != "edge") fail_configuration("--mode: must be cloud or edge");
    config.mode = given.mode == "cloud" ? NodeMode::kCloud : NodeMode::kEdge;
  }
  if (!given.auth.empty()) {
    if (given.auth != "dummy" && given.auth != "preset") fail_configuration("--auth: must be dummy or preset");
    config.auth = given.auth == "dummy" ? AuthKind::kDummy : AuthKind::kPreset;
  }
  auto apply = [](const std::string& value, std::string& target) {
    if (!value.empty()) target = value;
  };
  apply(given.listen, config.listen);
  apply(given.data_dir, config.data_dir);
  apply(given.org, config.org);
  apply(given.dest_type, config.dest_type);
  apply(given.dest_id, config.dest_id);
  apply(given.cloud_url, config.cloud_url);
  apply(given.auth_file, config.auth_file);
  apply(given.log_level, config.log_level);
  apply(given.log_format, config.log_format);
  apply(given.tls_cert_file, config.http.tls.cert_file);
  apply(given.tls_key_file, config.http.tls.key_file);
  apply(given.unix_socket, config.http.unix_socket);
  apply(given.cloud_ca_file, config.uplink.ca_file);
  if (!given.unix_socket_mode.empty()) {
    auto mode = parse_file_mode(given.unix_socket_mode);
    if (!mode) fail_configuration("--unix-socket-mode: " + mode.status().message());
    config.http.unix_socket_mode = *mode;
  }
  if (Status status = validate_config(config); !status) fail_configuration(status.message());
  return config;
}

// `edgesync hash-secret`: reads a secret from stdin (never the command line, which `ps` shows) and
// prints the hash for the credentials file.
int hash_secret_command(uint32_t iterations) {
  std::string secret;
  if (!std::getline(std::cin, secret) || secret.empty()) {
    std::cerr << "edgesync hash-secret: give the secret on the first line of stdin\n";
    return 2;
  }
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  std::cout << hash_secret(secret, iterations) << "\n";
  return 0;
}

// Every connection is a file descriptor; distributions start services with a soft limit of 1,024,
// which a few hundred idle clients would exhaust. The hard limit is what the administrator allows.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) {
    spdlog::debug("open file limit raised from {} to {}", before, limit.rlim_cur);
  } else {
    spdlog::warn("cannot raise the open file limit above {}: {}", before, std::strerror(errno));
  }
}

int serve(const Config& config) {
  namespace fs = std::filesystem;
  raise_open_file_limit();
  std::error_code fs_error;
  fs::create_directories(config.data_dir, fs_error);
  if (fs_error) fail_configuration("data_dir: cannot create " + config.data_dir + ": " + fs_error.message());

  auto opened = Node::open(config);
  if (!opened) {
    if (opened.status().code() == StatusCode::kInvalidArgument) fail_configuration(opened.status().message());
    spdlog::critical("{}", opened.status().message());
    return 1;
  }
  Node& node = **opened;
  boost::asio::io_context& io = node.io();
  http::IoPool io_threads(io, node.io_threads());  // declared before the servers: it outlives them
  auto server = http::HttpServer::create(io, config.http, config.listen, node.api(), &io_threads);
  if (!server) {
    spdlog::critical("cannot listen: {}", server.status().message());
    return 1;
  }
  // Local applications may reach the node through a Unix socket too: same API, same auth.
  std::unique_ptr<http::HttpServer> unix_server;
  if (!config.http.unix_socket.empty()) {
    auto created = http::HttpServer::create_unix(io, config.http, node.api(), &io_threads);
    if (!created) {
      spdlog::critical("cannot listen: {}", created.status().message());
      return 1;
    }
    unix_server = std::move(*created);
  }

  // Tests and scripts parse this line for the port: keep its shape.
  spdlog::info("edgesync {} listening on {}:{}{}", to_string(config.mode), (*server)->host(), (*server)->port(),
               (*server)->tls() ? " (https)" : "");
  if (unix_server)
    spdlog::info("edgesync {} serving on the Unix socket {} (mode {:04o})", to_string(config.mode), unix_server->host(),
                 config.http.unix_socket_mode);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
    if (error) return;
    spdlog::info("signal {}: shutting down", signal_number);
    node.stop();
    // The io_context stops when the last listener has no connection left (on one of its threads).
    auto listening = std::make_shared<std::atomic<int>>(unix_server ? 2 : 1);
    auto on_stopped = [&io_threads, listening] {
      if (--*listening == 0) io_threads.stop();
    };
    (*server)->stop(on_stopped);
    if (unix_server) unix_server->stop(on_stopped);
  });

  (*server)->start();
  if (unix_server) unix_server->start();
  node.start();
  io_threads.run();

  node.close();
  spdlog::info("edgesync stopped cleanly");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"edgesync: cloud-to-edge object sync service (cloud or edge node)"};
  app.set_version_flag("--version", std::string("edgesync ") + EDGESYNC_VERSION);
  Overrides given;
  app.add_option("--config", given.config_file, "YAML configuration file (see deploy/conf)");
  app.add_option("--mode", given.mode, "cloud | edge");
  app.add_option("--listen", given.listen, "HOST:PORT to serve on (port 0 picks a free port)");
  app.add_option("--data-dir", given.data_dir, "directory for the database and object data");
  app.add_option("--org", given.org, "organization of this edge node");
  app.add_option("--dest-type", given.dest_type, "destination type of this edge node");
  app.add_option("--dest-id", given.dest_id, "destination ID of this edge node");
  app.add_option("--cloud-url", given.cloud_url, "base URL of the cloud node (edge)");
  app.add_option("--auth", given.auth, "authenticator: dummy | preset");
  app.add_option("--auth-file", given.auth_file, "credentials file of the authenticator");
  app.add_option("--log-level", given.log_level, "trace | debug | info | warn | error | critical | off");
  app.add_option("--log-format", given.log_format, "text | json (one JSON object per line)");
  app.add_option("--tls-cert-file", given.tls_cert_file, "PEM certificate chain: serve HTTPS (with --tls-key-file)");
  app.add_option("--tls-key-file", given.tls_key_file, "PEM private key of the --tls-cert-file certificate");
  app.add_option("--unix-socket", given.unix_socket, "also serve the REST API on this Unix socket path");
  app.add_option("--unix-socket-mode", given.unix_socket_mode, "file mode of the Unix socket, octal (default 0660)");
  app.add_option("--cloud-ca-file", given.cloud_ca_file, "PEM CAs trusted for an https cloud URL (edge)");
  uint32_t iterations = kDefaultSecretHashIterations;
  CLI::App* hash_command =
      app.add_subcommand("hash-secret", "print the salted hash of the secret read from stdin (for auth.file)");
  hash_command->add_option("--iterations", iterations, "PBKDF2-SHA256 iterations")
      ->check(CLI::Range(kMinSecretHashIterations, 100'000'000u));
  CLI11_PARSE(app, argc, argv);
  if (*hash_command) return hash_secret_command(iterations);

  const Config config = resolve_config(given);
  if (Status status = setup_logging(config.log_level, config.log_format); !status) fail_configuration(status.message());
  return serve(config);
}
