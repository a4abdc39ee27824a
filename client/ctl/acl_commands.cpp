// edgesyncctl acl add|remove|list: who may use an object type or a destination type.
#include <iostream>

#include "client/ctl/context.hpp"

namespace edgesync::ctl {

void add_acl_commands(CLI::App& app, Context& context) {
  auto* acl = app.add_subcommand("acl", "Access control lists of object types and destination types");
  acl->require_subcommand(1);
  struct Options {
    std::string kind = "objects";
    std::string name;
    std::vector<std::string> users;
  };
  auto options = std::make_shared<Options>();
  auto add_kind = [&](CLI::App* command) {
    command->add_option("-k,--kind", options->kind, "objects (object types) or destinations (destination types)")
        ->check(CLI::IsMember({"objects", "destinations"}))
        ->capture_default_str();
  };
  for (const bool add : {true, false}) {
    auto* command =
        acl->add_subcommand(add ? "add" : "remove", add ? "Add users to an ACL" : "Remove users from an ACL");
    add_kind(command);
    command->add_option("-n,--name", options->name, "The object type or destination type")->required();
    command->add_option("-u,--user", options->users, "User (repeat for several)")->required();
    command->callback([&context, options, add] {
      auto& client = context.client();
      const bool objects = options->kind == "objects";
      if (add && objects) client.add_users_to_object_acl(options->name, options->users);
      if (add && !objects) client.add_users_to_destination_acl(options->name, options->users);
      if (!add && objects) client.remove_users_from_object_acl(options->name, options->users);
      if (!add && !objects) client.remove_users_from_destination_acl(options->name, options->users);
      if (context.json()) {
        context.print_json({{"kind", options->kind},
                            {"name", options->name},
                            {"users", options->users},
                            {"result", add ? "added" : "removed"}});
      } else {
        std::cout << (add ? "Added to " : "Removed from ") << options->kind << " ACL " << options->name << "\n";
      }
    });
  }
  auto* list = acl->add_subcommand("list", "List an ACL's users, or every ACL name without --name");
  add_kind(list);
  list->add_option("-n,--name", options->name, "The object type or destination type");
  list->callback([&context, options] {
    auto& client = context.client();
    const bool objects = options->kind == "objects";
    std::vector<std::string> entries;
    if (options->name.empty()) {
      entries = objects ? client.retrieve_all_object_acls() : client.retrieve_all_destination_acls();
    } else {
      entries = objects ? client.retrieve_object_acl(options->name) : client.retrieve_destination_acl(options->name);
    }
    if (context.json()) {
      context.print_json(entries);
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& entry : entries) rows.push_back({entry});
    print_table({options->name.empty() ? "ACL" : "USER"}, rows);
  });
}

}  // namespace edgesync::ctl
