#include "client/ctl/context.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "client/ctl/progress_bar.hpp"

namespace edgesync::ctl {

const char* exit_codes_help() {
  return "Exit codes: 0 success, 2 bad command line, 3 not found (404), 4 forbidden (401/403),\n"
         "5 refused by the server (other 4xx), 6 server error (5xx or unreadable answer),\n"
         "7 server unreachable (connection, TLS, timeout), 8 local file error.\n"
         "--user takes KEY or KEY:SECRET. Settings come from flags, else EDGESYNC_URL, EDGESYNC_ORG, EDGESYNC_USER, "
         "EDGESYNC_SECRET,\n"
         "EDGESYNC_CA_FILE, else the config file (--config, EDGESYNC_CONFIG, or\n"
         "~/.config/edgesync/ctl.conf) holding `key: value` lines for url, org, user, secret, ca_file.";
}

void add_global_options(CLI::App& app, Settings& settings) {
  app.add_option("--url", settings.url,
                 "Server URL: http(s)://host:port, or unix:///path.sock / secure-unix:///path.sock for an edge")
      ->envname("EDGESYNC_URL");
  app.add_option("--org", settings.org, "Organization (cloud only; leave empty for an edge)")->envname("EDGESYNC_ORG");
  app.add_option("--user", settings.user, "App key (user name), or key:secret")->envname("EDGESYNC_USER");
  app.add_option("--secret", settings.secret, "App secret (password)")->envname("EDGESYNC_SECRET");
  app.add_option("--ca-file", settings.ca_file, "PEM file of the CA to trust for https")->envname("EDGESYNC_CA_FILE");
  app.add_option("--config", settings.config_file, "Config file (default ~/.config/edgesync/ctl.conf)")
      ->envname("EDGESYNC_CONFIG");
  app.add_option("-o,--output", settings.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_flag("-q,--quiet", settings.quiet, "No progress bar");
}

void Context::load_config_file() {
  std::string path = settings.config_file;
  const bool explicit_file = !path.empty();
  if (path.empty()) {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    if (xdg && *xdg) {
      path = std::string(xdg) + "/edgesync/ctl.conf";
    } else if (home && *home) {
      path = std::string(home) + "/.config/edgesync/ctl.conf";
    }
  }
  if (path.empty()) return;
  std::ifstream in(path);
  if (!in) {
    if (explicit_file) throw client::Error(client::ErrorKind::kInvalidInput, 0, "Cannot read config file " + path);
    return;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    const size_t colon = line.find(':', start);
    if (colon == std::string::npos)
      throw client::Error(client::ErrorKind::kInvalidInput, 0,
                          path + ":" + std::to_string(number) + ": expected `key: value`");
    std::string key = line.substr(start, colon - start);
    std::string value = line.substr(colon + 1);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.pop_back();
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    std::string* target = key == "url"       ? &settings.url
                          : key == "org"     ? &settings.org
                          : key == "user"    ? &settings.user
                          : key == "secret"  ? &settings.secret
                          : key == "ca_file" ? &settings.ca_file
                                             : nullptr;
    if (!target)
      throw client::Error(
          client::ErrorKind::kInvalidInput, 0,
          path + ":" + std::to_string(number) + ": unknown key " + key + " (expected url, org, user, secret, ca_file)");
    if (target->empty()) *target = value;  // flags and environment win
  }
}

client::SyncClient& Context::client() {
  if (client_) return *client_;
  load_config_file();
  if (const size_t colon = settings.user.find(':'); colon != std::string::npos && settings.secret.empty()) {
    settings.secret = settings.user.substr(colon + 1);  // key:secret, as curl -u and hzn -u
    settings.user.resize(colon);
  }
  client::ClientOptions options;
  options.url = settings.url.empty() ? "http://localhost:8080" : settings.url;
  options.org = settings.org;
  options.app_key = settings.user;
  options.app_secret = settings.secret;
  options.ca_file = settings.ca_file;
  client_ = std::make_unique<client::SyncClient>(options);
  return *client_;
}

void Context::print_json(const nlohmann::json& value) const {
  std::cout << value.dump(2) << "\n";
}

client::ProgressCallback Context::progress(const std::string& label, uint64_t total) {
  if (settings.quiet || !::isatty(STDERR_FILENO)) return nullptr;
  auto bar = std::make_shared<ProgressBar>(label, total);
  progress_shown_ = true;
  return [bar](const client::Progress& progress) { bar->update(progress.bytes); };
}

void Context::finish_progress() {
  if (progress_shown_) std::cerr << "\n";
  progress_shown_ = false;
}

nlohmann::json to_json(const client::ObjectMetadata& m) {
  nlohmann::json out = nlohmann::json::object();
  if (!m.extra_json.empty()) {
    out = nlohmann::json::parse(m.extra_json, nullptr, false);
    if (!out.is_object()) out = nlohmann::json::object();
  }
  out["objectType"] = m.object_type;
  out["objectID"] = m.object_id;
  out["destinationOrgID"] = m.destination_org_id;
  out["destinationType"] = m.destination_type;
  out["destinationID"] = m.destination_id;
  out["destinationsList"] = m.destinations_list ? nlohmann::json(*m.destinations_list) : nlohmann::json();
  out["expiration"] = m.expiration;
  out["version"] = m.version;
  out["description"] = m.description;
  out["link"] = m.link;
  out["inactive"] = m.inactive;
  out["activationTime"] = m.activation_time;
  out["doNotSend"] = m.do_not_send;
  out["noData"] = m.no_data;
  out["metaOnly"] = m.meta_only;
  out["consumers"] = m.consumers;
  out["destinationDataUri"] = m.destination_data_uri;
  out["sourceDataUri"] = m.source_data_uri;
  out["autodelete"] = m.autodelete;
  out["originID"] = m.origin_id;
  out["originType"] = m.origin_type;
  out["deleted"] = m.deleted;
  out["instanceID"] = m.instance_id;
  out["objectSize"] = m.object_size;
  return out;
}

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      line += cell;
      if (i + 1 < header.size()) line += std::string(widths[i] - cell.size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

}  // namespace edgesync::ctl
