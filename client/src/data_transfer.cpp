// Object data up and down, streamed through bounded buffers (SyncClient::update_object_data and
// fetch_object_data). A sized upload goes in Content-Range pieces so a transport failure costs one
// piece: the piece is read again (the stream must be seekable) and sent on a fresh connection.
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <random>

#include "client/src/json_mapping.hpp"
#include "client/src/sync_client_impl.hpp"

namespace edgesync::client {

namespace {

[[noreturn]] void throw_http(const detail::HttpResponse& response) {
  std::string text = detail::error_text(response.body);
  if (text.empty()) text = response.status == 404 ? "Not found" : "Request failed";
  throw Error(ErrorKind::kHttp, response.status, std::move(text));
}

detail::BodySource stream_source(std::istream& in, uint64_t& moved, uint64_t base, uint64_t total,
                                 const ProgressCallback& progress) {
  return [&in, &moved, base, total, &progress](char* buffer, size_t size) -> size_t {
    in.read(buffer, static_cast<std::streamsize>(size));
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0 && in.bad()) throw Error(ErrorKind::kInvalidInput, 0, "Cannot read the data to upload");
    moved += got;
    if (progress && got > 0) progress(Progress{base + moved, total});
    return got;
  };
}

}  // namespace

void SyncClient::update_object_data(const std::string& type, const std::string& id, std::istream& data,
                                    std::optional<uint64_t> size, const ProgressCallback& progress) {
  const std::string target = impl_->objects_path(type, id, "data");
  std::lock_guard lock(impl_->mutex);
  detail::HttpRequest request = impl_->make("PUT", target);
  request.headers.emplace_back("Content-Type", "application/octet-stream");
  if (!size) {
    uint64_t moved = 0;
    auto response = impl_->transport->upload(request, std::nullopt, stream_source(data, moved, 0, 0, progress));
    if (response.status < 200 || response.status >= 300) throw_http(response);
    return;
  }
  const uint64_t total = *size;
  const uint64_t piece = std::max<uint64_t>(impl_->options.upload_piece_bytes, 1);
  if (total <= piece) {
    uint64_t moved = 0;
    auto response = impl_->transport->upload(request, total, stream_source(data, moved, 0, total, progress));
    if (response.status < 200 || response.status >= 300) throw_http(response);
    return;
  }
  const std::streampos start = data.tellg();
  const bool seekable = start != std::streampos(-1);
  for (uint64_t offset = 0; offset < total; offset += piece) {
    const uint64_t length = std::min(piece, total - offset);
    detail::HttpRequest ranged = request;
    ranged.headers.emplace_back("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                                     std::to_string(offset + length - 1) + "/" + std::to_string(total));
    for (int attempt = 0;; ++attempt) {
      if (attempt > 0) {
        data.clear();
        data.seekg(start + static_cast<std::streamoff>(offset));
        if (!data) throw Error(ErrorKind::kInvalidInput, 0, "Cannot seek back in the data to send a piece again");
      }
      uint64_t moved = 0;
      try {
        auto response = impl_->transport->upload(ranged, length, stream_source(data, moved, offset, total, progress));
        if (response.status < 200 || response.status >= 300) throw_http(response);
        break;
      } catch (const Error& error) {
        if (error.kind() != ErrorKind::kTransport || !seekable || attempt >= impl_->options.upload_retries) throw;
      }
    }
  }
}

void SyncClient::update_object_data(const std::string& type, const std::string& id, const std::filesystem::path& file,
                                    const ProgressCallback& progress) {
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (!in || ec) throw Error(ErrorKind::kInvalidInput, 0, "Cannot read " + file.string());
  update_object_data(type, id, in, size, progress);
}

void SyncClient::fetch_object_data(const std::string& type, const std::string& id, std::ostream& out,
                                   const ProgressCallback& progress) {
  const std::string target = impl_->objects_path(type, id, "data");
  std::lock_guard lock(impl_->mutex);
  uint64_t moved = 0;
  uint64_t total = 0;
  auto response = impl_->transport->download(impl_->make("GET", target), [&](const char* data, size_t size) {
    out.write(data, static_cast<std::streamsize>(size));
    if (!out) throw Error(ErrorKind::kInvalidInput, 0, "Cannot write the downloaded data");
    moved += size;
    if (progress) progress(Progress{moved, total});
  });
  if (response.status < 200 || response.status >= 300) throw_http(response);
}

void SyncClient::fetch_object_data(const std::string& type, const std::string& id, const std::filesystem::path& file,
                                   const ProgressCallback& progress) {
  std::random_device random;
  const std::filesystem::path temporary =
      file.string() + ".part-" + std::to_string(random()) + std::to_string(random());
  try {
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      if (!out) throw Error(ErrorKind::kInvalidInput, 0, "Cannot write " + temporary.string());
      fetch_object_data(type, id, out, progress);
      out.close();
      if (!out) throw Error(ErrorKind::kInvalidInput, 0, "Cannot write " + temporary.string());
    }
    std::filesystem::rename(temporary, file);
  } catch (const std::filesystem::filesystem_error& error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw Error(ErrorKind::kInvalidInput, 0, error.what());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

}  // namespace edgesync::client
