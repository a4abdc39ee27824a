// edgesyncctl webhook add|remove: the URLs the server POSTs an object type's updates to.
#include <iostream>

#include "client/ctl/context.hpp"

namespace edgesync::ctl {

void add_webhook_commands(CLI::App& app, Context& context) {
  auto* webhook = app.add_subcommand("webhook", "Register or remove webhooks for an object type");
  webhook->require_subcommand(1);
  struct Options {
    std::string type;
    std::string url;
  };
  auto options = std::make_shared<Options>();
  for (const bool add : {true, false}) {
    auto* command =
        webhook->add_subcommand(add ? "add" : "remove", add ? "Register a webhook URL" : "Remove a webhook URL");
    command->add_option("-t,--type", options->type, "Object type")->required();
    command->add_option("-u,--url", options->url, "Webhook URL (http:// or https://)")->required();
    command->callback([&context, options, add] {
      if (add) {
        context.client().register_webhook(options->type, options->url);
      } else {
        context.client().delete_webhook(options->type, options->url);
      }
      const std::string result = add ? "registered" : "removed";
      if (context.json()) {
        context.print_json({{"objectType", options->type}, {"url", options->url}, {"result", result}});
      } else {
        std::cout << "Webhook " << options->url << " " << result << " for " << options->type << "\n";
      }
    });
  }
}

}  // namespace edgesync::ctl
