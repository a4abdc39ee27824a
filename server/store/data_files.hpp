// DataFiles: where object data lives, as an interface with two implementations: files under
// <data_dir>/data (file_data_files.hpp; every edge, and a cloud on SQLite) and rows in PostgreSQL
// (store/postgres/blob_store.hpp; a cloud on PostgreSQL, so that every instance serves every object).
//
// A data "file" is named by a generated name (a hash of the resource key plus a unique token), never
// an object ID or type, so nothing a client sends becomes a path or a row key. A name is written
// completely (create/finish, or create_part/write_part/finish_part) and made durable BEFORE the
// object's metadata row that names it (its data_file column) commits; that row attaches it. Once the
// row drops the name, the object service removes it after the commit. Whatever a crash leaves
// unattached is found by remove_orphans.
//
// Implementations are thread-safe. A PostgreSQL implementation comes from the store plugin
// (Store::open_data_files), so its methods never throw (plugin/store_plugin.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/resource_key.hpp"
#include "common/status.hpp"

namespace edgesync {

class Store;

// Writes one new data file sequentially, hashing as it goes. Abandoning it without finish() removes
// what it wrote.
class DataFileWriter {
 public:
  virtual ~DataFileWriter() = default;
  virtual Status append(std::span<const char> bytes) = 0;
  struct Finished {
    std::string file_name;  // the name to store in the metadata row
    uint64_t size = 0;
    std::string sha256;  // lowercase hex
  };
  // Makes the data durable under its name (returns once it is).
  virtual Result<Finished> finish() = 0;
};

// Reads one data file at any offset; many readers may share one file.
class DataFileReader {
 public:
  virtual ~DataFileReader() = default;
  virtual uint64_t size() const = 0;
  // Reads up to buffer.size() bytes at offset (possibly fewer: callers loop); 0 at the end.
  virtual Result<size_t> read_at(uint64_t offset, std::span<char> buffer) = 0;
};

class DataFiles {
 public:
  virtual ~DataFiles() = default;

  virtual Result<std::unique_ptr<DataFileWriter>> create(const ResourceKey& key) const = 0;
  // kNotFound when there is no such (complete) data; kInvalidArgument for a name that was never generated.
  virtual Result<std::unique_ptr<DataFileReader>> open_reader(const std::string& file_name) const = 0;
  virtual Status remove(const std::string& file_name) const = 0;  // OK when already gone

  // Chunked uploads: a part of total_size bytes written at any offsets, in any order, repeatedly.
  virtual Result<std::string> create_part(const ResourceKey& key, uint64_t total_size) const = 0;  // its name
  // Writes bytes at offset; with sync they are durable when this returns OK. Without sync, call
  // sync_part before recording the bytes as received. kInvalidArgument past the end of the part.
  virtual Status write_part(const std::string& part_file, uint64_t offset, std::span<const char> bytes,
                            bool sync = true) const = 0;
  virtual Status sync_part(const std::string& part_file) const = 0;
  // Starts writing these bytes of the part to disk without waiting, so that a large transfer's disk
  // writes run beside its network reads (an edge's files; a no-op where there is nothing to start).
  virtual Status start_part_writeback(const std::string& part_file, uint64_t offset, uint64_t length) const = 0;
  // Hashes the complete part (unless the caller hashed the bytes as it wrote them), makes it durable and
  // turns it into data under a new name; the part's name is gone afterwards.
  virtual Result<DataFileWriter::Finished> finish_part(
      const std::string& part_file, const ResourceKey& key,
      std::optional<std::string> known_sha256 = std::nullopt) const = 0;
  virtual Status remove_part(const std::string& part_file) const = 0;  // OK when already gone

  // Removes data no metadata row names (written by a request that died before its commit). Returns
  // how many were removed. Files: once at start-up, against store.referenced_files(). PostgreSQL:
  // periodically, on any number of instances at once.
  virtual Result<size_t> remove_orphans(Store& store) const = 0;
};

}  // namespace edgesync
