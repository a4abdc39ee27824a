// Maintenance: the timers of a node's object duties — auto-activation of inactive objects whose
// activationTime passed, and (cloud) removal of expired objects. Runs as coroutines on the given
// io_context; stop() cancels them. Not copyable; stop() before destruction.
#pragma once

#include <memory>

#include "common/config.hpp"

namespace boost::asio {
class io_context;
}

namespace edgesync {

class ObjectService;

class Maintenance {
 public:
  Maintenance(boost::asio::io_context& io, ObjectService& objects, const ObjectsConfig& config);
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  void start();
  void stop();

  struct State;  // shared with the timer coroutines, which may outlive a stop() call briefly

 private:
  std::shared_ptr<State> state_;
};

}  // namespace edgesync
