// Metadata to and from the server's JSON, for applications that receive it themselves (a webhook
// receiver gets the metadata POSTed as JSON) or store it.
#pragma once

#include <string>

#include "edgesync/client/export.hpp"
#include "edgesync/client/types.hpp"

namespace edgesync::client {

// Throws Error(kProtocol) when text is not a JSON object.
EDGESYNC_CLIENT_API ObjectMetadata metadata_from_json(const std::string& text);
// The metadata as the JSON object the server speaks (without the {"meta": …} wrapper).
EDGESYNC_CLIENT_API std::string metadata_to_json(const ObjectMetadata& metadata);

}  // namespace edgesync::client
