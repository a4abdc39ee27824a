#include "server/store/postgres/blob_store.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <pqxx/pqxx>
#include <vector>

#include "server/store/data_name.hpp"
#include "server/store/postgres/connection.hpp"
#include "server/store/sha256.hpp"

namespace edgesync::pg {
namespace {

constexpr uint64_t kChunk = kBlobChunkBytes;
constexpr int kCollectBatch = 32;  // blobs deleted per transaction by remove_orphans

// The connections of blob operations, separate from the store's reader pool and writer: a long
// transfer holds one for each of its statements only, never between them.
class BlobConnections {
 public:
  BlobConnections(std::string url, uint32_t capacity) : url_(std::move(url)), capacity_(std::max(1u, capacity)) {
    idle_.reserve(capacity_);  // so that giving a connection back cannot fail
  }

  // Runs work(connection) on a pooled connection. A connection the server dropped while idle is
  // found out by using it: the work is retried once on a fresh one (every blob operation may be
  // repeated). Exceptions end here as a Status naming `what`.
  template <class T, class Work>
  Result<T> run(const char* what, Work work) noexcept {
    std::unique_ptr<Connection> connection;
    try {
      {
        std::unique_lock lock(mutex_);
        available_.wait(lock, [&] { return !idle_.empty() || created_ < capacity_; });
        if (!idle_.empty()) {
          connection = std::move(idle_.back());
          idle_.pop_back();
        } else {
          ++created_;
        }
      }
      if (!connection) connection = std::make_unique<Connection>(url_);
    } catch (const std::exception& error) {
      return Status::internal(std::string(what) + ": " + error.what());
    }
    Result<T> result = Status::internal("unset");
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool was_connected = connection->connected();
      try {
        result = work(connection->get());
        break;
      } catch (const std::exception& error) {
        result = database_error(what, error);
        if (!connection_lost(error)) break;
        connection->reset();
        if (!was_connected) break;  // a fresh connection failed: the server is unreachable
      } catch (...) {
        result = Status::internal(std::string(what) + " failed with an unknown exception");
        break;
      }
    }
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(std::move(connection));
    }
    available_.notify_one();
    return result;
  }

 private:
  const std::string url_;
  const uint32_t capacity_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  uint32_t created_ = 0;
};

using Pool = std::shared_ptr<BlobConnections>;

// A chunk's length: whole chunks, then what is left of the blob.
uint64_t chunk_length(uint64_t blob_size, uint64_t chunk_no) {
  return std::min(kChunk, blob_size - chunk_no * kChunk);
}

pqxx::binarystring bytes_param(std::span<const char> bytes) {
  return pqxx::binarystring(bytes.data(), bytes.size());
}

// Writes one chunk on a new blob, in a transaction whose COMMIT does not wait for the WAL flush: the
// writer's finish() commits synchronously after it and so makes it durable. Refreshes touched_at (an
// upload in progress is not an orphan) and fails when the blob is gone or no longer being written.
Status insert_chunk(pqxx::connection& connection, int64_t blob_id, int64_t chunk_no, std::span<const char> bytes) {
  pqxx::work transaction(connection, "blob chunk");
  transaction.exec("SET LOCAL synchronous_commit = off");
  const auto inserted = pg::exec_cached(
      transaction,
      "WITH blob AS (UPDATE data_blobs SET touched_at = now() WHERE blob_id = $1 AND state = 'writing' "
      "RETURNING blob_id) INSERT INTO data_chunks (blob_id, chunk_no, bytes) SELECT blob_id, $2, $3 FROM blob",
      blob_id, chunk_no, bytes_param(bytes));
  if (inserted.affected_rows() != 1) {
    // Conflict, not not-found: for a client, its upload failed and may be sent again.
    return Status::conflict("the data being written was removed (left unfinished for longer than the grace period)");
  }
  transaction.commit();
  return Status::ok();
}

class BlobWriter final : public DataFileWriter {
 public:
  BlobWriter(Pool pool, int64_t blob_id) : pool_(std::move(pool)), blob_id_(blob_id) { buffer_.reserve(kChunk); }
  ~BlobWriter() override {
    if (finished_) return;
    // Never handed out, so nobody reads it: deleted at once (remove_orphans would, after the grace).
    (void)pool_->run<bool>("cannot delete abandoned data", [&](pqxx::connection& connection) -> Result<bool> {
      pqxx::work transaction(connection, "blob abandon");
      transaction.exec("SET LOCAL synchronous_commit = off");
      pg::exec_cached(transaction, "DELETE FROM data_blobs WHERE blob_id = $1", blob_id_);
      transaction.commit();
      return true;
    });
  }

