#include "server/store/sqlite/object_cache.hpp"

#include <functional>
#include <string_view>

namespace edgesync {

size_t ObjectCache::KeyHash::operator()(const ResourceKey& key) const noexcept {
  const std::hash<std::string_view> hash;
  size_t combined = hash(key.org);
  for (const std::string_view part : {std::string_view(key.object_type), std::string_view(key.object_id)})
    combined ^= hash(part) + 0x9e3779b97f4a7c15ULL + (combined << 6) + (combined >> 2);
  return combined;
}

uint64_t ObjectCache::generation() {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::shared_ptr<const ObjectSnapshot> ObjectCache::find(const ResourceKey& key) {
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (found == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, found->second);
  return found->second->second;
}

void ObjectCache::insert(std::shared_ptr<const ObjectSnapshot> snapshot, uint64_t read_generation) {
  if (capacity_ == 0) return;
  ResourceKey key = snapshot->object.key();
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
  auto found = index_.find(key);
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
