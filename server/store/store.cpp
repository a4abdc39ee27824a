#include "server/store/store.hpp"

#include <future>

namespace edgesync {

Status Store::write(WriteFunction write) {
  auto done = std::make_shared<std::promise<Status>>();
  auto result = done->get_future();
  submit_write(std::move(write), [done](Status status) { done->set_value(std::move(status)); });
  return result.get();
}

}  // namespace edgesync
