#include "server/webhooks/webhook_notifier.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <map>
#include <random>
#include <set>

#include "common/metadata_codec.hpp"
#include "server/http/client.hpp"

namespace edgesync {

namespace asio = boost::asio;

struct WebhookNotifier::State : std::enable_shared_from_this<State> {
  State(asio::any_io_executor executor, Store& node_store, WebhookOptions webhook_options)
      : strand(asio::make_strand(executor)), store(node_store), options(webhook_options) {}

  asio::strand<asio::any_io_executor> strand;
  Store& store;
  WebhookOptions options;
  std::mt19937_64 random{std::random_device{}()};
  // Strand-only.
  std::map<std::string, std::deque<std::string>> queues;  // url → bodies
  std::map<std::string, std::shared_ptr<asio::steady_timer>> retry_timers;
  std::map<std::string, std::shared_ptr<http::HttpClient>> clients;
  size_t queued = 0;
  bool stopped = false;
  std::atomic<uint64_t> delivered{0}, failed{0}, dropped{0};

  void enqueue(const std::string& url, const std::string& body) {
    if (stopped) return;
    if (queued >= options.max_queued) {
      ++dropped;
      spdlog::warn("webhooks: queue full ({}); the notification to {} is dropped", queued, url);
      return;
    }
    auto& queue = queues[url];
    queue.push_back(body);
    ++queued;
    if (queue.size() == 1) asio::co_spawn(strand, drain(url), asio::detached);
  }

  std::chrono::milliseconds backoff(uint32_t attempt) {
    const int64_t cap =
        std::min<int64_t>(options.max_retry.count(), options.first_retry.count() << std::min(attempt, 20u));
    return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(cap / 2, cap)(random));
  }

  asio::awaitable<Status> post_once(const std::string& url, const std::string& body) {
    auto parsed = http::parse_url(url);
    if (!parsed) co_return parsed.status();
    auto& client = clients[url];
    if (!client) {
      http::ClientOptions client_options;
      client_options.request_timeout = options.request_timeout;
      client = std::make_shared<http::HttpClient>(strand, *parsed, client_options);
    }
    auto keep = client;
    http::ClientRequest request{"POST", "", {{"Content-Type", "application/json"}}, body};
    auto answer = co_await keep->request(std::move(request));
    if (!answer) co_return answer.status();
    if (answer->status < 200 || answer->status >= 300)
      co_return Status::unavailable("answered " + std::to_string(answer->status));
    co_return Status::ok();
  }

  // Delivers one URL's queue in order.
  asio::awaitable<void> drain(std::string url) {
    auto self = shared_from_this();
    while (!stopped) {
      auto found = queues.find(url);
      if (found == queues.end() || found->second.empty()) break;
      const std::string body = found->second.front();
      Status status;
      for (uint32_t attempt = 0; attempt < options.max_attempts && !stopped; ++attempt) {
        if (attempt > 0) {
          auto timer = std::make_shared<asio::steady_timer>(strand, backoff(attempt - 1));
          retry_timers[url] = timer;
          co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
          retry_timers.erase(url);
          if (stopped) break;
        }
        status = co_await post_once(url, body);
        if (status) break;
      }
      if (stopped) break;
      if (status) {
        ++delivered;
      } else {
        ++failed;
        spdlog::warn("webhooks: giving up on {} after {} attempts: {}", url, options.max_attempts, status.message());
      }
      found = queues.find(url);
      if (found != queues.end() && !found->second.empty()) {
        found->second.pop_front();
        --queued;
      }
    }
    auto found = queues.find(url);
    if (found != queues.end() && found->second.empty()) queues.erase(found);
  }
};

WebhookNotifier::WebhookNotifier(asio::any_io_executor executor, Store& store, WebhookOptions options)
    : state_(std::make_shared<State>(std::move(executor), store, options)) {}

WebhookNotifier::~WebhookNotifier() {
  stop();
}

void WebhookNotifier::object_available(const StoredObject& object) {
  // Called after a commit (on the store's commit thread): the webhook lookup and everything after it
  // happen on the notifier's strand.
  asio::post(state_->strand, [state = state_, object] {
    if (state->stopped) return;
    auto urls = state->store.list_webhooks(object.metadata.destination_org_id, object.metadata.object_type);
    if (!urls) {
      spdlog::warn("webhooks: cannot list the webhooks of {}: {}", object.key().to_string(), urls.status().message());
      return;
    }
    if (urls->empty()) return;
    const std::string body = metadata_to_text(object.metadata, true);
    for (const auto& url : *urls) state->enqueue(url, body);
  });
}

void WebhookNotifier::stop() {
  asio::post(state_->strand, [state = state_] {
    if (state->stopped) return;
    state->stopped = true;
    for (auto& [url, timer] : state->retry_timers) timer->cancel();
    for (auto& [url, client] : state->clients) client->close();
    state->queues.clear();
    state->queued = 0;
  });
}

uint64_t WebhookNotifier::delivered() const {
  return state_->delivered.load();
}
uint64_t WebhookNotifier::failed() const {
  return state_->failed.load();
}
uint64_t WebhookNotifier::dropped() const {
  return state_->dropped.load();
}

}  // namespace edgesync
