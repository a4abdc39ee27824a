#include "server/store/plugin/store_plugin_loader.hpp"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

#include "server/store/plugin/store_plugin.hpp"

namespace edgesync {
namespace {

namespace fs = std::filesystem;

// The plugin's log lines, into the host's default logger (set up by setup_logging).
void log_from_plugin(void* /*context*/, int level, const char* message, size_t size) {
  try {
    spdlog::log(static_cast<spdlog::level::level_enum>(level), "{}", std::string_view(message, size));
  } catch (...) {
    // A log line that cannot be written is dropped: the plugin must not see an exception.
  }
}

// dlerror()'s text, without the path it often starts with (the message names the path already).
std::string dl_error(const fs::path& path) {
  const char* error = dlerror();
  std::string text = error ? error : "unknown dlopen error";
  if (const std::string prefix = path.string() + ": "; text.starts_with(prefix)) text.erase(0, prefix.size());
  return text;
}

// The module of a loaded plugin whose tag matched, and its factory; kept loaded for good (see
// store_plugin.hpp).
struct LoadedPlugin {
  EdgesyncStorePluginOpenFunction open = nullptr;
};

// Opens one candidate; on failure says why in `why`.
std::optional<LoadedPlugin> load(const fs::path& path, std::string& why) {
  // RTLD_NOW: a symbol the plugin's libraries lack fails here, not in the middle of a request.
  // RTLD_LOCAL: its symbols (there are two) stay out of the global namespace.
  void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (module == nullptr) {
    why = dl_error(path);
    return std::nullopt;
  }
  auto abi = reinterpret_cast<EdgesyncStorePluginAbiFunction>(dlsym(module, kStorePluginAbiSymbol));
  auto open = reinterpret_cast<EdgesyncStorePluginOpenFunction>(dlsym(module, kStorePluginOpenSymbol));
  if (abi == nullptr || open == nullptr) {
    why = "not an edgesync store plugin: " + dl_error(path);
  } else if (const char* tag = abi(); std::strcmp(tag, kStorePluginAbi) != 0) {
    why = std::string("built for another edgesync (plugin ABI \"") + tag + "\", this binary's \"" + kStorePluginAbi +
          "\")";
  } else {
    return LoadedPlugin{open};
  }
  dlclose(module);  // nothing of it ran but its static initialisers
  return std::nullopt;
}

fs::path executable_directory() {
  std::error_code error;
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::path() : executable.parent_path();
}

}  // namespace

std::vector<fs::path> store_plugin_candidates(const StorePluginRequest& request) {
  if (!request.explicit_path.empty()) return {request.explicit_path};
  const std::string file = "edgesync-store-" + request.backend + ".so";
  std::vector<fs::path> candidates;
  const auto add = [&](const fs::path& path) {
    const fs::path normal = path.lexically_normal();
    for (const auto& known : candidates)
      if (known == normal) return;
    candidates.push_back(normal);
  };
  if (const fs::path directory = executable_directory(); !directory.empty()) {
    add(directory / file);
    add(directory / ".." / EDGESYNC_INSTALL_LIBDIR / "edgesync" / file);
  }
  add(fs::path(EDGESYNC_INSTALL_FULL_LIBDIR) / "edgesync" / file);
  return candidates;
}

Result<std::unique_ptr<Store>> open_plugin_store(const StorePluginRequest& request) {
  std::string failures;
  for (const fs::path& path : store_plugin_candidates(request)) {
    std::string why;
    const auto plugin = load(path, why);
    if (!plugin) {
      failures += (failures.empty() ? "" : "; ") + path.string() + ": " + why;
      continue;
    }
    const EdgesyncStorePluginArgs args{request.url.c_str(),      request.max_batch_writes,
                                       request.read_connections, static_cast<int>(spdlog::get_level()),
                                       &log_from_plugin,         nullptr};
    Status error = Status::internal("the store plugin " + path.string() + " failed without saying why");
    Store* store = plugin->open(&args, &error);
    if (store == nullptr) return error;
    spdlog::debug("store: {} backend from {}", request.backend, path.string());
    return std::unique_ptr<Store>(store);
  }
  return Status::unavailable("cannot load the " + request.backend + " store plugin (tried " + failures + ")");
}

}  // namespace edgesync
