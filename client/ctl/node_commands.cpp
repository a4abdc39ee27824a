// edgesyncctl node list|objects: the cloud's destinations (edge nodes) and what each holds.
#include <iostream>

#include "client/ctl/context.hpp"

namespace edgesync::ctl {

void add_node_commands(CLI::App& app, Context& context) {
  auto* node = app.add_subcommand("node", "Destinations (edge nodes) known to the cloud");
  node->require_subcommand(1);

  auto* list = node->add_subcommand("list", "List the destinations of the organization");
  list->callback([&context] {
    auto destinations = context.client().get_destinations();
    if (context.json()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& d : destinations)
        out.push_back({{"destinationOrgID", d.org_id},
                       {"destinationType", d.type},
                       {"destinationID", d.id},
                       {"communication", d.communication},
                       {"codeVersion", d.code_version}});
      context.print_json(out);
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : destinations) rows.push_back({d.type, d.id, d.communication, d.code_version});
    print_table({"DEST TYPE", "DEST ID", "COMMUNICATION", "CODE VERSION"}, rows);
  });

  struct Options {
    std::string type;
    std::string id;
  };
  auto options = std::make_shared<Options>();
  auto* objects = node->add_subcommand("objects", "Objects held for one destination");
  objects->add_option("--dest-type", options->type, "Destination type")->required();
  objects->add_option("--dest-id", options->id, "Destination ID")->required();
  objects->callback([&context, options] {
    auto held = context.client().get_destination_objects(options->type, options->id);
    if (context.json()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& o : held)
        out.push_back(
            {{"orgID", o.org_id}, {"objectType", o.object_type}, {"objectID", o.object_id}, {"status", o.status}});
      context.print_json(out);
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& o : held) rows.push_back({o.object_type, o.object_id, o.status});
    print_table({"TYPE", "ID", "STATUS"}, rows);
  });
}

}  // namespace edgesync::ctl
