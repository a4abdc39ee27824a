#include "server/store/sqlite/object_cache.hpp"

namespace edgesync {

uint64_t ObjectCache::generation() {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::shared_ptr<const ObjectSnapshot> ObjectCache::find(const ResourceKey& key) {
  std::lock_guard lock(mutex_);
  auto found = index_.find(key.to_string());
  if (found == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, found->second);
  return found->second->second;
}

void ObjectCache::insert(std::shared_ptr<const ObjectSnapshot> snapshot, uint64_t read_generation) {
  if (capacity_ == 0) return;
  std::string key = snapshot->object.key().to_string();
  std::lock_guard lock(mutex_);
  if (read_generation != generation_ || index_.count(key) > 0) return;
  entries_.emplace_front(key, std::move(snapshot));
  index_.emplace(std::move(key), entries_.begin());
  if (entries_.size() > capacity_) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
}

void ObjectCache::invalidate(const ResourceKey& key) {
  std::lock_guard lock(mutex_);
  ++generation_;
  auto found = index_.find(key.to_string());
  if (found == index_.end()) return;
  entries_.erase(found->second);
  index_.erase(found);
}

void ObjectCache::clear() {
  std::lock_guard lock(mutex_);
  ++generation_;
  entries_.clear();
  index_.clear();
}

}  // namespace edgesync
