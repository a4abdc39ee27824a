// A Store that passes everything through to another, except that each write first runs a check inside
// its own transaction (the lease's fencing, lease_keeper.hpp): a write whose check fails is rolled
// back with the check's error and nothing of it is committed.
#pragma once

#include <functional>
#include <memory>

#include "server/store/store.hpp"

namespace edgesync {

// Called inside each write before it; a non-OK answer fails the write.
using WriteCheck = std::function<Status(WriteTransaction& transaction)>;

std::unique_ptr<Store> make_fenced_store(Store& store, WriteCheck check);

}  // namespace edgesync