  Status append(std::span<const char> bytes) noexcept override {
    if (finished_) return Status::internal("the data file was already finished");
    if (!failed_.is_ok()) return failed_;
    try {
      hash_.update(bytes.data(), bytes.size());
      size_ += bytes.size();
      while (!bytes.empty()) {
        const size_t take = std::min<size_t>(kChunk - buffer_.size(), bytes.size());
        buffer_.insert(buffer_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
        bytes = bytes.subspan(take);
        if (buffer_.size() == kChunk) {
          if (Status flushed = flush(); !flushed) return failed_ = flushed;
        }
      }
    } catch (const std::exception& error) {
      return failed_ = Status::internal(std::string("cannot buffer data: ") + error.what());
    }
    return Status::ok();
  }

  Result<Finished> finish() noexcept override {
    if (finished_) return Status::internal("the data file was already finished");
    if (!failed_.is_ok()) return failed_;
    if (!buffer_.empty()) {
      if (Status flushed = flush(); !flushed) return failed_ = flushed;
    }
    try {
      const std::string sha256 = hash_.hex();
      auto name =
          pool_->run<std::string>("cannot finish data", [&](pqxx::connection& connection) -> Result<std::string> {
            pqxx::work transaction(connection, "blob finish");
            const auto rows =
                pg::exec_cached(transaction,
                                "UPDATE data_blobs SET size = $2, sha256 = $3, state = 'complete', touched_at = now() "
                                "WHERE blob_id = $1 AND state = 'writing' RETURNING name",
                                blob_id_, static_cast<int64_t>(size_), sha256);
            if (rows.empty()) return Status::conflict("the data being written was removed");
            transaction.commit();  // synchronous: flushes the WAL of every chunk before it
            return rows[0][0].as<std::string>();
          });
      if (!name) return failed_ = name.status();
      finished_ = true;
      return Finished{*name, size_, sha256};
    } catch (const std::exception& error) {
      return failed_ = Status::internal(std::string("cannot finish data: ") + error.what());
    }
  }

 private:
  Status flush() {
    Status status =
        pool_
            ->run<bool>("cannot write data",
                        [&](pqxx::connection& connection) -> Result<bool> {
                          if (Status inserted = insert_chunk(connection, blob_id_, next_chunk_, buffer_); !inserted)
                            return inserted;
                          return true;
                        })
            .status();
    if (status) {
      ++next_chunk_;
      buffer_.clear();
    }
    return status;
  }

  Pool pool_;
  const int64_t blob_id_;
  Sha256 hash_;
  std::vector<char> buffer_;  // at most one chunk: an upload is never held in memory whole
  uint64_t size_ = 0;
  int64_t next_chunk_ = 0;
  bool finished_ = false;
  Status failed_;  // the first failure: the blob is unusable after it
};

class BlobReader final : public DataFileReader {
 public:
  BlobReader(Pool pool, int64_t blob_id, uint64_t size, std::string name)
      : pool_(std::move(pool)), blob_id_(blob_id), size_(size), name_(std::move(name)) {}

  uint64_t size() const noexcept override { return size_; }

  // Reads within one chunk per call (callers loop). A read fetches the chunk from its offset to the
  // chunk's end (uncompressed TOAST slices: never more of the row than that) and keeps it, so a
  // download reading 256 KiB pieces makes one round trip per megabyte, and a ranged one reads only
  // the chunks it covers.
  Result<size_t> read_at(uint64_t offset, std::span<char> buffer) noexcept override {
    if (offset >= size_ || buffer.empty()) return size_t{0};
    std::lock_guard lock(mutex_);
    if (!(offset >= ahead_offset_ && offset < ahead_offset_ + ahead_.size())) {
      if (Status fetched = fetch(offset); !fetched) return fetched;
    }
    const size_t from = static_cast<size_t>(offset - ahead_offset_);
    const size_t length = std::min(buffer.size(), ahead_.size() - from);
    std::memcpy(buffer.data(), ahead_.data() + from, length);
    return length;
  }

