// edgesyncctl object …: publish, list, get, status, destinations, download, delete, mark, activate.
#include <fstream>
#include <iostream>

#include "client/ctl/context.hpp"

namespace edgesync::ctl {

namespace {

struct Key {
  std::string type;
  std::string id;
};

void add_key(CLI::App* command, Key& key) {
  command->add_option("-t,--type", key.type, "Object type")->required();
  command->add_option("-i,--id", key.id, "Object ID")->required();
}

struct PublishOptions {
  Key key;
  std::string dest_type;
  std::string dest_id;
  std::vector<std::string> destinations;
  std::string file;
  bool inactive = false;
  std::string activation_time;
  std::string expiration;
  bool no_data = false;
  bool meta_only = false;
  std::string version;
  std::string description;
  int consumers = 1;
  bool autodelete = false;
};

void publish(Context& context, const PublishOptions& options) {
  client::ObjectMetadata metadata;
  metadata.object_type = options.key.type;
  metadata.object_id = options.key.id;
  metadata.destination_type = options.dest_type;
  metadata.destination_id = options.dest_id;
  if (!options.destinations.empty()) metadata.destinations_list = options.destinations;
  metadata.inactive = options.inactive;
  metadata.activation_time = options.activation_time;
  metadata.expiration = options.expiration;
  metadata.no_data = options.no_data;
  metadata.meta_only = options.meta_only;
  metadata.version = options.version;
  metadata.description = options.description;
  metadata.consumers = options.consumers;
  metadata.autodelete = options.autodelete;
  if (options.no_data && !options.file.empty()) throw CLI::ValidationError("--file", "--no-data objects carry no data");
  if (options.file.empty() && !options.no_data && !options.meta_only)
    throw CLI::ValidationError("--file", "give --file PATH (or - for stdin), --no-data or --meta-only");

  auto& client = context.client();
  uint64_t size = 0;
  std::unique_ptr<std::ifstream> file;
  if (!options.file.empty() && options.file != "-") {
    std::error_code ec;
    size = std::filesystem::file_size(options.file, ec);
    file = std::make_unique<std::ifstream>(options.file, std::ios::binary);
    if (ec || !*file) throw client::Error(client::ErrorKind::kInvalidInput, 0, "Cannot read " + options.file);
  }
  client.update_object(metadata);
  if (file) {
    client.update_object_data(metadata.object_type, metadata.object_id, *file, size, context.progress("upload", size));
    context.finish_progress();
  } else if (options.file == "-") {
    client.update_object_data(metadata.object_type, metadata.object_id, std::cin, std::nullopt,
                              context.progress("upload", 0));
    context.finish_progress();
  }
  if (context.json()) {
    auto stored = client.get_object(metadata.object_type, metadata.object_id);
    context.print_json(stored ? to_json(*stored) : nlohmann::json(nullptr));
  } else {
    std::cout << "Published " << metadata.object_type << "/" << metadata.object_id;
    if (file) std::cout << " (" << size << " bytes)";
    std::cout << "\n";
  }
}

std::string destination_of(const client::ObjectMetadata& m) {
  if (m.destinations_list && !m.destinations_list->empty()) {
    std::string joined;
    for (const auto& entry : *m.destinations_list) joined += (joined.empty() ? "" : ",") + entry;
    return joined;
  }
  if (m.destination_type.empty()) return "*";
  return m.destination_type + ":" + (m.destination_id.empty() ? "*" : m.destination_id);
}

void print_objects(Context& context, const std::vector<client::ObjectMetadata>& objects) {
  if (context.json()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& object : objects) list.push_back(to_json(object));
    context.print_json(list);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& o : objects)
    rows.push_back({o.object_type, o.object_id, o.version, destination_of(o), std::to_string(o.object_size),
                    o.deleted ? "yes" : "no"});
  print_table({"TYPE", "ID", "VERSION", "DESTINATION", "SIZE", "DELETED"}, rows);
}

void get(Context& context, const Key& key) {
  auto object = context.client().get_object(key.type, key.id);
  if (!object) throw client::Error(client::ErrorKind::kHttp, 404, "Object " + key.type + "/" + key.id + " not found");
  if (context.json()) {
    context.print_json(to_json(*object));
    return;
  }
  const auto& o = *object;
  print_table({"FIELD", "VALUE"}, {{"objectType", o.object_type},
                                   {"objectID", o.object_id},
                                   {"destination", destination_of(o)},
                                   {"version", o.version},
                                   {"description", o.description},
                                   {"inactive", o.inactive ? "true" : "false"},
                                   {"activationTime", o.activation_time},
                                   {"expiration", o.expiration},
                                   {"noData", o.no_data ? "true" : "false"},
                                   {"objectSize", std::to_string(o.object_size)},
                                   {"instanceID", std::to_string(o.instance_id)},
                                   {"deleted", o.deleted ? "true" : "false"}});
}

void status(Context& context, const Key& key) {
  auto value = context.client().get_object_status(key.type, key.id);
  if (!value) throw client::Error(client::ErrorKind::kHttp, 404, "Object " + key.type + "/" + key.id + " not found");
  if (context.json()) {
    context.print_json({{"objectType", key.type}, {"objectID", key.id}, {"status", *value}});
  } else {
    std::cout << *value << "\n";
  }
}

void destinations(Context& context, const Key& key) {
  auto rows = context.client().get_object_destinations(key.type, key.id);
  if (context.json()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : rows)
      list.push_back(
          {{"destinationType", r.type}, {"destinationID", r.id}, {"status", r.status}, {"message", r.message}});
    context.print_json(list);
    return;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& r : rows) table.push_back({r.type, r.id, r.status, r.message});
  print_table({"DEST TYPE", "DEST ID", "STATUS", "MESSAGE"}, table);
}

