// WebhookSender: delivers webhook POSTs (a JSON body, Content-Type: application/json) to URLs.
//
// Knows nothing of objects or the store: the caller finds the URLs registered for an object and its
// metadata JSON, and calls notify(), which only queues. Each URL has its own queue, delivered in order
// by its own coroutine and HttpClient, so a slow or dead URL delays nobody else. A failed POST
// (transport error or a non-2xx answer) is retried with exponential backoff and full jitter up to
// max_attempts, then given up with a warning (failed()). A URL that cannot be used at all (https,
// malformed) fails at once. The queue is bounded over all URLs: past max_queued, new notifications are
// dropped with a warning (dropped()); what is queued keeps its order.
//
// Thread-safe: every method may be called from any thread; the work runs on a strand of the executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edgesync::webhooks {

struct WebhookOptions {
  uint32_t max_attempts = 5;                         // POSTs per notification, the first one included
  std::chrono::milliseconds first_retry{500};        // backoff bound before the second attempt
  std::chrono::milliseconds max_retry{30000};        // backoff bound never exceeds this
  std::chrono::milliseconds request_timeout{10000};  // one POST, connect to answer
  size_t max_queued = 10000;                         // notifications waiting, over all URLs
};

class WebhookSender {
 public:
  explicit WebhookSender(boost::asio::any_io_executor executor, WebhookOptions options = {});
  ~WebhookSender();  // stop()s; deliveries in flight end on the executor, which must outlive them
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Queues one POST of metadata_json to each url; returns at once, never blocks.
  void notify(const std::vector<std::string>& urls, std::string metadata_json);
  // Drops what is queued (and pending retries) and cancels what is in flight; safe to call twice.
  void stop();

  uint64_t delivered() const;
  uint64_t failed() const;   // given up after max_attempts, or a URL that cannot be used
  uint64_t dropped() const;  // the queue was full
  size_t queued() const;     // notifications waiting or being delivered, over all URLs

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace edgesync::webhooks
