// Poller: a thread that polls one object type on its own connection and calls back once per change.
// Dedup as the MMS Go client: a change is an object whose key (type, id, instanceID, deleted) was
// not in the previous poll's answer; the set is rebuilt from every answer.
#include <condition_variable>
#include <set>
#include <thread>

#include "client/src/sync_client_impl.hpp"

namespace edgesync::client {

struct Poller::State {
  std::unique_ptr<SyncClient::Impl> connection;
  std::string type;
  UpdateCallback callback;
  PollOptions options;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;

  void run();
  // false when stopping.
  bool wait_for(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, duration, [this] { return stopping; });
    return !stopping;
  }
  bool is_stopping() {
    std::lock_guard lock(mutex);
    return stopping;
  }
};

void Poller::State::run() {
  std::set<std::string> previous;
  bool first = true;
  while (!is_stopping()) {
    const auto started = std::chrono::steady_clock::now();
    bool delivered = false;
    try {
      // The first poll includes objects already marked received (an earlier run may not have
      // finished with them), as the Go client.
      auto objects = connection->list_updated(type, first, first ? std::chrono::seconds(0) : options.long_poll);
      first = false;
      std::set<std::string> current;
      for (const auto& object : objects) {
        std::string key = object.object_type + ":" + object.object_id + ":" + std::to_string(object.instance_id) + ":" +
                          (object.deleted ? "true" : "false");
        const bool seen = previous.count(key) > 0;
        current.insert(key);
        if (seen) continue;
        if (is_stopping()) return;
        try {
          callback(object);
          delivered = true;
        } catch (const std::exception& exception) {
          current.erase(key);  // not handled: offered again on the next poll
          if (options.on_error)
            options.on_error(
                Error(ErrorKind::kInvalidInput, 0, std::string("Update callback failed: ") + exception.what()));
        }
      }
      previous = std::move(current);
    } catch (const Error& error) {
      if (error.kind() == ErrorKind::kStopped || is_stopping()) return;
      if (options.on_error) options.on_error(error);
    }
    // Poll again at once after delivering (more may be waiting); else keep to the interval.
    if (delivered) continue;
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (elapsed < options.interval && !wait_for(options.interval - elapsed)) return;
  }
}

Poller::Poller() = default;
Poller::Poller(std::shared_ptr<State> state) : state_(std::move(state)) {}
Poller::Poller(Poller&&) noexcept = default;

Poller& Poller::operator=(Poller&& other) noexcept {
  if (this != &other) {
    stop();
    state_ = std::move(other.state_);
  }
  return *this;
}

Poller::~Poller() {
  stop();
}

void Poller::stop() {
  if (!state_) return;
  std::shared_ptr<State> state = std::move(state_);
  {
    std::lock_guard lock(state->mutex);
    state->stopping = true;
  }
  state->wake.notify_all();
  state->connection->transport->cancel();
  if (state->thread.get_id() == std::this_thread::get_id()) {
    state->thread.detach();  // stop() from the callback: the thread holds the state and ends by itself
  } else if (state->thread.joinable()) {
    state->thread.join();
  }
}

bool Poller::running() const {
  return state_ && !state_->is_stopping();
}

Poller SyncClient::start_polling(const std::string& type, UpdateCallback callback, PollOptions options) {
  if (!callback) throw Error(ErrorKind::kInvalidInput, 0, "start_polling needs a callback");
  auto state = std::make_shared<Poller::State>();
  state->connection = std::make_unique<Impl>(impl_->options);
  state->type = type;
  state->callback = std::move(callback);
  state->options = std::move(options);
  state->thread = std::thread([state] { state->run(); });
  return Poller(state);
}

}  // namespace edgesync::client
