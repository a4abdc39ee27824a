// A fresh directory per test, removed afterwards; a helper to build stored objects; a gate that holds
// the writer so that writes can be made to share a batch deterministically.
#pragma once

#include <filesystem>
#include <future>
#include <random>
#include <string>

#include "server/store/store.hpp"

namespace edgesync::test {

struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("edgesync-store-test-" + std::to_string(std::random_device{}()));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

inline StoredObject make_object(const std::string& org, const std::string& type, const std::string& id) {
  StoredObject object;
  object.metadata.destination_org_id = org;
  object.metadata.object_type = type;
  object.metadata.object_id = id;
  object.status = ObjectStatus::kReady;
  object.updated_at_ms = 1;
  return object;
}

// Holds a writer inside one write, so that writes submitted meanwhile queue up and share the next
// batch: the deterministic way to build a batch, with no timing involved.
class WriterGate {
 public:
  // Holds a Store's writer; returns once the writer is inside the holding write.
  void hold(Store& store) {
    store.submit_write(
        [this](WriteTransaction&) {
          block_inside_write();
          return Status::ok();
        },
        [](Status) {});
    wait_until_inside();
  }
  // For writers other than Store (GroupCommit): the body of the holding write, and the wait for it.
  void block_inside_write() {
    entered_.set_value();
    opened_.wait();
  }
  void wait_until_inside() { entered_.get_future().wait(); }
  void release() { open_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> open_;
  std::shared_future<void> opened_ = open_.get_future().share();
};

}  // namespace edgesync::test
