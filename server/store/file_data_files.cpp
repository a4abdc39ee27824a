#include "server/store/file_data_files.hpp"

#include "server/store/data_name.hpp"
#include "server/store/sha256.hpp"
#include "server/store/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>

namespace edgesync {
namespace fs = std::filesystem;

namespace {

constexpr const char* kObjectsDir = "objects";
constexpr const char* kTempDir = "tmp";
constexpr const char* kUploadsDir = "uploads";
constexpr size_t kHashBufferBytes = 1 << 20;

Status errno_status(const std::string& what) {
  return Status::io_error(what + ": " + std::strerror(errno));
}

Status write_all(int fd, const char* data, size_t size, off_t offset, bool positional) {
  while (size > 0) {
    const ssize_t written = positional ? ::pwrite(fd, data, size, offset) : ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno_status("write failed");
    }
    if (written == 0) return Status::io_error("write failed: no progress");  // would loop for ever
    data += written;
    size -= static_cast<size_t>(written);
    offset += written;
  }
  return Status::ok();
}

Status fsync_directory(const fs::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open " + directory.string());
  const Status synced = ::fsync(fd) == 0 ? Status::ok() : errno_status("fsync of " + directory.string() + " failed");
  ::close(fd);
  return synced;
}

// Hashes a whole file in bounded reads: its size and lowercase hex SHA-256.
Result<std::pair<uint64_t, std::string>> hash_file(int fd) {
  Sha256 hash;
  std::vector<char> buffer(kHashBufferBytes);
  uint64_t size = 0;
  off_t offset = 0;
  while (true) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("read failed");
    }
    if (n == 0) break;
    hash.update(buffer.data(), static_cast<size_t>(n));
    size += static_cast<uint64_t>(n);
    offset += n;
  }
  return std::make_pair(size, hash.hex());
}

class FileWriter final : public DataFileWriter {
 public:
  FileWriter(fs::path temp_path, fs::path final_path, std::string name, int fd)
      : temp_path_(std::move(temp_path)), final_path_(std::move(final_path)), name_(std::move(name)), fd_(fd) {}
  ~FileWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!finished_) ::unlink(temp_path_.c_str());
  }

  Status append(std::span<const char> bytes) override {
    if (fd_ < 0) return Status::internal("the data file was already finished");
    if (Status status = write_all(fd_, bytes.data(), bytes.size(), 0, false); !status) return status;
    hash_.update(bytes.data(), bytes.size());
    size_ += bytes.size();
    return Status::ok();
  }

  Result<Finished> finish() override {
    if (fd_ < 0) return Status::internal("the data file was already finished");
    if (::fsync(fd_) != 0) return errno_status("fsync failed");
    ::close(fd_);
    fd_ = -1;
    if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) return errno_status("rename failed");
    finished_ = true;
    if (Status status = fsync_directory(final_path_.parent_path()); !status) {
      ::unlink(final_path_.c_str());  // not known durable, so never handed out
      return status;
    }
    return Finished{name_, size_, hash_.hex()};
  }

 private:
  fs::path temp_path_, final_path_;
  std::string name_;
  int fd_;
  Sha256 hash_;
  uint64_t size_ = 0;
  bool finished_ = false;
};

class FileReader final : public DataFileReader {
 public:
  FileReader(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FileReader() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  Result<size_t> read_at(uint64_t offset, std::span<char> buffer) override {
    while (true) {
      const ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(offset));
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return errno_status("read failed");
    }
  }

 private:
  int fd_;
  uint64_t size_;
};

}  // namespace

Result<std::unique_ptr<FileDataFiles>> FileDataFiles::open(const fs::path& root) {
  std::error_code error;
  for (const char* directory : {kObjectsDir, kTempDir, kUploadsDir}) {
    fs::create_directories(root / directory, error);
    if (error) return Status::io_error("cannot create " + (root / directory).string() + ": " + error.message());
  }
  // The directories' own entries must be durable before any file in them is acknowledged.
  if (Status status = fsync_directory(root); !status) return status;
  // Whatever is in tmp/ was being written when the process died; none of it was acknowledged.
  const fs::path temp = root / kTempDir;
  for (fs::directory_iterator entry(temp, error), end; !error && entry != end; entry.increment(error)) {
    std::error_code ignored;  // a leftover that cannot be removed now is retried at the next start
    fs::remove_all(entry->path(), ignored);
  }
  if (error) return Status::io_error("cannot clear " + temp.string() + ": " + error.message());
  return std::unique_ptr<FileDataFiles>(new FileDataFiles(root));
}

Result<std::unique_ptr<DataFileWriter>> FileDataFiles::create(const ResourceKey& key) const {
  const std::string name = generate_data_name(key);
  const fs::path temp_path = root_ / kTempDir / name;
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return errno_status("cannot create " + temp_path.string());
  return std::unique_ptr<DataFileWriter>(new FileWriter(temp_path, root_ / kObjectsDir / name, name, fd));
}

Result<std::unique_ptr<DataFileReader>> FileDataFiles::open_reader(const std::string& file_name) const {
  if (!is_data_name(file_name)) return Status::invalid("bad data file name");
  const fs::path path = root_ / kObjectsDir / file_name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::not_found() : errno_status("cannot open " + path.string());
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const Status failed = errno_status("cannot stat " + path.string());
    ::close(fd);
    return failed;
  }
  return std::unique_ptr<DataFileReader>(new FileReader(fd, static_cast<uint64_t>(info.st_size)));
}

Status FileDataFiles::remove(const std::string& file_name) const {
  if (!is_data_name(file_name)) return Status::invalid("bad data file name");
  if (::unlink((root_ / kObjectsDir / file_name).c_str()) != 0 && errno != ENOENT) return errno_status("unlink failed");
  return Status::ok();
}

