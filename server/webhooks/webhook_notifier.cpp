#include "server/webhooks/webhook_notifier.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "common/metadata_codec.hpp"

namespace edgesync {

WebhookNotifier::WebhookNotifier(boost::asio::any_io_executor executor, Store& store, webhooks::WebhookOptions options)
    : executor_(executor), store_(store), sender_(std::make_shared<webhooks::WebhookSender>(executor, options)) {}

WebhookNotifier::~WebhookNotifier() {
  stop();
}

void WebhookNotifier::object_available(const StoredObject& object) {
  // Called after a commit, on the store's commit thread: the lookup goes to the executor.
  boost::asio::post(executor_, [this, sender = sender_, object] {
    auto urls = store_.list_webhooks(object.metadata.destination_org_id, object.metadata.object_type);
    if (!urls) {
      spdlog::warn("webhooks: cannot list the webhooks of {}: {}", object.key().to_string(), urls.status().message());
      return;
    }
    if (!urls->empty()) sender->notify(*urls, metadata_to_text(object.metadata, true));
  });
}

void WebhookNotifier::stop() {
  sender_->stop();
}

}  // namespace edgesync
