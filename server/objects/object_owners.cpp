// Owner references: bookkeeping on every change, the cascade of a deleted owner, and the validator
// that drops references whose owner never appeared (API.md §2, reference/meta-owner.md).
//
// The links are kept only for objects that originated on this node: a copy's owners are its origin's
// business (the origin's cascade deletes the copy everywhere through the ordinary delete). Every step
// is a write of its own: a crash between batches leaves the cascade queued, and the next run resumes.
// Cycles end because a deleted ownee's own links go with it, so nothing can reach it twice.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/objects/async_store.hpp"
#include "server/objects/object_service.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

int64_t to_millis(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

bool names(const OwnerReference& reference, const ResourceKey& owner) {
  return reference.object_type == owner.object_type && reference.object_id == owner.object_id;
}

}  // namespace

Status ObjectService::track_owners(WriteTransaction& transaction, ObjectChange change, const StoredObject& object,
                                   bool removed, int64_t now_ms) {
  const ResourceKey key = object.key();
  const bool gone = removed || object.metadata.deleted;
  if (object.originated_here && !gone) {
    if (Status set = transaction.set_owner_links(key, object.metadata.owner_references, now_ms); !set) return set;
  } else if (gone) {
    if (Status cleared = transaction.set_owner_links(key, {}, now_ms); !cleared) return cleared;
  }
  // An object deleted here takes its ownees with it (a copy the origin deleted: the ownees this node
  // created under it).
  if (change == ObjectChange::kDeleted || change == ObjectChange::kPeerDeleted)
    return transaction.queue_owner_cascade(key, now_ms);
  return Status::ok();
}

Status ObjectService::release_ownee(WriteTransaction& transaction, const OwnerLink& link, bool unset_only,
                                    int64_t now_ms) {
  auto ownee = transaction.get_object(link.ownee);
  if (!ownee && ownee.status().code() != StatusCode::kNotFound) return ownee.status();
  if (!ownee || !ownee->originated_here || ownee->metadata.deleted)
    return transaction.set_owner_links(link.ownee, {}, now_ms);  // a stale link: nothing owns through it
  auto& references = ownee->metadata.owner_references;
  const size_t before = references.size();
  std::erase_if(references, [&](const OwnerReference& reference) { return names(reference, link.owner); });
  if (references.size() == before)  // the ownee dropped the reference meanwhile: resynchronise the links
    return transaction.set_owner_links(link.ownee, references, now_ms);
  if (unset_only || !references.empty()) {
    // Local bookkeeping, not a new version: copies elsewhere keep the reference, which no node acts on
    // (only an object's origin cascades).
    ownee->updated_at_ms = now_ms;
    if (Status put = transaction.put_object(*ownee); !put) return put;
    return transaction.set_owner_links(link.ownee, references, now_ms);
  }
  spdlog::info("deleting {}: its last owner {} is gone", link.ownee.to_string(), link.owner.to_string());
  return delete_row(transaction, *ownee, now_ms);
}

asio::awaitable<Result<size_t>> ObjectService::run_owner_cascades(size_t batch_size, size_t max_batches) {
  size_t handled = 0;
  for (size_t batch = 0; batch < max_batches; ++batch) {
    auto queued = store_.list_owner_cascades(1);
    if (!queued) co_return queued.status();
    if (queued->empty()) break;
    const ResourceKey owner = queued->front();
    const int64_t now_ms = to_millis(options_.now());
    size_t released = 0;
    Status status = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
      released = 0;
      auto links = transaction.list_ownee_links(owner, batch_size);
      if (!links) return links.status();
      // Re-created under the same key since: its ownees belong to the new owner.
      auto current = transaction.get_object(owner);
      const bool owner_back = current && !current->metadata.deleted;
      if (links->empty() || owner_back) return transaction.finish_owner_cascade(owner);
      for (const auto& link : *links) {
        if (Status status = release_ownee(transaction, link, link.unset_on_delete, now_ms); !status) return status;
        ++released;
      }
      return Status::ok();
    });
    if (!status) co_return status;
    handled += released;
  }
  co_return handled;
}

asio::awaitable<Result<size_t>> ObjectService::expire_owner_references(std::chrono::milliseconds timeout,
                                                                       size_t batch_size) {
  size_t dropped = 0;
  while (true) {
    const int64_t now_ms = to_millis(options_.now());
    auto due = store_.list_unvalidated_owner_links(now_ms - timeout.count(), batch_size);
    if (!due) co_return due.status();
    if (due->empty()) break;
    size_t dropped_here = 0;
    Status status = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
      dropped_here = 0;
      for (const auto& link : *due) {
        auto owner = transaction.get_object(link.owner);
        if (!owner && owner.status().code() != StatusCode::kNotFound) return owner.status();
        if (owner && !owner->metadata.deleted) {
          if (Status marked = transaction.mark_owner_link_validated(link.ownee, link.owner); !marked) return marked;
          continue;
        }
        spdlog::info("{}: owner {} did not appear within {} ms; reference dropped", link.ownee.to_string(),
                     link.owner.to_string(), timeout.count());
        if (Status released = release_ownee(transaction, link, false, now_ms); !released) return released;
        ++dropped_here;
      }
      return Status::ok();
    });
    if (!status) co_return status;
    dropped += dropped_here;
    if (due->size() < batch_size) break;
  }
  co_return dropped;
}

}  // namespace edgesync
