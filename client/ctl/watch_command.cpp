// edgesyncctl watch: follow an object type's updates (the SDK's poller), one line per change.
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>

#include "client/ctl/context.hpp"

namespace edgesync::ctl {

namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_signal(int) {
  interrupted = true;
}

}  // namespace

void add_watch_command(CLI::App& app, Context& context) {
  struct Options {
    std::string type;
    int interval_ms = 1000;
    int long_poll_s = 30;
    std::string mark;
    int count = 0;
  };
  auto options = std::make_shared<Options>();
  auto* watch = app.add_subcommand("watch", "Print each update of an object type as it arrives (Ctrl-C to stop)");
  watch->add_option("-t,--type", options->type, "Object type")->required();
  watch->add_option("--interval", options->interval_ms, "Milliseconds between polls")
      ->check(CLI::Range(10, 3600000))
      ->capture_default_str();
  watch->add_option("--long-poll", options->long_poll_s, "Seconds the server may hold a poll (0: none)")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  watch->add_option("--mark", options->mark, "Mark each update received or consumed (deletions: deleted)")
      ->check(CLI::IsMember({"received", "consumed"}));
  watch->add_option("-n,--count", options->count, "Exit after this many updates (0: never)")
      ->check(CLI::Range(0, 1 << 30));
  watch->callback([&context, options] {
    auto& client = context.client();
    std::mutex mutex;
    std::condition_variable wake;
    int seen = 0;
    std::optional<client::Error> failure;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    client::PollOptions poll;
    poll.interval = std::chrono::milliseconds(options->interval_ms);
    poll.long_poll = std::chrono::seconds(options->long_poll_s);
    poll.on_error = [](const client::Error& error) {
      std::cerr << "edgesyncctl: poll failed: " << error.what() << "\n";
    };
    client::Poller poller = client.start_polling(
        options->type,
        [&](const client::ObjectMetadata& object) {
          if (context.json()) {
            std::cout << to_json(object).dump() << std::endl;
          } else {
            std::cout << (object.deleted ? "deleted " : "updated ") << object.object_type << "/" << object.object_id
                      << " version=" << object.version << " instance=" << object.instance_id << std::endl;
          }
          try {
            if (object.deleted && !options->mark.empty())
              client.mark_object_deleted(object.object_type, object.object_id);
            if (!object.deleted && options->mark == "received")
              client.mark_object_received(object.object_type, object.object_id);
            if (!object.deleted && options->mark == "consumed")
              client.mark_object_consumed(object.object_type, object.object_id);
          } catch (const client::Error& error) {
            std::lock_guard lock(mutex);
            failure = error;
          }
          std::lock_guard lock(mutex);
          ++seen;
          wake.notify_all();
        },
        poll);
    std::unique_lock lock(mutex);
    while (!interrupted && !failure && (options->count == 0 || seen < options->count))
      wake.wait_for(lock, std::chrono::milliseconds(100));
    lock.unlock();
    poller.stop();
    if (failure) throw *failure;
  });
}

}  // namespace edgesync::ctl
