// ObjectMetadata: the MMS object metadata, field for field (reference/mms-reference.md §2.1).
//
// A plain value type. The JSON codec (metadata_codec.hpp) reads and writes the exact MMS names;
// every field is always written, absent lists and the policy as null.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edgesync {

// One owner of an object (API.md §2, owner references); same org as the ownee.
struct OwnerReference {
  std::string object_type;
  std::string object_id;
  bool unset_on_delete = false;

  bool operator==(const OwnerReference&) const = default;
};

struct ObjectMetadata {
  std::string object_id;                                      // objectID
  std::string object_type;                                    // objectType
  std::string destination_org_id;                             // destinationOrgID
  std::string destination_id;                                 // destinationID
  std::string destination_type;                               // destinationType
  std::optional<std::vector<std::string>> destinations_list;  // destinationsList ("type:id"), null when absent
  std::optional<std::string> destination_policy_json;         // destinationPolicy, kept as JSON text; null when absent
  std::string expiration;                                     // RFC 3339, cloud only
  std::string version;
  std::string description;
  std::string link;
  bool inactive = false;
  std::string activation_time;       // activationTime, RFC 3339
  bool do_not_send = false;          // doNotSend
  bool no_data = false;              // noData
  bool meta_only = false;            // metaOnly
  std::string destination_data_uri;  // destinationDataUri
  std::string source_data_uri;       // sourceDataUri
  int32_t consumers = 1;             // 0 → 1 and −1 → INT32_MAX on save
  bool autodelete = false;
  std::string origin_id;    // originID
  std::string origin_type;  // originType
  bool deleted = false;
  int64_t instance_id = 0;                       // instanceID
  int64_t data_id = 0;                           // dataID
  int64_t object_size = 0;                       // objectSize
  int64_t chunk_size = 0;                        // chunkSize
  int64_t upload_chunk_size = 0;                 // uploadChunkSize
  std::string hash_algorithm;                    // hashAlgorithm: "", SHA1, SHA256
  std::string public_key;                        // publicKey (base64)
  std::string signature;                         // base64
  bool is_public = false;                        // public
  std::string owner_id;                          // ownerID
  std::vector<OwnerReference> owner_references;  // ownerReferences (edgesync extension)

  bool operator==(const ObjectMetadata&) const = default;
};

}  // namespace edgesync
