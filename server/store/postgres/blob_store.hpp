// Object data in PostgreSQL (a DataFiles for a cloud whose store is PostgreSQL): every instance on the
// database serves every object, and nothing is kept under data_dir.
//
// A data "file" is a blob: a data_blobs row (name, size, SHA-256, state) and its bytes as 1 MiB BYTEA
// rows of data_chunks, stored uncompressed (STORAGE EXTERNAL) so that a ranged read fetches only the
// slices it needs. Blobs are written on connections of their own, never on the group-commit writer:
// a large upload must not hold up metadata commits. A blob is attached by the metadata row naming it
// (objects.data_file, uploads.part_file), in that row's own transaction: triggers of schema step 2
// keep data_blobs.attached in step with the rows. What no row names (a crash between upload and
// commit, data replaced or deleted) is deleted by remove_orphans once it has been unattached for the
// grace period by the database's clock, so an upload in flight on another instance and a download
// of data just replaced are left alone, whichever instance collects.
//
// Durability: finish(), finish_part() and write_part(sync) return after a synchronous COMMIT. Chunks
// appended by a writer commit asynchronously; finish()'s synchronous COMMIT flushes the WAL they are in.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "server/store/data_files.hpp"

namespace edgesync::pg {

inline constexpr uint64_t kBlobChunkBytes = 1 << 20;

struct BlobStoreOptions {
  std::string url;           // the store's database
  uint32_t connections = 4;  // blob operations beyond this many wait for a free connection
  std::chrono::seconds unattached_grace{600};
};

// Connects lazily (on the first operation). Every method is noexcept: the object crosses the plugin
// boundary (plugin/store_plugin.hpp).
std::unique_ptr<DataFiles> open_blob_store(BlobStoreOptions options);

}  // namespace edgesync::pg
