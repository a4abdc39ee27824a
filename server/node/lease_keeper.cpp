#include "server/node/lease_keeper.hpp"

#include <spdlog/spdlog.h>
#include <limits>

#include "server/node/fenced_store.hpp"

namespace edgesync {

LeaseKeeper::LeaseKeeper(Store& store, std::string name, std::chrono::milliseconds ttl)
    : store_(store), name_(std::move(name)), ttl_(ttl), instance_id_(store.cluster_instance_id()) {
  fenced_ = make_fenced_store(store_, [this](WriteTransaction& transaction) -> Status {
    // The epoch as it is when the write runs: a write queued before a takeover and run after it fails.
    if (!holds())
      return Status::conflict("instance " + std::to_string(instance_id_) + " no longer holds lease " + name_);
    return transaction.check_lease(name_, instance_id_, epoch_.load());
  });
  if (!store_.is_shared()) {
    // Nobody else can run the duties: held for good.
    held_ = true;
    held_until_ns_ = std::numeric_limits<int64_t>::max();
    epoch_ = 1;
    holder_ = instance_id_;
  }
}

LeaseKeeper::~LeaseKeeper() {
  stop();
}

int64_t LeaseKeeper::steady_now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool LeaseKeeper::holds() const {
  return held_.load() && steady_now_ns() < held_until_ns_.load();
}

void LeaseKeeper::start() {
  if (!store_.is_shared() || thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void LeaseKeeper::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (store_.is_shared() && held_.exchange(false)) {
    if (Status released = store_.release_lease(name_, instance_id_); released) {
      spdlog::info("lease {}: released by instance {} (epoch {})", name_, instance_id_, epoch_.load());
    }
  }
}

void LeaseKeeper::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    ask();
    lock.lock();
    // A third of the lease: two renewals may fail (a slow or restarting database) before it runs out.
    wake_.wait_for(lock, ttl_ / 3, [&] { return stopping_; });
  }
}

void LeaseKeeper::ask() {
  const int64_t asked_at = steady_now_ns();
  auto answer = store_.acquire_lease(name_, instance_id_, ttl_);
  const bool had = holds();
  if (answer && answer->held) {
    if (!had || answer->epoch != epoch_.load()) {
      ++acquired_;
      spdlog::info("lease {}: acquired by instance {} (epoch {}, {} ms)", name_, instance_id_, answer->epoch,
                   ttl_.count());
    }
    epoch_ = answer->epoch;
    holder_ = instance_id_;
    held_until_ns_ = asked_at + std::chrono::duration_cast<std::chrono::nanoseconds>(ttl_).count();
    held_ = true;
    return;
  }
  if (answer) {
    holder_ = answer->holder;
    if (held_.exchange(false)) {
      ++lost_;
      spdlog::warn("lease {}: lost by instance {}; instance {} holds it (epoch {})", name_, instance_id_,
                   answer->holder, answer->epoch);
    }
    return;
  }
  // The database did not answer: keep the duties only while the lease taken before lasts.
  if (held_.load() && !holds()) {
    held_ = false;
    ++lost_;
    spdlog::warn("lease {}: lost by instance {}: not renewed in time ({})", name_, instance_id_,
                 answer.status().message());
  } else {
    spdlog::warn("lease {}: cannot ask the database: {}", name_, answer.status().message());
  }
}

void LeaseKeeper::write_metrics(metrics::Exposition& out) const {
  out.family("edgesync_instance_id", "gauge", "This instance's id among the instances sharing its database.");
  out.sample("edgesync_instance_id", {}, instance_id_);
  out.family("edgesync_lease_held", "gauge", "1 while this instance holds the lease of the background duties.");
  out.sample("edgesync_lease_held", {{"lease", name_}}, static_cast<int64_t>(holds() ? 1 : 0));
  out.family("edgesync_lease_epoch", "gauge", "The lease's epoch (fencing token) as this instance last saw it.");
  out.sample("edgesync_lease_epoch", {{"lease", name_}}, epoch_.load());
  out.family("edgesync_lease_holder", "gauge", "The instance that held the lease when this one last asked.");
  out.sample("edgesync_lease_holder", {{"lease", name_}}, holder_.load());
  out.family("edgesync_lease_transitions_total", "counter", "Times this instance acquired or lost the lease.");
  out.sample("edgesync_lease_transitions_total", {{"lease", name_}, {"change", "acquired"}}, acquired_.load());
  out.sample("edgesync_lease_transitions_total", {{"lease", name_}, {"change", "lost"}}, lost_.load());
}

}  // namespace edgesync
