// Object data transfers over HTTP, shared by the application API and the SPI: the cap on concurrent
// transfers (http.max_concurrent_transfers, 429 past it) and the streamed, Range-aware data answer.
// Internal to server/api.
#pragma once

#include <atomic>
#include <memory>

#include "server/api/request_context.hpp"

namespace edgesync {

// A slot among http.max_concurrent_transfers, released when the transfer's response is gone.
class TransferSlot {
 public:
  // nullptr when every slot is taken.
  static std::shared_ptr<TransferSlot> acquire(const std::shared_ptr<std::atomic<uint32_t>>& active, uint32_t limit);
  ~TransferSlot();
  TransferSlot(const TransferSlot&) = delete;
  TransferSlot& operator=(const TransferSlot&) = delete;

 private:
  explicit TransferSlot(std::shared_ptr<std::atomic<uint32_t>> active) : active_(std::move(active)) {}
  std::shared_ptr<std::atomic<uint32_t>> active_;
};

Status too_many_transfers();

// 200 with the whole data, or 206 with the slice a Range header asks for (416 past the end), streamed
// from the file in bounded pieces.
http::Response stream_data(RequestContext& context, const DataDownload& download);

}  // namespace edgesync
