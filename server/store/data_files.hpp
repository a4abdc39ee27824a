// DataFiles: object data as files under <data_dir>/objects, written crash-safely.
//
// Names are generated (a hash of the resource key plus a unique token), never object IDs or types, so
// nothing a client sends can become a path. A new file is written under tmp/, fsynced, then renamed
// into objects/ and the directory fsynced: after finish() returns OK the file survives kill -9 and
// power loss. Chunked uploads write into uploads/<name>.part at any offset. Thread-safe: every
// operation works on its own file descriptor; the class itself only holds paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/resource_key.hpp"
#include "common/status.hpp"

namespace edgesync {

// Writes one new data file sequentially, hashing as it goes. Not copyable; abandoning it without
// finish() removes the temporary file.
class DataFileWriter {
 public:
  virtual ~DataFileWriter() = default;
  virtual Status append(std::span<const char> bytes) = 0;
  struct Finished {
    std::string file_name;  // name inside objects/
    uint64_t size = 0;
    std::string sha256;  // lowercase hex
  };
  // fsync, rename into objects/, fsync the directory.
  virtual Result<Finished> finish() = 0;
};

// Reads one data file at any offset (pread); many readers may share the file.
class DataFileReader {
 public:
  virtual ~DataFileReader() = default;
  virtual uint64_t size() const = 0;
  // Reads up to buffer.size() bytes at offset; 0 at end of file.
  virtual Result<size_t> read_at(uint64_t offset, std::span<char> buffer) = 0;
  // The open file, for sending it to a socket without a copy (sendfile); -1 when there is none. Valid
  // as long as the reader lives.
  virtual int file_descriptor() const { return -1; }
};

class DataFiles {
 public:
  // Creates objects/, tmp/ and uploads/ under root when missing; clears tmp/.
  static Result<std::unique_ptr<DataFiles>> open(const std::filesystem::path& root);

  Result<std::unique_ptr<DataFileWriter>> create(const ResourceKey& key) const;
  Result<std::unique_ptr<DataFileReader>> open_reader(const std::string& file_name) const;
  Status remove(const std::string& file_name) const;  // OK when already gone

  // Chunked uploads.
  Result<std::string> create_part(const ResourceKey& key, uint64_t total_size) const;  // part file name
  // Writes bytes at offset and, with sync, fdatasyncs (the chunk is durable when this returns OK).
  // Without sync, call sync_part before recording the bytes as received.
  Status write_part(const std::string& part_file, uint64_t offset, std::span<const char> bytes, bool sync = true) const;
  Status sync_part(const std::string& part_file) const;
  // Hashes the complete part file (unless the caller hashed the bytes as it wrote them), fsyncs and
  // renames it into objects/.
  Result<DataFileWriter::Finished> finish_part(const std::string& part_file, const ResourceKey& key,
                                               std::optional<std::string> known_sha256 = std::nullopt) const;
  Status remove_part(const std::string& part_file) const;

  // Removes files in objects/ and uploads/ whose names are not in `referenced` (orphans of a crash
  // between rename and commit). Returns how many were removed.
  Result<size_t> sweep(const std::vector<std::string>& referenced) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  explicit DataFiles(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

}  // namespace edgesync
