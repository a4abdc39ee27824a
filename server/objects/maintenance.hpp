// Maintenance: the timers of a node's object duties — auto-activation of inactive objects whose
// activationTime passed, (cloud) removal of expired objects, and the owner-reference duties (cascading
// deleted owners to their ownees, dropping references whose owner never appeared), and the duties other
// layers add (the event stream's pruning, the cloud's lost-node check). Runs as coroutines on the given
// io_context; stop() cancels them. Not copyable; stop() before destruction.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "common/config.hpp"
#include "common/status.hpp"

namespace boost::asio {
class io_context;
}

namespace edgesync {

class ObjectService;

class Maintenance {
 public:
  struct Options {
    ObjectsConfig objects;
    OwnersConfig owners;
    // Test-only fault injection: the cascade stops for good after this many batches (a process to be
    // killed mid-cascade). Never set in production.
    size_t cascade_batch_budget = std::numeric_limits<size_t>::max();
    // Asked before every round of every duty: false skips the round (another instance on the same
    // database holds the duties' lease, node/lease_keeper.hpp). Always run when empty.
    std::function<bool()> may_run;
  };

  Maintenance(boost::asio::io_context& io, ObjectService& objects, const Options& options);
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  // One round of a duty; returns how many things it changed (logged when not 0).
  using Duty = std::function<boost::asio::awaitable<Result<size_t>>()>;
  // Adds a duty run every `interval` (after it, first). Before start().
  void add_duty(std::string name, std::chrono::milliseconds interval, Duty duty);

  void start();
  void stop();

  struct State;  // shared with the timer coroutines, which may outlive a stop() call briefly

 private:
  std::shared_ptr<State> state_;
};

}  // namespace edgesync