 private:
  Status fetch(uint64_t offset) {
    const uint64_t chunk_no = offset / kChunk;
    const uint64_t within = offset % kChunk;
    const uint64_t length = chunk_length(size_, chunk_no) - within;
    ahead_.clear();
    return pool_
        ->run<bool>(
            "cannot read data",
            [&](pqxx::connection& connection) -> Result<bool> {
              pqxx::read_transaction transaction(connection, "blob read");
              const auto rows = pg::exec_cached(
                  transaction,
                  "SELECT substring(bytes FROM $3 FOR $4) FROM data_chunks WHERE blob_id = $1 AND chunk_no = $2",
                  blob_id_, static_cast<int64_t>(chunk_no), static_cast<int64_t>(within + 1),
                  static_cast<int64_t>(length));
              if (rows.empty()) {
                return Status::io_error("data " + name_ + " has no chunk " + std::to_string(chunk_no) +
                                        " (removed while it was read?)");
              }
              const pqxx::binarystring bytes(rows[0][0]);
              if (bytes.size() != length) {
                return Status::io_error("chunk " + std::to_string(chunk_no) + " of data " + name_ + " is short");
              }
              ahead_.assign(bytes.str());
              ahead_offset_ = offset;
              return true;
            })
        .status();
  }

  Pool pool_;
  const int64_t blob_id_;
  const uint64_t size_;
  const std::string name_;
  std::mutex mutex_;   // readers may be shared
  std::string ahead_;  // bytes from ahead_offset_ up to the end of their chunk
  uint64_t ahead_offset_ = 0;
};

struct PartRow {
  int64_t blob_id = 0;
  uint64_t size = 0;
};

// The part being uploaded under this name, key-share locked so that no collection deletes it under the
// transaction; kNotFound when there is none (finished, removed, never created).
Result<PartRow> find_part(pqxx::transaction_base& transaction, const std::string& name) {
  const auto rows = pg::exec_cached(
      transaction, "SELECT blob_id, size FROM data_blobs WHERE name = $1 AND state = 'part' FOR KEY SHARE", name);
  if (rows.empty()) return Status::not_found();
  return PartRow{rows[0][0].as<int64_t>(), static_cast<uint64_t>(rows[0][1].as<int64_t>())};
}

// Writes one piece of a part into its chunk. A chunk row always has its full length: the first write
// into it creates it zero-filled (the bytes of a part nobody wrote read as zeros, as in a sparse
// file), and every write overlays its bytes in one statement, so writes of different pieces of one
// chunk, concurrent or repeated on retry, all land.
void write_piece(pqxx::transaction_base& transaction, const PartRow& part, uint64_t chunk_no, uint64_t within,
                 std::span<const char> piece) {
  const uint64_t length = chunk_length(part.size, chunk_no);
  if (within == 0 && piece.size() == length) {
    pg::exec_cached(transaction,
                    "INSERT INTO data_chunks (blob_id, chunk_no, bytes) VALUES ($1, $2, $3) "
                    "ON CONFLICT (blob_id, chunk_no) DO UPDATE SET bytes = excluded.bytes",
                    part.blob_id, static_cast<int64_t>(chunk_no), bytes_param(piece));
    return;
  }
  pg::exec_cached(transaction,
                  "INSERT INTO data_chunks (blob_id, chunk_no, bytes) "
                  "VALUES ($1, $2, overlay(decode(repeat('00', $4), 'hex') PLACING $3 FROM $5)) "
                  "ON CONFLICT (blob_id, chunk_no) DO UPDATE SET bytes = overlay(data_chunks.bytes PLACING $3 FROM $5)",
                  part.blob_id, static_cast<int64_t>(chunk_no), bytes_param(piece), static_cast<int64_t>(length),
                  static_cast<int64_t>(within + 1));
}

class BlobStore final : public DataFiles {
 public:
  explicit BlobStore(BlobStoreOptions options)
      : pool_(std::make_shared<BlobConnections>(options.url, options.connections)),
        grace_seconds_(static_cast<double>(options.unattached_grace.count())) {}

  Result<std::unique_ptr<DataFileWriter>> create(const ResourceKey& key) const noexcept override {
    try {
      const std::string name = generate_data_name(key);
      auto blob_id = pool_->run<int64_t>("cannot create data", [&](pqxx::connection& connection) -> Result<int64_t> {
        pqxx::work transaction(connection, "blob create");
        transaction.exec("SET LOCAL synchronous_commit = off");  // durable with finish()'s commit
        const auto rows = pg::exec_cached(
            transaction, "INSERT INTO data_blobs (name, size, state) VALUES ($1, 0, 'writing') RETURNING blob_id",
            name);
        transaction.commit();
        return rows[0][0].as<int64_t>();
      });
      if (!blob_id) return blob_id.status();
      return std::unique_ptr<DataFileWriter>(new BlobWriter(pool_, *blob_id));
    } catch (const std::exception& error) {
      return Status::internal(std::string("cannot create data: ") + error.what());
    }
  }

