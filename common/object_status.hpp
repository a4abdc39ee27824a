// Node-local object status values (reference/mms-reference.md §2.3), spelled exactly as MMS.
#pragma once

#include <optional>
#include <string_view>

namespace edgesync {

enum class ObjectStatus {
  // Origin (sender) side.
  kNotReady,            // "notReady": metadata stored, data not yet uploaded
  kVerifying,           // "verifying"
  kVerificationFailed,  // "verificationFailed"
  kReady,               // "ready"
  // Receiving side.
  kPartiallyReceived,           // "partiallyreceived"
  kReceiverVerifying,           // "receiverVerifying"
  kReceiverVerificationFailed,  // "receiverVerificationFailed"
  kCompletelyReceived,          // "completelyReceived"
  kReceived,                    // "objreceived": the application marked it received
  kConsumed,                    // "objconsumed": the application marked it consumed
  kDeleted,                     // "objdeleted": the origin deleted it
  kConsumedByDestination,       // "consumedByDest": an edge's own object, consumed by the cloud
};

std::string_view to_string(ObjectStatus status);
std::optional<ObjectStatus> parse_object_status(std::string_view text);

// True for the statuses of the node that created the object (notReady … ready).
bool is_origin_status(ObjectStatus status);

}  // namespace edgesync
