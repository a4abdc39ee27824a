// FileDataFiles: DataFiles as files under <root> (<data_dir>/data), written crash-safely.
//
// A new file is written under tmp/, fsynced, then renamed into objects/ and the directory fsynced:
// after finish() returns OK the file survives kill -9 and power loss. Chunked uploads write into
// uploads/<name>.part at any offset. Every operation works on its own file descriptor; the class
// itself only holds paths. One process per directory: remove_orphans would delete another process's
// files in flight.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/store/data_files.hpp"

namespace edgesync {

class FileDataFiles final : public DataFiles {
 public:
  // Creates objects/, tmp/ and uploads/ under root when missing; clears tmp/.
  static Result<std::unique_ptr<FileDataFiles>> open(const std::filesystem::path& root);

  Result<std::unique_ptr<DataFileWriter>> create(const ResourceKey& key) const override;
  Result<std::unique_ptr<DataFileReader>> open_reader(const std::string& file_name) const override;
  Status remove(const std::string& file_name) const override;
  Result<std::string> create_part(const ResourceKey& key, uint64_t total_size) const override;
  Status write_part(const std::string& part_file, uint64_t offset, std::span<const char> bytes,
                    bool sync = true) const override;
  Status sync_part(const std::string& part_file) const override;
  // sync_file_range: the fsync at the end then has only the last bytes left instead of the whole file.
  Status start_part_writeback(const std::string& part_file, uint64_t offset, uint64_t length) const override;
  Result<DataFileWriter::Finished> finish_part(const std::string& part_file, const ResourceKey& key,
                                               std::optional<std::string> known_sha256 = std::nullopt) const override;
  Status remove_part(const std::string& part_file) const override;
  // sweep() of store.referenced_files().
  Result<size_t> remove_orphans(Store& store) const override;

  // Removes files in objects/ and uploads/ whose names are not in `referenced` (orphans of a crash
  // between rename and commit). Returns how many were removed.
  Result<size_t> sweep(const std::vector<std::string>& referenced) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  explicit FileDataFiles(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

}  // namespace edgesync
