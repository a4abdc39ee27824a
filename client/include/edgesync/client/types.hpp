// The data the SDK exchanges with an edgesync (or MMS) node, named as on the wire (comments give the
// JSON names; reference: the MMS Go client's ObjectMetaData, Destination, DestinationStatus,
// ObjectStatus).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edgesync::client {

struct ObjectMetadata {
  std::string object_type;                                    // objectType
  std::string object_id;                                      // objectID
  std::string destination_org_id;                             // destinationOrgID
  std::string destination_type;                               // destinationType
  std::string destination_id;                                 // destinationID
  std::optional<std::vector<std::string>> destinations_list;  // destinationsList, "type:id" entries
  std::string expiration;                                     // RFC 3339; cloud only
  std::string version;
  std::string description;
  std::string link;
  bool inactive = false;
  std::string activation_time;       // activationTime, RFC 3339
  bool do_not_send = false;          // doNotSend
  bool no_data = false;              // noData
  bool meta_only = false;            // metaOnly: update the metadata, keep the data
  int32_t consumers = 1;             // expected consumers; cloud only
  std::string destination_data_uri;  // destinationDataUri; cloud only
  std::string source_data_uri;       // sourceDataUri; edge only
  bool autodelete = false;
  // Set by the server, ignored on update:
  std::string origin_id;    // originID
  std::string origin_type;  // originType
  bool deleted = false;     // true in the notification of a deletion
  int64_t instance_id = 0;  // instanceID: changes on every update
  int64_t object_size = 0;  // objectSize
  // Every other field the server sent (ownerReferences, destinationPolicy, hashAlgorithm…), as one JSON
  // object text; sent back unchanged by update_object(). "" when there are none.
  std::string extra_json;
};

struct Destination {
  std::string org_id;         // destinationOrgID
  std::string type;           // destinationType
  std::string id;             // destinationID
  std::string communication;  // "HTTP" / "MQTT"
  std::string code_version;   // codeVersion
};

// One destination of an object and how far delivery to it went.
struct DestinationStatus {
  std::string type;     // destinationType
  std::string id;       // destinationID
  std::string status;   // pending, delivering, delivered, consumed, deleted, error
  std::string message;  // the last error, if any
};

// One object held for a destination.
struct ObjectStatus {
  std::string org_id;       // orgID / destinationOrgID
  std::string object_type;  // objectType
  std::string object_id;    // objectID
  std::string status;       // the delivery status, when the server gives it
};

struct Health {
  std::string node_type;      // "CSS" (cloud) or "ESS" (edge)
  std::string health_status;  // "green" / "red"
  int64_t up_time_seconds = 0;
  std::optional<bool> cloud_connected;  // edges only
  std::string json;                     // the whole answer, for callers that want more
};

// Progress of a data transfer: bytes moved so far and the total when known (0 when not).
struct Progress {
  uint64_t bytes = 0;
  uint64_t total = 0;
};

}  // namespace edgesync::client
