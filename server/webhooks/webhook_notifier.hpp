// WebhookNotifier: tells local applications through their webhooks (reference/mms-reference.md §1.8).
// When an object becomes available on this node (completely received, or deleted by its origin) its
// metadata is POSTed to every URL registered for its (org, type). The lookup happens off the commit
// thread; delivery (ordered per URL, retried with backoff, bounded) is WebhookSender's.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "server/objects/app_notifier.hpp"
#include "server/store/store.hpp"
#include "server/webhooks/webhook_sender.hpp"

namespace edgesync {

class WebhookNotifier final : public AppNotifier {
 public:
  WebhookNotifier(boost::asio::any_io_executor executor, Store& store, webhooks::WebhookOptions options = {});
  ~WebhookNotifier() override;
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  void object_available(const StoredObject& object) override;
  void stop();

  const webhooks::WebhookSender& sender() const { return *sender_; }

 private:
  boost::asio::any_io_executor executor_;
  Store& store_;
  std::shared_ptr<webhooks::WebhookSender> sender_;
};

}  // namespace edgesync
