#include "server/objects/maintenance.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>

#include "server/objects/object_service.hpp"

namespace edgesync {

namespace asio = boost::asio;

struct Maintenance::State {
  State(asio::io_context& io, ObjectService& objects, const ObjectsConfig& config)
      : io(io), objects(objects), config(config), activation_timer(io), expiration_timer(io) {}
  asio::io_context& io;
  ObjectService& objects;
  ObjectsConfig config;
  asio::steady_timer activation_timer;
  asio::steady_timer expiration_timer;
  bool stopped = false;
};

namespace {

using Duty = std::function<asio::awaitable<Result<size_t>>()>;

asio::awaitable<void> repeat(std::shared_ptr<Maintenance::State> state, asio::steady_timer& timer, uint32_t seconds,
                             const char* name, Duty duty) {
  while (!state->stopped) {
    timer.expires_after(std::chrono::seconds(seconds));
    boost::system::error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    if (error || state->stopped) co_return;
    auto changed = co_await duty();
    if (!changed) {
      spdlog::warn("{} failed: {}", name, changed.status().message());
    } else if (*changed > 0) {
      spdlog::info("{}: {} object(s)", name, *changed);
    }
  }
}

}  // namespace

Maintenance::Maintenance(asio::io_context& io, ObjectService& objects, const ObjectsConfig& config)
    : state_(std::make_shared<State>(io, objects, config)) {}

Maintenance::~Maintenance() {
  stop();
}

void Maintenance::start() {
  auto state = state_;
  asio::co_spawn(state->io,
                 repeat(state, state->activation_timer, state->config.activation_interval_seconds, "auto-activation",
                        [state] { return state->objects.activate_due_objects(); }),
                 asio::detached);
  asio::co_spawn(state->io,
                 repeat(state, state->expiration_timer, state->config.maintenance_interval_seconds, "expiration",
                        [state] { return state->objects.remove_expired_objects(); }),
                 asio::detached);
}

void Maintenance::stop() {
  auto state = state_;
  // Timers belong to the io_context's threads; cancel there.
  asio::post(state->io, [state] {
    state->stopped = true;
    state->activation_timer.cancel();
    state->expiration_timer.cancel();
  });
}

}  // namespace edgesync
