// The records a store keeps for owner references (API.md §2, reference/meta-owner.md).
//
// OwnerLink: one ownee → owner reference, mirrored from the ownee's metadata (ownerReferences) so the
// owner's ownees can be found by an index, with the validator's state: a reference is accepted on save
// without checking its owner; it becomes `validated` once the owner is seen, or is dropped when the
// owner has not appeared within owners.validation_timeout.
// An owner cascade: an owner deleted whose ownees have not all been handled yet (persisted, so a
// restart in the middle resumes).
#pragma once

#include <cstdint>
#include <string>

#include "common/resource_key.hpp"

namespace edgesync {

struct OwnerLink {
  ResourceKey ownee;
  ResourceKey owner;  // same org as the ownee
  bool unset_on_delete = false;
  bool validated = false;
  int64_t first_seen_ms = 0;

  bool operator==(const OwnerLink&) const = default;
};

}  // namespace edgesync
