#include "server/store/plugin/host_log_sink.hpp"

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace edgesync {
namespace {

// The host's callback is thread-safe and formats the line itself (time, level, text or JSON): the sink
// passes the bare message, so it needs neither a lock nor a formatter of its own.
class HostSink final : public spdlog::sinks::sink {
 public:
  HostSink(EdgesyncStorePluginLog log, void* context) : log_(log), context_(context) {}

  void log(const spdlog::details::log_msg& message) override {
    log_(context_, static_cast<int>(message.level), message.payload.data(), message.payload.size());
  }
  void flush() override {}
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

 private:
  EdgesyncStorePluginLog log_;
  void* context_;
};

}  // namespace

void route_logs_to_host(const EdgesyncStorePluginArgs& args) {
  if (args.log == nullptr) return;
  // Installed once: replacing the default logger would destroy the one that another store's threads
  // may be logging through (spdlog hands out a raw pointer to it). Later opens set its level only.
  static const std::shared_ptr<spdlog::logger> logger = [&] {
    auto made = std::make_shared<spdlog::logger>("edgesync", std::make_shared<HostSink>(args.log, args.log_context));
    spdlog::set_default_logger(made);
    return made;
  }();
  logger->set_level(static_cast<spdlog::level::level_enum>(args.log_level));
}

}  // namespace edgesync
