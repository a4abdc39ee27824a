// WebhookNotifier: tells local applications through their webhooks (reference/mms-reference.md §1.8).
// When an object becomes available on this node (completely received, or deleted by its origin) its
// metadata is POSTed (Content-Type: application/json) to every URL registered for its (org, type).
//
// Never blocks the sync path: object_available() only queues. Each URL has its own queue, delivered in
// order by its own coroutine, so a slow or dead URL delays nobody else. A failed POST (transport error
// or non-2xx) is retried with exponential backoff and full jitter up to max_attempts, then given up
// with a warning. The queue is bounded; past it new notifications are dropped (counted, warned).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>

#include "server/objects/app_notifier.hpp"
#include "server/store/store.hpp"

namespace edgesync {

struct WebhookOptions {
  uint32_t max_attempts = 5;
  std::chrono::milliseconds first_retry{500};
  std::chrono::milliseconds max_retry{30000};
  std::chrono::milliseconds request_timeout{10000};
  size_t max_queued = 10000;
};

class WebhookNotifier final : public AppNotifier {
 public:
  WebhookNotifier(boost::asio::any_io_executor executor, Store& store, WebhookOptions options = {});
  ~WebhookNotifier() override;
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  void object_available(const StoredObject& object) override;
  // Drops what is queued and cancels what is in flight; safe to call twice.
  void stop();

  uint64_t delivered() const;
  uint64_t failed() const;   // given up after max_attempts
  uint64_t dropped() const;  // queue full

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace edgesync