  Result<std::unique_ptr<DataFileReader>> open_reader(const std::string& file_name) const noexcept override {
    if (!is_data_name(file_name)) return Status::invalid("bad data file name");
    try {
      auto reader = pool_->run<std::unique_ptr<DataFileReader>>(
          "cannot open data", [&](pqxx::connection& connection) -> Result<std::unique_ptr<DataFileReader>> {
            pqxx::read_transaction transaction(connection, "blob open");
            const auto rows = pg::exec_cached(
                transaction, "SELECT blob_id, size FROM data_blobs WHERE name = $1 AND state = 'complete'", file_name);
            if (rows.empty()) return Status::not_found();
            return std::unique_ptr<DataFileReader>(new BlobReader(
                pool_, rows[0][0].as<int64_t>(), static_cast<uint64_t>(rows[0][1].as<int64_t>()), file_name));
          });
      return reader;
    } catch (const std::exception& error) {
      return Status::internal(std::string("cannot open data: ") + error.what());
    }
  }

  // Marks the data removed (no new reader opens it) and leaves the deletion to remove_orphans after the
  // grace period, so that a download already streaming it finishes. Data a row still names is kept:
  // the caller may be cleaning up after a commit whose outcome it could not learn, which did attach it.
  Status remove(const std::string& file_name) const noexcept override { return mark_removed(file_name); }

  Result<std::string> create_part(const ResourceKey& key, uint64_t total_size) const noexcept override {
    if (total_size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        total_size / kChunk >= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
      return Status::invalid("the upload is too large");
    }
    try {
      const std::string name = generate_data_name(key) + ".part";
      auto created = pool_->run<bool>("cannot create an upload", [&](pqxx::connection& connection) -> Result<bool> {
        pqxx::work transaction(connection, "part create");
        pg::exec_cached(transaction, "INSERT INTO data_blobs (name, size, state) VALUES ($1, $2, 'part')", name,
                        static_cast<int64_t>(total_size));
        transaction.commit();
        return true;
      });
      if (!created) return created.status();
      return name;
    } catch (const std::exception& error) {
      return Status::internal(std::string("cannot create an upload: ") + error.what());
    }
  }

  Status write_part(const std::string& part_file, uint64_t offset, std::span<const char> bytes,
                    bool sync) const noexcept override {
    if (!is_data_name(part_file)) return Status::invalid("bad part file name");
    return pool_
        ->run<bool>("cannot write upload data",
                    [&](pqxx::connection& connection) -> Result<bool> {
                      pqxx::work transaction(connection, "part write");
                      if (!sync) transaction.exec("SET LOCAL synchronous_commit = off");
                      auto part = find_part(transaction, part_file);
                      if (!part) return part.status();
                      if (offset > part->size || bytes.size() > part->size - offset) {
                        return Status::invalid("the chunk ends past the end of the upload");
                      }
                      uint64_t position = offset;
                      while (!bytes.empty()) {
                        const uint64_t chunk_no = position / kChunk;
                        const uint64_t within = position % kChunk;
                        const size_t take = static_cast<size_t>(std::min<uint64_t>(bytes.size(), kChunk - within));
                        write_piece(transaction, *part, chunk_no, within, bytes.first(take));
                        bytes = bytes.subspan(take);
                        position += take;
                      }
                      transaction.commit();
                      return true;
                    })
        .status();
  }

  // A synchronous COMMIT flushes the WAL up to it, with every earlier unsynchronised write_part in it.
  Status sync_part(const std::string& part_file) const noexcept override {
    if (!is_data_name(part_file)) return Status::invalid("bad part file name");
    return pool_
        ->run<bool>("cannot sync upload data",
                    [&](pqxx::connection& connection) -> Result<bool> {
                      pqxx::work transaction(connection, "part sync");
                      const auto touched = pg::exec_cached(
                          transaction, "UPDATE data_blobs SET touched_at = now() WHERE name = $1 AND state = 'part'",
                          part_file);
                      if (touched.affected_rows() == 0) return Status::not_found();
                      transaction.commit();
                      return true;
                    })
        .status();
  }

  // Nothing to start: the server writes its WAL as it goes (only an edge, on files, uses this).
  Status start_part_writeback(const std::string& part_file, uint64_t, uint64_t) const noexcept override {
    return is_data_name(part_file) ? Status::ok() : Status::invalid("bad part file name");
  }

