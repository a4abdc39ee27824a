#include "common/config.hpp"

#include <yaml-cpp/yaml.h>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <set>
#include <type_traits>

#include "common/names.hpp"

namespace edgesync {
namespace {

// Reads the YAML tree into Config, one known key at a time; every error starts with the dotted key.
class ConfigReader {
 public:
  explicit ConfigReader(Config& config) : config_(config) {}

  Status read(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) return Status::ok();  // an empty file: all defaults
    if (!root.IsMap()) return Status::invalid("the configuration must be a YAML mapping of keys", "");
    if (Status status = visit(root, ""); !status) return status;
    return Status::ok();
  }

 private:
  Status visit(const YAML::Node& map, const std::string& prefix) {
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) {
        const std::string section = prefix.empty() ? "config" : prefix.substr(0, prefix.size() - 1);
        return Status::invalid(section + ": keys must be plain names, not lists or maps", section);
      }
      const std::string key = prefix + entry.first.Scalar();
      // yaml-cpp keeps both entries of a repeated key; the second would silently win.
      if (!seen_keys_.insert(key).second) return Status::invalid(key + ": given more than once", key);
      const YAML::Node& value = entry.second;
      if (is_section(key)) {
        if (value.IsNull()) continue;  // a section whose keys are all commented out
        if (!value.IsMap()) return Status::invalid(key + ": must be a mapping of keys", key);
        if (Status status = visit(value, key + "."); !status) return status;
        continue;
      }
      if (Status status = assign(key, value); !status) return status;
    }
    return Status::ok();
  }

  static bool is_section(const std::string& key) {
    static const std::set<std::string> kSections = {
        "auth",   "log",       "http",     "store",         "objects",
        "owners", "reconcile", "meta",     "meta.sync",     "meta.sync.status",
        "uplink", "events",    "http.tls", "store.postgres"};
    return kSections.count(key) > 0;
  }

  Status assign(const std::string& key, const YAML::Node& value) {
    if (key == "mode") {
      std::string mode;
      if (Status s = text(key, value, mode); !s) return s;
      if (mode != "cloud" && mode != "edge") return Status::invalid(key + ": must be cloud or edge", key);
      config_.mode = mode == "cloud" ? NodeMode::kCloud : NodeMode::kEdge;
      return Status::ok();
    }
    if (key == "auth.type") {
      std::string kind;
      if (Status s = text(key, value, kind); !s) return s;
      if (kind != "dummy" && kind != "preset") return Status::invalid(key + ": must be dummy or preset", key);
      config_.auth = kind == "dummy" ? AuthKind::kDummy : AuthKind::kPreset;
      return Status::ok();
    }
    if (key == "listen") return text(key, value, config_.listen);
    if (key == "data_dir") return text(key, value, config_.data_dir);
    if (key == "org") return text(key, value, config_.org);
    if (key == "dest_type") return text(key, value, config_.dest_type);
    if (key == "dest_id") return text(key, value, config_.dest_id);
    if (key == "cloud_url") return text(key, value, config_.cloud_url);
    if (key == "auth.file") return text(key, value, config_.auth_file);
    if (key == "log.level") return text(key, value, config_.log_level);
    if (key == "log.format") return text(key, value, config_.log_format);
    if (key == "http.threads") return number(key, value, config_.http.threads, 0, 256);
    if (key == "http.max_header_bytes") return number(key, value, config_.http.max_header_bytes, 1024, 1 << 20);
    if (key == "http.max_metadata_bytes")
      return number(key, value, config_.http.max_metadata_bytes, uint64_t{1024}, uint64_t{1} << 30);
    if (key == "http.read_timeout_seconds") return number(key, value, config_.http.read_timeout_seconds, 1u, 86400u);
    if (key == "http.idle_timeout_seconds") return number(key, value, config_.http.idle_timeout_seconds, 1u, 86400u);
    if (key == "http.max_concurrent_transfers")
      return number(key, value, config_.http.max_concurrent_transfers, 1u, 100000u);
    if (key == "http.shutdown_grace_seconds") return number(key, value, config_.http.shutdown_grace_seconds, 0u, 3600u);
    if (key == "http.tls.cert_file") return text(key, value, config_.http.tls.cert_file);
    if (key == "http.tls.key_file") return text(key, value, config_.http.tls.key_file);
    if (key == "http.unix_socket") return text(key, value, config_.http.unix_socket);
    if (key == "http.unix_socket_mode") {
      std::string mode;
      if (Status s = text(key, value, mode); !s) return s;
      auto parsed = parse_file_mode(mode);
      if (!parsed) return Status::invalid(key + ": " + parsed.status().message(), key);
      config_.http.unix_socket_mode = *parsed;
      return Status::ok();
    }
    if (key == "store.chunk_size")
      return number(key, value, config_.store.chunk_size, uint64_t{4096}, uint64_t{1} << 30);
    if (key == "store.max_batch_writes") return number(key, value, config_.store.max_batch_writes, 1u, 100000u);
    if (key == "store.backend") {
      std::string backend;
      if (Status s = text(key, value, backend); !s) return s;
      if (backend != "sqlite" && backend != "postgres")
        return Status::invalid(key + ": must be sqlite or postgres (got " + backend + ")", key);
      config_.store.backend = backend == "sqlite" ? StoreBackend::kSqlite : StoreBackend::kPostgres;
      return Status::ok();
    }
    if (key == "store.postgres.url") return text(key, value, config_.store.postgres_url);
    if (key == "store.postgres.plugin") return text(key, value, config_.store.postgres_plugin);
    if (key == "store.postgres.lease_seconds") return number(key, value, config_.store.lease_seconds, 1u, 3600u);
    if (key == "objects.activation_interval_seconds")
      return number(key, value, config_.objects.activation_interval_seconds, 1u, 86400u);
    if (key == "objects.maintenance_interval_seconds")
      return number(key, value, config_.objects.maintenance_interval_seconds, 1u, 86400u);
    if (key == "owners.validation_timeout")
      return number(key, value, config_.owners.validation_timeout_seconds, 1u, 2592000u);
    if (key == "owners.check_interval_ms") return number(key, value, config_.owners.check_interval_ms, 10u, 3600000u);
    if (key == "owners.batch_size") return number(key, value, config_.owners.batch_size, 1u, 100000u);
    if (key == "reconcile.retry_initial_ms")
      return number(key, value, config_.reconcile.retry_initial_ms, 10u, 3600000u);
    if (key == "reconcile.retry_max_ms") return number(key, value, config_.reconcile.retry_max_ms, 10u, 86400000u);
    if (key == "uplink.long_poll_seconds") return number(key, value, config_.uplink.long_poll_seconds, 0u, 120u);
    if (key == "uplink.poll_interval_ms") return number(key, value, config_.uplink.poll_interval_ms, 10u, 3600000u);
    if (key == "uplink.max_backoff_ms") return number(key, value, config_.uplink.max_backoff_ms, 10u, 3600000u);
    if (key == "uplink.secret_file") return text(key, value, config_.uplink.secret_file);
    if (key == "uplink.ca_file") return text(key, value, config_.uplink.ca_file);
    if (key == "uplink.request_timeout_seconds")
      return number(key, value, config_.uplink.request_timeout_seconds, 1u, 3600u);
    if (key == "events.retention_seconds") return number(key, value, config_.events.retention_seconds, 0u, 315360000u);
    if (key == "events.max_events") return number(key, value, config_.events.max_events, 0u, 1000000000u);
    if (key == "events.prune_interval_ms") return number(key, value, config_.events.prune_interval_ms, 10u, 3600000u);
    if (key == "events.node_lost_seconds") return number(key, value, config_.events.node_lost_seconds, 0u, 31536000u);
    if (key == "meta.sync.status.interval")
      return number(key, value, config_.meta_sync_status_interval_seconds, 1u, 86400u);
    return Status::invalid("unknown key: " + key, key);
  }

  static Status text(const std::string& key, const YAML::Node& value, std::string& out) {
    if (!value.IsScalar()) return Status::invalid(key + ": must be a string", key);
    out = value.Scalar();
    return Status::ok();
  }

  template <class Integer>
  static Status number(const std::string& key, const YAML::Node& value, Integer& out,
                       std::type_identity_t<Integer> minimum, std::type_identity_t<Integer> maximum) {
    const std::string range = " between " + std::to_string(minimum) + " and " + std::to_string(maximum);
    if (!value.IsScalar()) return Status::invalid(key + ": must be an integer" + range, key);
    const std::string& scalar = value.Scalar();
    Integer parsed{};
    auto [end, error] = std::from_chars(scalar.data(), scalar.data() + scalar.size(), parsed);
    if (error != std::errc() || end != scalar.data() + scalar.size() || parsed < minimum || parsed > maximum)
      return Status::invalid(key + ": must be an integer" + range + " (got " + scalar + ")", key);
    out = parsed;
    return Status::ok();
  }

  Config& config_;
  std::set<std::string> seen_keys_;
};

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A hostname or IPv4 address (letters, digits, '-', '.'), or a bracketed IPv6 address ("[::1]", "[fe80::1%eth0]").
// Resolution is left to the listener; this only catches what can never be an address.
bool is_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const std::string_view inside = host.substr(1, host.size() - 2);
    const size_t zone = inside.find('%');
    const std::string_view address = inside.substr(0, zone);
    if (address.find(':') == std::string_view::npos) return false;
    for (char c : address)
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
    if (zone != std::string_view::npos) {
      const std::string_view zone_name = inside.substr(zone + 1);
      if (zone_name.empty()) return false;
      for (char c : zone_name)
        if (!(is_ascii_alnum(c) || c == '-' || c == '_' || c == '.')) return false;
    }
    return true;
  }
  if (host.empty()) return false;
  for (char c : host)
    if (!(is_ascii_alnum(c) || c == '-' || c == '.')) return false;
  return true;
}

