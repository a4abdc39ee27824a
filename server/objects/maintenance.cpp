#include "server/objects/maintenance.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <limits>
#include <vector>

#include "server/objects/object_service.hpp"

namespace edgesync {

namespace asio = boost::asio;

struct Maintenance::State {
  State(asio::io_context& io, ObjectService& objects, const Options& options)
      : io(io),
        objects(objects),
        config(options.objects),
        owners(options.owners),
        cascade_budget(options.cascade_batch_budget),
        may_run(options.may_run),
        activation_timer(io),
        expiration_timer(io),
        owners_timer(io) {}
  asio::io_context& io;
  ObjectService& objects;
  ObjectsConfig config;
  OwnersConfig owners;
  size_t cascade_budget;  // touched only by the owners coroutine
  std::function<bool()> may_run;
  asio::steady_timer activation_timer;
  asio::steady_timer expiration_timer;
  asio::steady_timer owners_timer;
  struct AddedDuty {
    AddedDuty(asio::io_context& io, std::string name, std::chrono::milliseconds interval, Duty duty)
        : name(std::move(name)), interval(interval), duty(std::move(duty)), timer(io) {}
    std::string name;
    std::chrono::milliseconds interval;
    Duty duty;
    asio::steady_timer timer;
  };
  std::vector<std::unique_ptr<AddedDuty>> added;  // fixed before start()
  bool stopped = false;
};

namespace {

using Duty = Maintenance::Duty;

asio::awaitable<void> repeat(std::shared_ptr<Maintenance::State> state, asio::steady_timer& timer,
                             std::chrono::milliseconds interval, const char* name, Duty duty) {
  while (!state->stopped) {
    timer.expires_after(interval);
    boost::system::error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    if (error || state->stopped) co_return;
    if (state->may_run && !state->may_run()) continue;
    auto changed = co_await duty();
    if (!changed) {
      spdlog::warn("{} failed: {}", name, changed.status().message());
    } else if (*changed > 0) {
      spdlog::info("{}: {} object(s)", name, *changed);
    }
  }
}

// One round of the owner duties: the queued cascades, then the references due for validation.
asio::awaitable<Result<size_t>> owner_duties(std::shared_ptr<Maintenance::State> state) {
  const size_t batch = state->owners.batch_size;
  size_t changed = 0;
  if (state->cascade_budget > 0) {
    // A few batches per round, so a huge cascade does not hold the io thread's turn for long.
    const size_t batches = std::min<size_t>(state->cascade_budget, 16);
    auto released = co_await state->objects.run_owner_cascades(batch, batches);
    if (!released) co_return released.status();
    if (*released > 0 && state->cascade_budget != std::numeric_limits<size_t>::max()) {
      state->cascade_budget -= std::min(state->cascade_budget, (*released + batch - 1) / batch);
      if (state->cascade_budget == 0) spdlog::warn("owner cascades stopped by the test fault budget");
    }
    changed += *released;
  }
  auto dropped = co_await state->objects.expire_owner_references(
      std::chrono::seconds(state->owners.validation_timeout_seconds), batch);
  if (!dropped) co_return dropped.status();
  co_return changed + *dropped;
}

}  // namespace

Maintenance::Maintenance(asio::io_context& io, ObjectService& objects, const Options& options)
    : state_(std::make_shared<State>(io, objects, options)) {}

Maintenance::~Maintenance() {
  stop();
}

void Maintenance::add_duty(std::string name, std::chrono::milliseconds interval, Duty duty) {
  state_->added.push_back(std::make_unique<State::AddedDuty>(state_->io, std::move(name), interval, std::move(duty)));
}

void Maintenance::start() {
  auto state = state_;
  for (auto& added : state->added) {
    asio::co_spawn(state->io, repeat(state, added->timer, added->interval, added->name.c_str(), added->duty),
                   asio::detached);
  }
  asio::co_spawn(state->io,
                 repeat(state, state->activation_timer, std::chrono::seconds(state->config.activation_interval_seconds),
                        "auto-activation", [state] { return state->objects.activate_due_objects(); }),
                 asio::detached);
  asio::co_spawn(
      state->io,
      repeat(state, state->expiration_timer, std::chrono::seconds(state->config.maintenance_interval_seconds),
             "expiration", [state] { return state->objects.remove_expired_objects(); }),
      asio::detached);
  asio::co_spawn(state->io,
                 repeat(state, state->owners_timer, std::chrono::milliseconds(state->owners.check_interval_ms),
                        "owner references", [state] { return owner_duties(state); }),
                 asio::detached);
}

void Maintenance::stop() {
  auto state = state_;
  // Timers belong to the io_context's threads; cancel there.
  asio::post(state->io, [state] {
    state->stopped = true;
    state->activation_timer.cancel();
    state->expiration_timer.cancel();
    state->owners_timer.cancel();
    for (auto& added : state->added) added->timer.cancel();
  });
}

}  // namespace edgesync