  Result<DataFileWriter::Finished> finish_part(const std::string& part_file, const ResourceKey& key,
                                               std::optional<std::string> known_sha256) const noexcept override {
    if (!is_data_name(part_file)) return Status::invalid("bad part file name");
    try {
      const std::string name = generate_data_name(key);
      return pool_->run<DataFileWriter::Finished>(
          "cannot finish an upload", [&](pqxx::connection& connection) -> Result<DataFileWriter::Finished> {
            pqxx::work transaction(connection, "part finish");
            auto part = find_part(transaction, part_file);
            if (!part) return part.status();
            std::string sha256;
            if (known_sha256) {
              sha256 = *known_sha256;
            } else {
              auto hashed = hash_part(transaction, *part);
              if (!hashed) return hashed.status();
              sha256 = std::move(*hashed);
            }
            // Renamed, as the file is: the upload's row names the part until it is deleted, and its
            // removal must not reach the data. Unattached until the object's row names it. Once only:
            // of two requests finishing one part at once, the second finds it gone, as with files.
            const auto renamed =
                pg::exec_cached(transaction,
                                "UPDATE data_blobs SET name = $2, sha256 = $3, state = 'complete', attached = FALSE, "
                                "touched_at = now() WHERE blob_id = $1 AND state = 'part'",
                                part->blob_id, name, sha256);
            if (renamed.affected_rows() != 1) return Status::not_found();
            transaction.commit();
            return DataFileWriter::Finished{name, part->size, sha256};
          });
    } catch (const std::exception& error) {
      return Status::internal(std::string("cannot finish an upload: ") + error.what());
    }
  }

  Status remove_part(const std::string& part_file) const noexcept override { return mark_removed(part_file); }

  // Deletes, a batch per transaction, blobs unattached for longer than the grace period by the
  // database's clock. SKIP LOCKED: instances collecting at once share the work instead of queueing on
  // each other's rows; attached is checked again on the locked row.
  Result<size_t> remove_orphans(Store&) const noexcept override {
    size_t removed = 0;
    while (true) {
      auto batch =
          pool_->run<size_t>("cannot remove orphaned data", [&](pqxx::connection& connection) -> Result<size_t> {
            pqxx::work transaction(connection, "blob collect");
            const auto deleted = pg::exec_cached(
                transaction,
                "WITH doomed AS (SELECT blob_id FROM data_blobs WHERE NOT attached AND "
                "touched_at < now() - make_interval(secs => $1) ORDER BY touched_at LIMIT $2 FOR UPDATE SKIP LOCKED) "
                "DELETE FROM data_blobs USING doomed WHERE data_blobs.blob_id = doomed.blob_id AND NOT attached",
                grace_seconds_, kCollectBatch);
            transaction.commit();
            return static_cast<size_t>(deleted.affected_rows());
          });
      if (!batch) return batch.status();
      removed += *batch;
      if (*batch < static_cast<size_t>(kCollectBatch)) return removed;
    }
  }

 private:
  Status mark_removed(const std::string& name) const noexcept {
    if (!is_data_name(name)) return Status::invalid("bad data file name");
    return pool_
        ->run<bool>("cannot remove data",
                    [&](pqxx::connection& connection) -> Result<bool> {
                      pqxx::work transaction(connection, "blob remove");
                      pg::exec_cached(transaction,
                                      "UPDATE data_blobs SET state = 'removed', touched_at = now() "
                                      "WHERE name = $1 AND NOT attached AND state <> 'removed'",
                                      name);
                      transaction.commit();
                      return true;
                    })
        .status();
  }

  // The SHA-256 of a complete part, a chunk at a time. A chunk nobody wrote is zeros (as the file
  // version's sparse file), and is stored so, so that reads find every chunk.
  static Result<std::string> hash_part(pqxx::transaction_base& transaction, const PartRow& part) {
    Sha256 hash;
    const uint64_t chunks = (part.size + kChunk - 1) / kChunk;
    for (uint64_t chunk_no = 0; chunk_no < chunks; ++chunk_no) {
      const uint64_t length = chunk_length(part.size, chunk_no);
      const auto rows =
          pg::exec_cached(transaction, "SELECT bytes FROM data_chunks WHERE blob_id = $1 AND chunk_no = $2",
                          part.blob_id, static_cast<int64_t>(chunk_no));
      if (rows.empty()) {
        const std::vector<char> zeros(length, '\0');
        write_piece(transaction, part, chunk_no, 0, zeros);
        hash.update(zeros.data(), zeros.size());
        continue;
      }
      const pqxx::binarystring bytes(rows[0][0]);
      if (bytes.size() != length) {
        return Status::io_error("chunk " + std::to_string(chunk_no) + " of an upload has " +
                                std::to_string(bytes.size()) + " bytes, not " + std::to_string(length));
      }
      hash.update(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    return hash.hex();
  }

  Pool pool_;
  const double grace_seconds_;
};

}  // namespace

std::unique_ptr<DataFiles> open_blob_store(BlobStoreOptions options) {
  return std::make_unique<BlobStore>(std::move(options));
}

}  // namespace edgesync::pg
