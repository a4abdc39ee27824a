#include "server/webhooks/webhook_sender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
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

#include "server/http/client.hpp"

namespace edgesync::webhooks {

namespace asio = boost::asio;

namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

struct WebhookSender::State : std::enable_shared_from_this<State> {
  // One URL: its queue and the connection that delivers it. Exists while its queue is not empty, so
  // an idle URL holds no connection (a kept-alive one would go stale, and a POST is not retried
  // transparently on a stale connection).
  struct Target {
    Target(const asio::strand<asio::any_io_executor>& strand, http::Url url, http::ClientOptions options)
        : client(strand, std::move(url), std::move(options)), timer(strand) {}
    std::deque<std::string> bodies;
    http::HttpClient client;
    asio::steady_timer timer;  // the backoff before a retry
  };

  State(asio::any_io_executor executor, WebhookOptions sender_options)
      : strand(asio::make_strand(std::move(executor))), options(sender_options) {}

  asio::strand<asio::any_io_executor> strand;
  const WebhookOptions options;
  std::atomic<uint64_t> delivered{0}, failed{0}, dropped{0};
  std::atomic<size_t> queued{0};  // changed on the strand only; atomic for queued()
  // Strand only:
  std::mt19937_64 random{std::random_device{}()};
  std::map<std::string, std::shared_ptr<Target>> targets;  // url → its queue
  bool stopped = false;

  void enqueue(const std::string& url, const std::string& body) {
    if (stopped) return;
    if (queued >= options.max_queued) {
      ++dropped;
      spdlog::warn("webhooks: {} notifications are queued already; the one to {} is dropped", queued.load(), url);
      return;
    }
    ++queued;
    if (auto found = targets.find(url); found != targets.end()) {
      found->second->bodies.push_back(body);  // its drain is running and will get to it
      return;
    }
    auto parsed = http::parse_url(url);
    if (!parsed) {
      --queued;
      ++failed;
      spdlog::warn("webhooks: cannot notify {}: {}", url, parsed.status().message());
      return;
    }
    http::ClientOptions client_options;
    client_options.request_timeout = options.request_timeout;
    client_options.connect_timeout = std::min(client_options.connect_timeout, options.request_timeout);
    auto target = std::make_shared<Target>(strand, std::move(*parsed), std::move(client_options));
    target->bodies.push_back(body);
    targets.emplace(url, target);
    // Last: on the strand already, co_spawn may run the drain inline up to its first wait.
    asio::co_spawn(strand, drain(url, std::move(target)), asio::detached);
  }

  // Full jitter: a uniform wait in [0, min(max_retry, first_retry * 2^retry)].
  std::chrono::milliseconds backoff(uint32_t retry) {
    const int64_t first = std::max<int64_t>(options.first_retry.count(), 1);
    const int64_t bound = std::min<int64_t>(options.max_retry.count(), first << std::min(retry, 20u));
    return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, bound)(random));
  }

  asio::awaitable<Status> post_once(Target& target, const std::string& body) {
    http::ClientRequest request{"POST", "", {{"Content-Type", "application/json"}}, body};
    auto answer = co_await target.client.request(std::move(request));
    if (!answer) co_return answer.status();
    if (answer->status < 200 || answer->status >= 300)
      co_return Status::unavailable("answered HTTP " + std::to_string(answer->status));
    co_return Status::ok();
  }

  // Delivers one URL's queue in order, then forgets the URL.
  asio::awaitable<void> drain(std::string url, std::shared_ptr<Target> target) {
    auto self = shared_from_this();
    while (!stopped && !target->bodies.empty()) {
      const std::string body = target->bodies.front();  // stop() clears the queue under our feet
      Status status;
      for (uint32_t attempt = 0; attempt < std::max(options.max_attempts, 1u) && !stopped; ++attempt) {
        if (attempt > 0) {
          target->timer.expires_after(backoff(attempt - 1));
          co_await target->timer.async_wait(kUseTuple);
          if (stopped) break;
        }
        status = co_await post_once(*target, body);
        if (status) break;
        spdlog::debug("webhooks: attempt {} to {} failed: {}", attempt + 1, url, status.message());
      }
      if (stopped) break;
      if (status) {
        ++delivered;
      } else {
        ++failed;
        spdlog::warn("webhooks: giving up on {} after {} attempts: {}", url, options.max_attempts, status.message());
      }
      target->bodies.pop_front();
      --queued;
    }
    // A URL gets a new target (and drain) only once this one is gone from the map.
    if (auto found = targets.find(url); found != targets.end() && found->second == target) targets.erase(found);
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    for (auto& [url, target] : targets) {
      target->timer.cancel();
      target->client.close();
      queued -= target->bodies.size();
      target->bodies.clear();
    }
  }
};

WebhookSender::WebhookSender(asio::any_io_executor executor, WebhookOptions options)
    : state_(std::make_shared<State>(std::move(executor), options)) {}

WebhookSender::~WebhookSender() {
  stop();
}

void WebhookSender::notify(const std::vector<std::string>& urls, std::string metadata_json) {
  if (urls.empty()) return;
  asio::post(state_->strand, [state = state_, urls, body = std::move(metadata_json)] {
    for (const auto& url : urls) state->enqueue(url, body);
  });
}

void WebhookSender::stop() {
  asio::post(state_->strand, [state = state_] { state->stop(); });
}

uint64_t WebhookSender::delivered() const {
  return state_->delivered.load();
}
uint64_t WebhookSender::failed() const {
  return state_->failed.load();
}
uint64_t WebhookSender::dropped() const {
  return state_->dropped.load();
}
size_t WebhookSender::queued() const {
  return state_->queued.load();
}

}  // namespace edgesync::webhooks
