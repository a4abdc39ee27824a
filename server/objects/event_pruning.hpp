// Pruning of the event stream: the maintenance duty that keeps the events table within its retention
// (events.retention_seconds, events.max_events). Each batch is one transaction, so a large backlog never
// holds the store's writer for long; the rest waits for the next round.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>

#include "common/status.hpp"
#include "server/store/store.hpp"

namespace edgesync {

// Removes the events `retention` no longer keeps, `batch_size` per transaction and at most `max_batches`
// transactions; returns how many it removed.
boost::asio::awaitable<Result<size_t>> prune_events(Store& store, EventRetention retention, int64_t now_ms,
                                                    size_t batch_size, size_t max_batches);

}  // namespace edgesync
