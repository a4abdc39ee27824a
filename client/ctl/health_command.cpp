// edgesyncctl health: the node's health (and, on an edge, its connection to the cloud).
#include <iostream>

#include "client/ctl/context.hpp"

namespace edgesync::ctl {

void add_health_command(CLI::App& app, Context& context) {
  auto* health = app.add_subcommand("health", "The node's health; exits 6 unless it is green");
  health->callback([&context] {
    auto answer = context.client().health();
    if (context.json()) {
      context.print_json(nlohmann::json::parse(answer.json, nullptr, false));
    } else {
      std::vector<std::vector<std::string>> rows = {{"nodeType", answer.node_type},
                                                    {"healthStatus", answer.health_status},
                                                    {"upTime", std::to_string(answer.up_time_seconds) + "s"}};
      if (answer.cloud_connected) rows.push_back({"cloudConnected", *answer.cloud_connected ? "true" : "false"});
      print_table({"FIELD", "VALUE"}, rows);
    }
    if (answer.health_status != "green")
      throw client::Error(client::ErrorKind::kProtocol, 0, "The node is not healthy (" + answer.health_status + ")");
  });
}

}  // namespace edgesync::ctl
