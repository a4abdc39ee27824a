#include "server/store/store.hpp"

#include <future>

#include "common/metadata_codec.hpp"

namespace edgesync {

std::shared_ptr<const ObjectSnapshot> make_object_snapshot(StoredObject object) {
  std::string text = metadata_to_text(object.metadata, /*pretty=*/true);
  return std::make_shared<const ObjectSnapshot>(ObjectSnapshot{std::move(object), std::move(text)});
}

Result<std::shared_ptr<const ObjectSnapshot>> Store::get_object_snapshot(const ResourceKey& key) {
  auto object = get_object(key);
  if (!object) return object.status();
  return make_object_snapshot(std::move(*object));
}

Status Store::write(WriteFunction write) {
  auto done = std::make_shared<std::promise<Status>>();
  auto result = done->get_future();
  submit_write(std::move(write), [done](Status status) { done->set_value(std::move(status)); });
  return result.get();
}

}  // namespace edgesync