void download(Context& context, const Key& key, const std::string& file) {
  auto& client = context.client();
  if (file.empty() || file == "-") {
    client.fetch_object_data(key.type, key.id, std::cout, context.progress("download", 0));
    std::cout.flush();
    context.finish_progress();
    return;
  }
  uint64_t total = 0;
  if (auto object = client.get_object(key.type, key.id)) total = static_cast<uint64_t>(object->object_size);
  client.fetch_object_data(key.type, key.id, std::filesystem::path(file), context.progress("download", total));
  context.finish_progress();
  if (context.json()) {
    context.print_json(
        {{"objectType", key.type}, {"objectID", key.id}, {"file", file}, {"bytes", std::filesystem::file_size(file)}});
  } else {
    std::cout << "Downloaded " << key.type << "/" << key.id << " to " << file << "\n";
  }
}

void done(Context& context, const Key& key, const std::string& what) {
  if (context.json()) {
    context.print_json({{"objectType", key.type}, {"objectID", key.id}, {"result", what}});
  } else {
    std::cout << key.type << "/" << key.id << " " << what << "\n";
  }
}

}  // namespace

void add_object_commands(CLI::App& app, Context& context) {
  auto* object = app.add_subcommand("object", "Publish, inspect, download and mark objects");
  object->require_subcommand(1);

  auto publish_options = std::make_shared<PublishOptions>();
  auto* pub = object->add_subcommand("publish", "Create or update an object and upload its data");
  add_key(pub, publish_options->key);
  pub->add_option("-f,--file", publish_options->file, "Data file, or - for stdin");
  pub->add_option("--dest-type", publish_options->dest_type, "Destination type (empty: every node)");
  pub->add_option("--dest-id", publish_options->dest_id, "Destination ID (empty: every node of the type)");
  pub->add_option("--dest", publish_options->destinations, "A destination TYPE:ID (repeat for a list)");
  pub->add_flag("--inactive", publish_options->inactive, "Do not deliver until activated");
  pub->add_option("--activation-time", publish_options->activation_time, "Activate at this RFC 3339 time");
  pub->add_option("--expiration", publish_options->expiration, "Expire at this RFC 3339 time (cloud only)");
  pub->add_flag("--no-data", publish_options->no_data, "The object has no data");
  pub->add_flag("--meta-only", publish_options->meta_only, "Update the metadata and keep the data");
  pub->add_option("--version", publish_options->version, "Object version");
  pub->add_option("--description", publish_options->description, "Description");
  pub->add_option("--consumers", publish_options->consumers, "Expected consumers (cloud only)")
      ->check(CLI::Range(1, 1 << 30));
  pub->add_flag("--autodelete", publish_options->autodelete, "Delete once every destination consumed it");
  pub->callback([&context, publish_options] { publish(context, *publish_options); });

  auto list_type = std::make_shared<std::string>();
  auto include_received = std::make_shared<bool>(false);
  auto* list = object->add_subcommand("list", "Objects of a type with updates for this application");
  list->add_option("-t,--type", *list_type, "Object type")->required();
  list->add_flag("--received", *include_received, "Include objects already marked received");
  list->callback([&context, list_type, include_received] {
    print_objects(context, context.client().get_updated_objects(*list_type, *include_received));
  });

  auto key = std::make_shared<Key>();
  auto* get_command = object->add_subcommand("get", "An object's metadata");
  add_key(get_command, *key);
  get_command->callback([&context, key] { get(context, *key); });

  auto* status_command = object->add_subcommand("status", "An object's status");
  add_key(status_command, *key);
  status_command->callback([&context, key] { status(context, *key); });

  auto* destinations_command = object->add_subcommand("destinations", "Delivery status per destination (cloud)");
  add_key(destinations_command, *key);
  destinations_command->callback([&context, key] { destinations(context, *key); });

  auto file = std::make_shared<std::string>();
  auto* download_command = object->add_subcommand("download", "Download an object's data");
  add_key(download_command, *key);
  download_command->add_option("-f,--file", *file, "Write here (default: stdout)");
  download_command->callback([&context, key, file] { download(context, *key, *file); });

  auto* delete_command = object->add_subcommand("delete", "Delete an object");
  add_key(delete_command, *key);
  delete_command->callback([&context, key] {
    context.client().delete_object(key->type, key->id);
    done(context, *key, "deleted");
  });

  auto* activate = object->add_subcommand("activate", "Activate an inactive object");
  add_key(activate, *key);
  activate->callback([&context, key] {
    context.client().activate_object(key->type, key->id);
    done(context, *key, "activated");
  });

  auto* mark = object->add_subcommand("mark", "Mark an object received, consumed or deleted");
  mark->require_subcommand(1);
  for (const char* what : {"received", "consumed", "deleted"}) {
    auto* sub = mark->add_subcommand(what, std::string("Mark the object ") + what);
    add_key(sub, *key);
    const std::string name = what;
    sub->callback([&context, key, name] {
      auto& client = context.client();
      if (name == "received") client.mark_object_received(key->type, key->id);
      if (name == "consumed") client.mark_object_consumed(key->type, key->id);
      if (name == "deleted") client.mark_object_deleted(key->type, key->id);
      done(context, *key, "marked " + name);
    });
  }
}

}  // namespace edgesync::ctl
