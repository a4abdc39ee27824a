#include "server/api/data_transfer.hpp"

namespace edgesync {

namespace {
constexpr size_t kDownloadPieceBytes = 256 * 1024;
// Answers up to this size are read whole and sent from memory, without a transfer slot: the slots
// bound what long streams hold (files, buffers, time), and a small answer holds less than a stream's
// buffer. Without this, thousands of nodes fetching a small object at once queue behind 429s.
constexpr uint64_t kInMemoryAnswerBytes = 16 * 1024;
}  // namespace

std::shared_ptr<TransferSlot> TransferSlot::acquire(const std::shared_ptr<std::atomic<uint32_t>>& active,
                                                    uint32_t limit) {
  if (active->fetch_add(1) >= limit) {
    active->fetch_sub(1);
    return nullptr;
  }
  return std::shared_ptr<TransferSlot>(new TransferSlot(active));
}

TransferSlot::~TransferSlot() {
  active_->fetch_sub(1);
}

Status too_many_transfers() {
  return Status(StatusCode::kTooManyRequests, "Too many concurrent data transfers; retry later");
}

http::Response stream_data(RequestContext& context, const DataDownload& download) {
  std::optional<ByteRange> slice;
  if (auto range_header = context.request.header("Range")) {
    auto resolved = resolve_range_header(*range_header, download.size);
    if (!resolved) {
      http::Response refused = context.error(resolved.status());
      if (resolved.status().code() == StatusCode::kRangeNotSatisfiable)
        refused.set_header("Content-Range", "bytes */" + std::to_string(download.size));
      return refused;
    }
    slice = *resolved;
  }
  const uint64_t first = slice ? slice->first : 0;
  const uint64_t length = slice ? slice->length() : download.size;
  http::Response response;
  response.status = slice ? 206 : 200;
  response.set_header("Content-Type", "application/octet-stream");
  if (slice) {
    response.set_header("Content-Range", "bytes " + std::to_string(slice->first) + "-" + std::to_string(slice->last) +
                                             "/" + std::to_string(download.size));
  }
  if (length <= kInMemoryAnswerBytes) {
    response.body.resize(length);
    for (uint64_t done = 0; done < length;) {
      auto read = download.reader->read_at(first + done, std::span<char>(response.body).subspan(done));
      if (!read) return context.error(read.status());
      if (*read == 0) return context.error(Status::io_error("object data ended early"));
      done += *read;
    }
    return response;
  }
  auto slot = TransferSlot::acquire(context.active_transfers, context.config.max_concurrent_transfers);
  if (!slot) return context.error(too_many_transfers());
  auto reader = download.reader;
  auto offset = std::make_shared<uint64_t>(first);
  const uint64_t end = first + length;
  response.stream = http::StreamedBody{
      length, [reader, offset, end, slot](std::span<char> buffer) -> Result<size_t> {
        const uint64_t want = std::min<uint64_t>({buffer.size(), end - *offset, kDownloadPieceBytes});
        if (want == 0) return size_t{0};
        auto read = reader->read_at(*offset, buffer.first(want));
        if (!read) return read.status();
        if (*read == 0) return Status::io_error("object data ended early");
        *offset += *read;
        return *read;
      }};
  if (const int fd = reader->file_descriptor(); fd >= 0) response.stream->file = http::FileRange{fd, first};
  return response;
}

}  // namespace edgesync