Result<std::string> FileDataFiles::create_part(const ResourceKey& key, uint64_t total_size) const {
  if (total_size > static_cast<uint64_t>(std::numeric_limits<off_t>::max())) {
    return Status::invalid("the upload is too large for a file");
  }
  const std::string name = generate_data_name(key) + ".part";
  const fs::path path = root_ / kUploadsDir / name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return errno_status("cannot create " + path.string());
  const Status sized = ::ftruncate(fd, static_cast<off_t>(total_size)) == 0 && ::fsync(fd) == 0
                           ? Status::ok()
                           : errno_status("cannot size " + path.string());
  ::close(fd);
  if (!sized) {
    ::unlink(path.c_str());
    return sized;
  }
  if (Status status = fsync_directory(root_ / kUploadsDir); !status) return status;
  return name;
}

Status FileDataFiles::write_part(const std::string& part_file, uint64_t offset, std::span<const char> bytes,
                                 bool sync) const {
  if (!is_data_name(part_file)) return Status::invalid("bad part file name");
  const fs::path path = root_ / kUploadsDir / part_file;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::not_found() : errno_status("cannot open " + path.string());
  // The part file was sized to the upload's total: a chunk past its end is refused, never grown into.
  struct stat info {};
  Status status = ::fstat(fd, &info) == 0 ? Status::ok() : errno_status("cannot stat " + path.string());
  if (status &&
      (offset > static_cast<uint64_t>(info.st_size) || bytes.size() > static_cast<uint64_t>(info.st_size) - offset)) {
    status = Status::invalid("the chunk ends past the end of the upload");
  }
  if (status) status = write_all(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset), true);
  if (status && sync && ::fdatasync(fd) != 0) status = errno_status("fdatasync failed");
  ::close(fd);
  return status;
}

Status FileDataFiles::sync_part(const std::string& part_file) const {
  if (!is_data_name(part_file)) return Status::invalid("bad part file name");
  const fs::path path = root_ / kUploadsDir / part_file;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::not_found() : errno_status("cannot open " + path.string());
  Status status = ::fdatasync(fd) == 0 ? Status::ok() : errno_status("fdatasync failed");
  ::close(fd);
  return status;
}

Status FileDataFiles::start_part_writeback(const std::string& part_file, uint64_t offset, uint64_t length) const {
  if (!is_data_name(part_file)) return Status::invalid("bad part file name");
  const fs::path path = root_ / kUploadsDir / part_file;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::not_found() : errno_status("cannot open " + path.string());
  Status status =
      ::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(length), SYNC_FILE_RANGE_WRITE) == 0
          ? Status::ok()
          : errno_status("sync_file_range failed");
  ::close(fd);
  return status;
}

Result<DataFileWriter::Finished> FileDataFiles::finish_part(const std::string& part_file, const ResourceKey& key,
                                                            std::optional<std::string> known_sha256) const {
  if (!is_data_name(part_file)) return Status::invalid("bad part file name");
  const fs::path path = root_ / kUploadsDir / part_file;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::not_found() : errno_status("cannot open " + path.string());
  Result<std::pair<uint64_t, std::string>> hashed = Status::internal("unset");
  if (known_sha256) {
    struct stat info {};
    if (::fstat(fd, &info) == 0) {
      hashed = std::make_pair(static_cast<uint64_t>(info.st_size), *known_sha256);
    } else {
      hashed = errno_status("cannot stat " + path.string());
    }
  } else {
    hashed = hash_file(fd);
  }
  const Status synced = ::fsync(fd) == 0 ? Status::ok() : errno_status("fsync failed");
  ::close(fd);
  if (!hashed) return hashed.status();
  if (!synced) return synced;
  const std::string name = generate_data_name(key);
  const fs::path final_path = root_ / kObjectsDir / name;
  if (::rename(path.c_str(), final_path.c_str()) != 0) return errno_status("rename failed");
  if (Status status = fsync_directory(root_ / kObjectsDir); !status) {
    // Not known durable: put the part back where the upload's row says it is, so a retry can finish it.
    ::rename(final_path.c_str(), path.c_str());
    return status;
  }
  return DataFileWriter::Finished{name, hashed->first, hashed->second};
}

Status FileDataFiles::remove_part(const std::string& part_file) const {
  if (!is_data_name(part_file)) return Status::invalid("bad part file name");
  if (::unlink((root_ / kUploadsDir / part_file).c_str()) != 0 && errno != ENOENT) return errno_status("unlink failed");
  return Status::ok();
}

Result<size_t> FileDataFiles::sweep(const std::vector<std::string>& referenced) const {
  const std::set<std::string> keep(referenced.begin(), referenced.end());
  size_t removed = 0;
  for (const char* directory : {kObjectsDir, kUploadsDir}) {
    std::error_code error;
    for (fs::directory_iterator entry(root_ / directory, error), end; !error && entry != end; entry.increment(error)) {
      if (keep.contains(entry->path().filename().string())) continue;
      std::error_code remove_error;
      if (fs::remove(entry->path(), remove_error)) ++removed;
      if (remove_error)
        return Status::io_error("cannot remove " + entry->path().string() + ": " + remove_error.message());
    }
    if (error) return Status::io_error("sweep of " + (root_ / directory).string() + " failed: " + error.message());
  }
  return removed;
}

Result<size_t> FileDataFiles::remove_orphans(Store& store) const {
  auto referenced = store.referenced_files();
  if (!referenced) return referenced.status();
  return sweep(*referenced);
}

}  // namespace edgesync
