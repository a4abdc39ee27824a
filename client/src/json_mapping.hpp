// The SDK's types to and from the server's JSON (private: nlohmann_json stays out of public headers).
// Parsing is lenient as the Go client's: missing or null fields keep their defaults; a body that is
// not the expected JSON shape throws Error(kProtocol).
#pragma once

#include <string>
#include <vector>

#include "edgesync/client/types.hpp"

namespace edgesync::client::detail {

std::string metadata_update_body(const ObjectMetadata& metadata);  // {"meta": {...}}
ObjectMetadata parse_metadata(const std::string& body);
std::vector<ObjectMetadata> parse_metadata_list(const std::string& body);
std::vector<Destination> parse_destinations(const std::string& body);
std::vector<DestinationStatus> parse_destination_statuses(const std::string& body);
std::vector<ObjectStatus> parse_object_statuses(const std::string& body);
std::vector<std::string> parse_string_list(const std::string& body);
Health parse_health(const std::string& body);
std::string action_body(const std::string& action, const char* list_name, const std::vector<std::string>& values);
std::string webhook_body(const std::string& action, const std::string& url);
// The server's error text: the "error" member of a JSON error body, else the body itself, trimmed.
std::string error_text(const std::string& body);

}  // namespace edgesync::client::detail