Status check_listen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Status::invalid("listen: must be HOST:PORT (got " + listen + ")", "listen");
  const std::string host = listen.substr(0, colon);
  if (!is_host(host))
    return Status::invalid("listen: " + host + " is not a hostname, an IPv4 address or a [bracketed] IPv6 address",
                           "listen");
  const std::string port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return Status::invalid("listen: port must be a number from 0 to 65535 (got " + port_text + ")", "listen");
  return Status::ok();
}

// http://HOST[:PORT][/path] or https://…; the host part must be there and hold no spaces.
bool is_http_url(const std::string& url) {
  std::string_view rest;
  for (std::string_view scheme : {"http://", "https://"})
    if (url.rfind(scheme, 0) == 0) rest = std::string_view(url).substr(scheme.size());
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.front() == ':') return false;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  return true;
}

Status check_logging(const Config& config) {
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (kLevels.count(config.log_level) == 0)
    return Status::invalid(
        "log.level: must be trace, debug, info, warn, error, critical or off (got " + config.log_level + ")",
        "log.level");
  if (config.log_format != "text" && config.log_format != "json")
    return Status::invalid("log.format: must be text or json (got " + config.log_format + ")", "log.format");
  return Status::ok();
}

// Both files or neither: a certificate without its key (or the reverse) is a half-done setup, and
// serving plain HTTP instead would be a surprise.
Status check_tls(const TlsConfig& tls) {
  if (!tls.cert_file.empty() && tls.key_file.empty())
    return Status::invalid("http.tls.key_file: required with http.tls.cert_file", "http.tls.key_file");
  if (tls.cert_file.empty() && !tls.key_file.empty())
    return Status::invalid("http.tls.cert_file: required with http.tls.key_file", "http.tls.cert_file");
  return Status::ok();
}

}  // namespace

