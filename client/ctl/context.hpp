// What every edgesyncctl command shares: the connection settings (flags, then EDGESYNC_* environment
// variables, then the config file), the output format, and the exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <edgesync/client.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace edgesync::ctl {

// Exit codes (documented in `edgesyncctl --help`).
enum ExitCode : int {
  kOk = 0,
  kUsage = 2,        // bad command line
  kNotFound = 3,     // the server answered 404
  kForbidden = 4,    // 401/403: credentials or permissions
  kRejected = 5,     // any other 4xx: the server refused the request (message printed)
  kServerError = 6,  // 5xx, or an answer the client cannot read
  kUnreachable = 7,  // no answer: connection refused, TLS failure, timeout
  kLocalError = 8,   // a local file could not be read or written
};

const char* exit_codes_help();

struct Settings {
  std::string url;
  std::string org;
  std::string user;
  std::string secret;
  std::string ca_file;
  std::string config_file;
  std::string output = "table";  // table | json
  bool quiet = false;
};

class Context {
 public:
  Settings settings;

  // The client, built on first use from the settings completed by the config file.
  client::SyncClient& client();
  bool json() const { return settings.output == "json"; }
  // Prints a JSON value (json output) on stdout.
  void print_json(const nlohmann::json& value) const;
  // A progress bar on stderr, or nullptr when stderr is not a terminal (or --quiet).
  client::ProgressCallback progress(const std::string& label, uint64_t total);
  void finish_progress();

 private:
  void load_config_file();
  std::unique_ptr<client::SyncClient> client_;
  bool progress_shown_ = false;
};

// Adds --url, --org, --user, --secret, --ca-file, --config, --output, --quiet to the app.
void add_global_options(CLI::App& app, Settings& settings);

// The command groups (one file each).
void add_object_commands(CLI::App& app, Context& context);
void add_webhook_commands(CLI::App& app, Context& context);
void add_node_commands(CLI::App& app, Context& context);
void add_acl_commands(CLI::App& app, Context& context);
void add_health_command(CLI::App& app, Context& context);
void add_watch_command(CLI::App& app, Context& context);

// Metadata as the JSON the server speaks (for --output json).
nlohmann::json to_json(const client::ObjectMetadata& metadata);

// Rows of text as an aligned table with a header row.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace edgesync::ctl
