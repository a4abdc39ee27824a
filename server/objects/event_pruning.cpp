#include "server/objects/event_pruning.hpp"

#include "server/objects/async_store.hpp"

namespace edgesync {

boost::asio::awaitable<Result<size_t>> prune_events(Store& store, EventRetention retention, int64_t now_ms,
                                                    size_t batch_size, size_t max_batches) {
  size_t removed = 0;
  for (size_t round = 0; round < max_batches; ++round) {
    size_t this_batch = 0;
    Status status = co_await durable_write(store, [&](WriteTransaction& transaction) -> Status {
      auto pruned = transaction.prune_events(retention, now_ms, batch_size);
      if (!pruned) return pruned.status();
      this_batch = *pruned;
      return Status::ok();
    });
    if (!status) co_return status;
    removed += this_batch;
    if (this_batch < batch_size) break;  // nothing more is due
  }
  co_return removed;
}

}  // namespace edgesync
