// receive_file: receives the files send_file publishes (objects of type "send-file"), as MMS's
// cmd/receive-file: by polling (default) or through a webhook (-w). Each file is written to a
// temporary file in --dir and renamed into place, then marked consumed (or received with
// --received); a deletion removes the file and is acknowledged. Stops on Enter, or after --count.
//
//   receive_file --server http://127.0.0.1:8081 --key myorg/app --secret s --dir ./in [-w]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <edgesync/client.hpp>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "webhook_listener.hpp"

namespace sdk = edgesync::client;

namespace {

std::atomic<bool> signalled{false};

extern "C" void on_signal(int) {
  signalled = true;
}

// "key:secret" in --key/--user (as curl -u and hzn -u) when --secret is not given.
void split_credentials(sdk::ClientOptions& options) {
  const size_t colon = options.app_key.find(':');
  if (colon == std::string::npos || !options.app_secret.empty()) return;
  options.app_secret = options.app_key.substr(colon + 1);
  options.app_key.resize(colon);
}

struct Receiver {
  sdk::SyncClient& client;
  std::filesystem::path dir;
  bool mark_received = false;
  std::mutex mutex;
  std::condition_variable changed;
  int handled = 0;

  // false when the object could not be handled (the caller may offer it again).
  bool handle(const sdk::ObjectMetadata& object) {
    std::lock_guard serialize(mutex);  // webhook and poller both call from one thread; keep it simple
    const std::string name = object.object_id.substr(0, object.object_id.find('@'));
    const auto file = dir / std::filesystem::path(name).filename();
    try {
      if (object.deleted) {
        std::filesystem::remove(file);
        client.mark_object_deleted(object.object_type, object.object_id);
        std::cout << "Deleted " << file.string() << std::endl;
      } else {
        client.fetch_object_data(object.object_type, object.object_id, file);
        if (mark_received) {
          client.mark_object_received(object.object_type, object.object_id);
        } else {
          client.mark_object_consumed(object.object_type, object.object_id);
        }
        std::cout << "Received " << file.string() << std::endl;
      }
      ++handled;
    } catch (const std::exception& error) {
      std::cerr << "receive_file: " << object.object_id << ": " << error.what() << std::endl;
      return false;
    }
    changed.notify_all();
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Receive the files send_file publishes (objects of type send-file)"};
  sdk::ClientOptions options;
  options.url = "http://localhost:8080";
  std::string dir = ".";
  std::string type = "send-file";
  bool webhook = false;
  bool received = false;
  int interval_ms = 10000;
  int count = 0;
  app.add_option("-s,--server,--url", options.url, "Server URL (http[s]://host:port, unix:///socket)")
      ->capture_default_str();
  app.add_option("--org", options.org, "Organization (cloud)");
  app.add_option("--key,--user", options.app_key, "App key, or key:secret");
  app.add_option("--type", type, "Object type to receive")->capture_default_str();
  app.add_option("--secret", options.app_secret, "App secret");
  app.add_option("--cert", options.ca_file, "CA certificate (PEM) for https");
  app.add_option("--dir", dir, "Where to write the files")->check(CLI::ExistingDirectory)->capture_default_str();
  app.add_flag("-w,--webhook", webhook, "Be told through a webhook instead of polling");
  app.add_flag("--received", received, "Mark files received instead of consumed");
  app.add_option("--interval-ms", interval_ms, "Polling interval")
      ->check(CLI::Range(10, 3600000))
      ->capture_default_str();
  app.add_option("--count", count,
                 "Exit after this many files or deletions (0: on Enter, or on SIGTERM/SIGINT without a terminal)");
  CLI11_PARSE(app, argc, argv);
  split_credentials(options);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  try {
    sdk::SyncClient client(options);
    Receiver receiver{client, dir, received};
    std::unique_ptr<example::WebhookListener> listener;
    std::thread listening;
    std::string webhook_url;
    sdk::Poller poller;
    if (webhook) {
      listener = std::make_unique<example::WebhookListener>([&](const std::string& body) {
        try {
          receiver.handle(sdk::metadata_from_json(body));
        } catch (const sdk::Error& error) {
          std::cerr << "receive_file: bad webhook call: " << error.what() << std::endl;
        }
      });
      webhook_url = "http://127.0.0.1:" + std::to_string(listener->port()) + "/updates";
      client.register_webhook(type, webhook_url);
      listening = std::thread([&] { listener->serve(); });
      std::cout << "Waiting for files (webhook " << webhook_url << ")" << std::endl;
    } else {
      sdk::PollOptions poll;
      poll.interval = std::chrono::milliseconds(interval_ms);
      poll.on_error = [](const sdk::Error& error) {
        std::cerr << "receive_file: poll failed: " << error.what() << std::endl;
      };
      // A callback that throws gets the object again on the next poll (e.g. its data was briefly
      // unreadable): the file is not lost.
      poller = client.start_polling(
          type,
          [&](const sdk::ObjectMetadata& object) {
            if (!receiver.handle(object)) throw std::runtime_error("not handled; it is offered again");
          },
          poll);
      std::cout << "Waiting for files (polling)" << std::endl;
    }

    if (count == 0 && ::isatty(STDIN_FILENO)) {
      std::string line;
      std::getline(std::cin, line);
    } else {  // until --count files, or a signal (a service without a terminal)
      std::unique_lock lock(receiver.mutex);
      while (!signalled && (count == 0 || receiver.handled < count))
        receiver.changed.wait_for(lock, std::chrono::milliseconds(100));
    }
    poller.stop();
    if (listener) {
      listener->stop();
      listening.join();
      client.delete_webhook(type, webhook_url);
    }
  } catch (const sdk::Error& error) {
    std::cerr << "receive_file: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
