// Uses the installed SDK: builds metadata, talks to a closed port and expects the typed error.
#include <edgesync/client.hpp>
#include <iostream>

int main() {
  edgesync::client::ObjectMetadata metadata;
  metadata.object_type = "t";
  metadata.object_id = "i";
  const std::string json = edgesync::client::metadata_to_json(metadata);
  if (edgesync::client::metadata_from_json(json).object_id != "i") return 1;
  try {
    edgesync::SyncClient client({.url = "http://127.0.0.1:1", .org = "org"});
    client.health();
  } catch (const edgesync::client::Error& error) {
    if (error.kind() != edgesync::client::ErrorKind::kTransport) return 2;
    std::cout << "consumer ok: " << error.what() << "\n";
    return 0;
  }
  return 3;
}
