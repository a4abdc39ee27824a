// Internal to server/http: the file a Unix-socket listener binds to. Before binding, a socket file
// left by a process that died is removed, but nothing else is: a live socket (another server answers
// on it) or a file that is not a socket makes the start fail. At stop, the file is removed only if it
// is still the one this process created (another process may have replaced it since).
#pragma once

#include <sys/types.h>

#include <string>

#include "common/status.hpp"

namespace edgesync::http {

// Makes `path` free to bind: absent, or a stale socket now removed. Errors name the path.
Status clear_stale_socket_file(const std::string& path);

// Which file a path names, to recognise it later.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
};

Result<FileIdentity> identify_file(const std::string& path);

// Removes `path` if it still names `identity`; otherwise leaves it alone.
void remove_socket_file_if_same(const std::string& path, const FileIdentity& identity);

}  // namespace edgesync::http