Result<uint32_t> parse_file_mode(std::string_view text) {
  const std::string quoted(text);
  uint32_t mode = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
  if (text.empty() || text.size() > 4 || error != std::errc() || end != text.data() + text.size() || mode > 0777)
    return Status::invalid("must be an octal file mode from 0000 to 0777, e.g. \"0660\" (got \"" + quoted + "\")");
  return mode;
}

std::string_view to_string(NodeMode mode) {
  return mode == NodeMode::kCloud ? "cloud" : "edge";
}

Result<Config> load_config_file(const std::string& path) {
  // A directory opens as a stream on Linux and fails only when read, with an ios_base::failure.
  std::error_code error_code;
  if (!std::filesystem::is_regular_file(path, error_code))
    return Status::invalid("cannot read the configuration file " + path + ": not a regular file", "config");
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::invalid("cannot read the configuration file " + path, "config");
  } catch (const YAML::Exception& error) {
    const std::string where = error.mark.is_null() ? "" : "line " + std::to_string(error.mark.line + 1) + ": ";
    return Status::invalid(path + ": " + where + error.msg, "config");
  } catch (const std::exception& error) {
    return Status::invalid("cannot read the configuration file " + path + ": " + error.what(), "config");
  }
  Config config;
  ConfigReader reader(config);
  try {
    // The key first (what to fix), then the file (where).
    if (Status status = reader.read(root); !status)
      return Status::invalid(status.message() + " (in " + path + ")", status.field());
  } catch (const std::exception& error) {
    return Status::invalid(path + ": " + error.what(), "config");
  }
  return config;
}

Status validate_config(const Config& config) {
  if (Status status = check_listen(config.listen); !status) return status;
  if (config.data_dir.empty()) return Status::invalid("data_dir: must not be empty", "data_dir");
  if (Status status = check_logging(config); !status) return status;
  if (Status status = check_tls(config.http.tls); !status) return status;
  if (config.store.backend == StoreBackend::kPostgres && config.store.postgres_url.empty())
    return Status::invalid("store.postgres.url: required with store.backend: postgres", "store.postgres.url");
  if (config.mode == NodeMode::kEdge) {
    const std::pair<const char*, const std::string*> identity[] = {
        {"org", &config.org}, {"dest_type", &config.dest_type}, {"dest_id", &config.dest_id}};
    for (const auto& [key, value] : identity) {
      if (value->empty()) return Status::invalid(std::string(key) + ": required on an edge node", key);
      if (!is_valid_name(*value))
        return Status::invalid(std::string(key) + ": (" + html_escape(*value) + ") contains invalid characters", key);
    }
    if (!is_http_url(config.cloud_url))
      return Status::invalid("cloud_url: required on an edge node, as http://HOST:PORT or https://HOST:PORT",
                             "cloud_url");
  }
  // Last: the default authenticator needs a file, and a mistake above is the likelier one to report.
  if (config.auth == AuthKind::kPreset && config.auth_file.empty())
    return Status::invalid(
        "auth.file: the preset authenticator (the default) needs a credentials file; "
        "auth.type: dummy for development",
        "auth.file");
  return Status::ok();
}

}  // namespace edgesync
