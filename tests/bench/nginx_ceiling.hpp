// nginx on 127.0.0.1 serving a tiny static file, started for one run of the ceiling measurement, so
// edgesync's figures can be quoted as a share of what this machine's best HTTP server does here.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>

namespace edgesync::bench {

class Nginx {
 public:
  // nullopt when nginx is not installed (Debian: nginx-light).
  static std::optional<Nginx> start(const std::filesystem::path& work_dir);
  Nginx(Nginx&& other) noexcept;
  Nginx& operator=(Nginx&&) = delete;
  ~Nginx();
  uint16_t port() const { return port_; }
  static constexpr const char* kPath = "/tiny.txt";

 private:
  Nginx(pid_t pid, uint16_t port) : pid_(pid), port_(port) {}
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace edgesync::bench
