#include "server/http/unix_socket_file.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edgesync::http {

namespace {

Status failure(const std::string& path, const std::string& why) {
  return Status::invalid("http.unix_socket: " + path + ": " + why, "http.unix_socket");
}

// True when a server accepts connections on the socket at `path` (connect succeeds).
Result<bool> is_served(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return failure(path, "the path is too long for a Unix socket");
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return failure(path, std::string("cannot create a probe socket: ") + std::strerror(errno));
  const int connected = ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  const int reason = errno;
  ::close(probe);
  if (connected == 0) return true;
  // Refused: a socket file nobody listens on, which a killed process leaves behind.
  if (reason == ECONNREFUSED || reason == ENOENT) return false;
  return failure(path, std::string("cannot tell whether the socket is in use: ") + std::strerror(reason));
}

}  // namespace

Status clear_stale_socket_file(const std::string& path) {
  struct stat status {};
  if (::lstat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return Status::ok();
    return failure(path, std::strerror(errno));
  }
  if (!S_ISSOCK(status.st_mode)) return failure(path, "exists and is not a socket; refusing to replace it");
  auto served = is_served(path);
  if (!served) return served.status();
  if (*served) return failure(path, "another process is serving on this socket");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return failure(path, std::string("cannot remove the stale socket: ") + std::strerror(errno));
  return Status::ok();
}

Result<FileIdentity> identify_file(const std::string& path) {
  struct stat status {};
  if (::lstat(path.c_str(), &status) != 0) return failure(path, std::strerror(errno));
  return FileIdentity{status.st_dev, status.st_ino};
}

void remove_socket_file_if_same(const std::string& path, const FileIdentity& identity) {
  struct stat status {};
  if (::lstat(path.c_str(), &status) != 0) return;
  if (status.st_dev == identity.device && status.st_ino == identity.inode) ::unlink(path.c_str());
}

}  // namespace edgesync::http
