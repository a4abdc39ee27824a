#include "common/object_status.hpp"

#include <array>
#include <utility>

namespace edgesync {
namespace {

constexpr std::array<std::pair<ObjectStatus, std::string_view>, 12> kNames = {{
    {ObjectStatus::kNotReady, "notReady"},
    {ObjectStatus::kVerifying, "verifying"},
    {ObjectStatus::kVerificationFailed, "verificationFailed"},
    {ObjectStatus::kReady, "ready"},
    {ObjectStatus::kPartiallyReceived, "partiallyreceived"},
    {ObjectStatus::kReceiverVerifying, "receiverVerifying"},
    {ObjectStatus::kReceiverVerificationFailed, "receiverVerificationFailed"},
    {ObjectStatus::kCompletelyReceived, "completelyReceived"},
    {ObjectStatus::kReceived, "objreceived"},
    {ObjectStatus::kConsumed, "objconsumed"},
    {ObjectStatus::kDeleted, "objdeleted"},
    {ObjectStatus::kConsumedByDestination, "consumedByDest"},
}};

}  // namespace

std::string_view to_string(ObjectStatus status) {
  for (const auto& [value, name] : kNames)
    if (value == status) return name;
  return "unknown";
}

std::optional<ObjectStatus> parse_object_status(std::string_view text) {
  for (const auto& [value, name] : kNames)
    if (name == text) return value;
  return std::nullopt;
}

bool is_origin_status(ObjectStatus status) {
  return status == ObjectStatus::kNotReady || status == ObjectStatus::kVerifying ||
         status == ObjectStatus::kVerificationFailed || status == ObjectStatus::kReady;
}

}  // namespace edgesync
