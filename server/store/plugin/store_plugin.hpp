// The boundary between the edgesync binary and a store plugin: a shared module that the binary loads
// (store_plugin_loader.hpp) only when the configuration names its backend, so that the libraries a
// cloud backend needs are never mapped into an edge. libpq and the twenty libraries it links (GnuTLS,
// Kerberos, LDAP…) cost every process that links them about 4 MiB of idle RSS; an edge has 10 in all.
//
// A plugin exports these two C functions and nothing else:
//   const char* edgesync_store_plugin_abi(void);
//   edgesync::Store* edgesync_store_plugin_open(const EdgesyncStorePluginArgs* args, edgesync::Status* error);
// The Store it returns is a C++ object whose interface passes std::string, std::function, shared_ptr…
// Those cross safely only between code built by the same compiler, against the same libstdc++ headers
// and the same interface headers: that is what the ABI tag below states, and the loader refuses a
// plugin whose tag differs from its own before calling anything else. The rules of the boundary:
// - No C++ exception crosses it, either way. The plugin's entry points (the factory, every Store and
//   WriteTransaction method) catch inside and answer with a Status, or are noexcept; the host's
//   callbacks (write functions, completions, listeners, after-commit actions) do not throw (store.hpp).
//   Each side may carry its own copy of the C++ runtime, with its own unwinder and type_infos.
// - Memory crosses freely: every C++ runtime here allocates with malloc and frees with free, and
//   nothing replaces operator new.
// - A plugin is never unloaded: what it made (the store, shared rows, functions) points at its code.
// - Its log lines go to the host's logger (the `log` callback), so they follow --log-format and
//   --log-level like the binary's own.
#pragma once

#include <cstddef>
#include <cstdint>

#include "server/store/plugin/store_plugin_interface.hpp"  // generated: EDGESYNC_STORE_INTERFACE_HASH

#define EDGESYNC_STORE_PLUGIN_STRINGIFY2(x) #x
#define EDGESYNC_STORE_PLUGIN_STRINGIFY(x) EDGESYNC_STORE_PLUGIN_STRINGIFY2(x)
#if defined(__SANITIZE_ADDRESS__)
#define EDGESYNC_STORE_PLUGIN_SANITIZED "asan"
#else
#define EDGESYNC_STORE_PLUGIN_SANITIZED "plain"
#endif

namespace edgesync {

class Store;
class Status;

// Host and plugin must agree on all of it: the boundary's revision (raise it when this file changes
// meaning), the interface headers' content (hashed when CMake configures, see server/store/plugin/
// CMakeLists.txt), the compiler, the libstdc++ headers and their string ABI, and sanitizer builds
// (whose runtimes replace malloc) against plain ones.
inline constexpr char kStorePluginAbi[] =
    "edgesync-store-plugin 1; interface " EDGESYNC_STORE_INTERFACE_HASH "; compiler " __VERSION__
    "; libstdc++ " EDGESYNC_STORE_PLUGIN_STRINGIFY(__GLIBCXX__) " cxx11-abi " EDGESYNC_STORE_PLUGIN_STRINGIFY(
        _GLIBCXX_USE_CXX11_ABI) "; " EDGESYNC_STORE_PLUGIN_SANITIZED;

}  // namespace edgesync

extern "C" {

// One log line for the host's logger: level is an spdlog::level::level_enum value, message the text
// without time or level (the host's format adds them). Thread-safe; never throws.
typedef void (*EdgesyncStorePluginLog)(void* context, int level, const char* message, size_t size);

struct EdgesyncStorePluginArgs {
  const char* url;            // the backend's connection string (store.<backend>.url)
  uint32_t max_batch_writes;  // writes that may share one commit (store.max_batch_writes)
  uint32_t read_connections;  // concurrent reads
  int log_level;              // the host logger's level: lines below it are not even formatted
  EdgesyncStorePluginLog log;
  void* log_context;
};

typedef const char* (*EdgesyncStorePluginAbiFunction)(void);
// The store, owned by the caller (delete it through Store's virtual destructor); nullptr with *error
// set when it cannot be opened.
typedef edgesync::Store* (*EdgesyncStorePluginOpenFunction)(const EdgesyncStorePluginArgs* args,
                                                            edgesync::Status* error);

}  // extern "C"

namespace edgesync {
inline constexpr char kStorePluginAbiSymbol[] = "edgesync_store_plugin_abi";
inline constexpr char kStorePluginOpenSymbol[] = "edgesync_store_plugin_open";
}  // namespace edgesync
