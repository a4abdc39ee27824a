// send_file: publishes a file as an object of type "send-file" for one destination, as MMS's
// cmd/send-file: objectID "<file name>@<destType>-<destID>", version 0.0.1, metadata then data.
//
//   send_file --server http://cloud:8080 --org myorg --key myorg/admin --secret s --dt car --id car1 -f ./model.bin
#include <CLI/CLI.hpp>
#include <edgesync/client.hpp>
#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"Send a file to an edge node through an edgesync cloud (objects of type send-file)"};
  edgesync::client::ClientOptions options;
  options.url = "http://localhost:8080";
  std::string dest_type;
  std::string dest_id;
  std::string file;
  std::string dest_data_uri;
  app.add_option("-s,--server,--url", options.url, "Server URL (http[s]://host:port)")->capture_default_str();
  app.add_option("--org", options.org, "Organization (cloud)");
  app.add_option("--key,--user", options.app_key, "App key, or key:secret");
  app.add_option("--secret", options.app_secret, "App secret");
  app.add_option("--cert", options.ca_file, "CA certificate (PEM) for https");
  app.add_option("--dt", dest_type, "Destination type")->required();
  app.add_option("--id", dest_id, "Destination ID")->required();
  app.add_option("-f,--file", file, "The file to send")->required()->check(CLI::ExistingFile);
  app.add_option("--dU", dest_data_uri, "destinationDataUri: where the receiving node writes the data itself");
  CLI11_PARSE(app, argc, argv);
  if (const size_t colon = options.app_key.find(':'); colon != std::string::npos && options.app_secret.empty()) {
    options.app_secret = options.app_key.substr(colon + 1);  // key:secret, as curl -u
    options.app_key.resize(colon);
  }

  try {
    edgesync::client::SyncClient client(options);
    edgesync::client::ObjectMetadata metadata;
    metadata.object_type = "send-file";
    metadata.object_id = std::filesystem::path(file).filename().string() + "@" + dest_type + "-" + dest_id;
    metadata.destination_type = dest_type;
    metadata.destination_id = dest_id;
    metadata.version = "0.0.1";
    metadata.destination_data_uri = dest_data_uri;
    client.update_object(metadata);
    client.update_object_data(metadata.object_type, metadata.object_id, std::filesystem::path(file));
    std::cout << "The file " << file << " has been sent as " << metadata.object_id << "\n";
  } catch (const edgesync::client::Error& error) {
    std::cerr << "send_file: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
