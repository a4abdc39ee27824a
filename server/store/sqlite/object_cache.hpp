// ObjectCache: the object rows read most recently, so that repeated reads of the same objects (GET
// metadata, every node fetching a published object's data) skip SQLite and the metadata JSON parse,
// which a profile showed to be half of a GET's cost.
//
// Consistency: every committed write of an object row invalidates its key after the COMMIT and before
// the write is acknowledged, so a read that starts after an acknowledged write never sees the old row.
// A read that raced with a commit may have fetched the old row; it is not cached, because invalidation
// also advances a generation and a row read under an older generation is dropped on insert.
// This assumes the node is its database's only writer (as it is: other processes only read it, e.g. a
// backup); a row changed behind its back would be served from here until evicted.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/store/store.hpp"

namespace edgesync {

class ObjectCache {
 public:
  explicit ObjectCache(size_t capacity) : capacity_(capacity) {}

  // Take before reading the row from the database; pass to insert().
  uint64_t generation();
  std::shared_ptr<const ObjectSnapshot> find(const ResourceKey& key);  // null when not cached
  // Keeps the row unless a write was committed since `read_generation` was taken.
  void insert(std::shared_ptr<const ObjectSnapshot> snapshot, uint64_t read_generation);
  void invalidate(const ResourceKey& key);
  void clear();  // after a write that touched many objects (an org deleted)

 private:
  // A lookup hashes the key's parts where they are: no key string is built per read (GET's hot path).
  struct KeyHash {
    size_t operator()(const ResourceKey& key) const noexcept;
  };
  // Shared, so a hit costs a reference count rather than a copy of every string of the row.
  using Entries = std::list<std::pair<ResourceKey, std::shared_ptr<const ObjectSnapshot>>>;  // most recent first
  const size_t capacity_;
  std::mutex mutex_;
  uint64_t generation_ = 0;
  Entries entries_;
  std::unordered_map<ResourceKey, Entries::iterator, KeyHash> index_;
};

}  // namespace edgesync
