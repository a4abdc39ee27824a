// Inside a store plugin: makes its spdlog calls (spdlog::info(…) anywhere in the backend's code) go to
// the host's logger through the callback the host passed, instead of to the plugin's own copy of
// spdlog, which would write its own format to stderr whatever --log-format says.
#pragma once

#include "server/store/plugin/store_plugin.hpp"

namespace edgesync {

// Makes the plugin's default logger one that hands every line to args.log (the first call's: a host
// has one logger), at args.log_level (each call's: the host's level when it opened a store).
void route_logs_to_host(const EdgesyncStorePluginArgs& args);

}  // namespace edgesync
