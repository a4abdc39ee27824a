#include "server/sync/uplink.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <random>
#include <set>

#include "common/base64.hpp"
#include "common/json_text.hpp"
#include "common/metadata_codec.hpp"
#include "server/http/client.hpp"
#include "server/objects/async_store.hpp"
#include "server/store/sha256.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

bool is_success(int status) {
  return status >= 200 && status < 300;
}

std::string object_path(const ResourceKey& key, int64_t instance_id, int64_t data_id, const std::string& action) {
  return "/spi/v1/objects/" + key.org + "/" + key.object_type + "/" + key.object_id + "/" +
         std::to_string(instance_id) + "/" + std::to_string(data_id) + "/" + action;
}

// The contiguous prefix [0, n) recorded in an upload's ranges ("[[0,n-1],…]").
uint64_t received_prefix(const std::string& ranges_json) {
  auto ranges = nlohmann::json::parse(ranges_json, nullptr, false);
  if (!ranges.is_array() || ranges.empty() || !ranges[0].is_array() || ranges[0].size() != 2) return 0;
  if (!ranges[0][0].is_number_unsigned() || ranges[0][0].get<uint64_t>() != 0) return 0;
  return ranges[0][1].get<uint64_t>() + 1;
}

}  // namespace

struct Uplink::State : std::enable_shared_from_this<State> {
  State(asio::any_io_executor executor, UplinkOptions uplink_options, meta::MetaManager& meta_manager,
        Store& node_store, DataFiles& files, asio::thread_pool& pool)
      : strand(asio::make_strand(executor)),
        options(std::move(uplink_options)),
        meta(meta_manager),
        store(node_store),
        data_files(files),
        blocking_pool(pool),
        wake_timer(strand),
        fetch_timer(strand),
        backoff_timer(strand),
        cloud_peer{options.node.org, "Cloud", "Cloud"},
        random(std::random_device{}()) {}

  asio::strand<asio::any_io_executor> strand;
  UplinkOptions options;
  meta::MetaManager& meta;
  Store& store;
  DataFiles& data_files;
  asio::thread_pool& blocking_pool;
  http::Url url;
  std::unique_ptr<http::HttpClient> session_client;  // register, poll, outbox
  std::unique_ptr<http::HttpClient> fetch_client;    // data
  asio::steady_timer wake_timer;
  asio::steady_timer fetch_timer;
  asio::steady_timer backoff_timer;
  NodeAddress cloud_peer;
  std::mt19937_64 random;

  // Strand-only state.
  bool stopped = false;
  bool wake_pending = false;
  bool in_poll = false;
  bool poll_interrupted = false;
  bool cloud_long_polls = true;  // until a cloud answers a wait at once
  bool resend_pending = false;   // an application asked for a resend the cloud has not acknowledged
  Clock::time_point last_ping = Clock::now();
  std::deque<ResourceKey> fetch_queue;
  std::set<ResourceKey> fetch_set;

  std::atomic<uint64_t> reconnects{0};
  std::atomic<uint64_t> bytes_fetched{0};

  // ---- requests ---------------------------------------------------------------------------
  http::ClientRequest spi(std::string method, std::string target, std::string body = {}) const {
    http::ClientRequest request{std::move(method), std::move(target), {}, std::move(body)};
    const std::string identity = options.node.to_string();
    request.headers.emplace_back("Authorization", "Basic " + base64_encode(identity + ":" + options.secret));
    request.headers.emplace_back("X-Sync-Service-Dest", identity);
    return request;
  }

  std::unique_ptr<http::HttpClient> make_client(asio::any_io_executor executor,
                                                std::chrono::milliseconds extra_time = {}) const {
    http::ClientOptions client_options;
    client_options.request_timeout = options.request_timeout + extra_time;
    client_options.ca_file = options.ca_file;
    return std::make_unique<http::HttpClient>(std::move(executor), url, client_options);
  }

  // ---- waiting ----------------------------------------------------------------------------
  asio::awaitable<void> sleep(asio::steady_timer& timer, std::chrono::milliseconds duration) {
    timer.expires_after(duration);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  std::chrono::milliseconds backoff(int failures) {
    const auto cap =
        std::min<int64_t>(options.max_backoff.count(), options.min_backoff.count() << std::min(failures, 20));
    return std::chrono::milliseconds(
        std::uniform_int_distribution<int64_t>(options.min_backoff.count() / 2, cap)(random));
  }

  // Waits for outbox_changed() or the duration, whichever comes first.
  asio::awaitable<void> wait_for_work(std::chrono::milliseconds duration) {
    if (wake_pending || stopped) co_return;
    co_await sleep(wake_timer, duration);
  }

  void set_connected(bool connected) { meta.node_connection(connected); }

  // ---- the session ------------------------------------------------------------------------
  asio::awaitable<Status> register_node() {
    // A node with nothing stored (first start, or a wiped store) registers as new, so the cloud sends
    // everything meant for it again (MMS's edge does not, and stays empty).
    auto count = store.count_objects();
    auto records = store.list_deliveries_to(cloud_peer, false);
    const bool fresh = count && *count == 0 && records && records->empty();
    const std::string suffix = options.node.org + "/" + options.node.dest_type + "/" + options.node.dest_id +
                               "?persistent-storage=" + (options.persistent_storage ? "true" : "false");
    if (!fresh) {
      auto answer = co_await session_client->request(spi("PUT", "/spi/v1/register/" + suffix));
      if (!answer) co_return answer.status();
      if (is_success(answer->status)) co_return Status::ok();
      if (answer->status != 404) co_return Status::unavailable("register answered " + std::to_string(answer->status));
    }
    auto answer = co_await session_client->request(spi("PUT", "/spi/v1/register-new/" + suffix));
    if (!answer) co_return answer.status();
    if (!is_success(answer->status))
      co_return Status::unavailable("register-new answered " + std::to_string(answer->status));
    co_return Status::ok();
  }

  asio::awaitable<void> run_session() {
    auto self = shared_from_this();
    int failures = 0;
    while (!stopped) {
      Status registered = co_await register_node();
      if (!registered) {
        spdlog::warn("uplink: cannot register with {}: {}", options.cloud_url, registered.message());
        set_connected(false);
        co_await sleep(backoff_timer, backoff(failures++));
        continue;
      }
      spdlog::info("uplink: registered with {} as {}", options.cloud_url, options.node.to_string());
      failures = 0;
      set_connected(true);
      resume_fetches();
      Status ended = co_await serve_session();
      set_connected(false);
      if (stopped) break;
      ++reconnects;
      spdlog::warn("uplink: connection to the cloud lost: {}", ended.message());
      co_await sleep(backoff_timer, backoff(failures++));
    }
  }

  // Outbox, poll, process — until the connection fails or the cloud forgot the node.
  asio::awaitable<Status> serve_session() {
    auto poll_interval = options.poll_interval / 10;
    last_ping = Clock::now();  // registering told the cloud we are here
    while (!stopped) {
      wake_pending = false;
      if (Clock::now() - last_ping >= options.ping_interval) {
        const NodeAddress& node = options.node;
        auto answer = co_await session_client->request(
            spi("PUT", "/spi/v1/ping/" + node.org + "/" + node.dest_type + "/" + node.dest_id));
        if (!answer) co_return answer.status();
        if (answer->status == 404) co_return Status::unavailable("the cloud forgot this node (ping answered 404)");
        last_ping = Clock::now();
      }
      if (Status flushed = co_await flush_outbox(); !flushed) co_return flushed;
      if (resend_pending) {
        auto answer = co_await session_client->request(spi("PUT", "/spi/v1/objects/" + options.node.org + "/resend"));
        if (!answer) co_return answer.status();
        if (answer->status == 424) co_return Status::unavailable("the cloud does not know this node");
        if (is_success(answer->status)) {
          resend_pending = false;
          spdlog::info("uplink: the cloud acknowledged the resend request");
        }
      }
      if (wake_pending) continue;
      http::ClientRequest poll = spi("GET", "/spi/v1/objects/?wait=" + std::to_string(options.long_poll_wait.count()));
      in_poll = true;
      poll_interrupted = false;
      auto answer = co_await session_client->request(std::move(poll));
      in_poll = false;
      // outbox_changed() cut the long-poll short. An answer that had already arrived is still processed:
      // the cloud recorded its items as sent, and dropping them would leave them to its retry (~1 s).
      if (poll_interrupted && !answer) continue;
      if (!answer) co_return answer.status();
      if (answer->status == 424) co_return Status::unavailable("the cloud does not know this node");
      if (answer->status == 200) {
        if (Status processed = co_await process_items(answer->body); !processed) co_return processed;
        poll_interval = options.poll_interval / 10;
        continue;
      }
      if (answer->status != 204) co_return Status::unavailable("poll answered " + std::to_string(answer->status));
      if (answer->header("X-Edgesync-Long-Poll")) {
        cloud_long_polls = true;
        continue;
      }
      // A cloud that answers at once (MMS): poll at growing gaps up to the interval, as MMS's edge.
      cloud_long_polls = false;
      co_await wait_for_work(poll_interval);
      poll_interval = std::min(options.poll_interval, poll_interval + options.poll_interval / 10);
    }
    co_return Status::ok();
  }

  // Sends a notification; a 2xx or 409 is the acknowledgement. Transport failures are errors; other
  // answers come back as the status code for the caller to judge.
  asio::awaitable<Result<int>> notify(const ResourceKey& key, int64_t instance_id, int64_t data_id,
                                      const std::string& action, std::string body = {}) {
    auto answer =
        co_await session_client->request(spi("PUT", object_path(key, instance_id, data_id, action), std::move(body)));
    if (!answer) co_return answer.status();
    co_return answer->status;
  }

  asio::awaitable<Status> process_items(const std::string& body) {
    auto items = nlohmann::json::parse(body, nullptr, false);
    if (!items.is_array()) co_return Status::unavailable("the cloud's poll answer is not a JSON array");
    for (const auto& item : items) {  // in order, each to completion (as MMS)
      if (!item.is_object() || !item.value("Type", nlohmann::json()).is_string() || !item.contains("MetaData"))
        continue;
      auto metadata = metadata_from_json(item["MetaData"]);
      if (!metadata) {
        spdlog::warn("uplink: a poll item with bad metadata: {}", metadata.status().message());
        continue;
      }
      if (metadata->destination_org_id.empty()) metadata->destination_org_id = options.node.org;
      if (Status handled = co_await process_item(item["Type"].get<std::string>(), std::move(*metadata)); !handled)
        co_return handled;
    }
    co_return Status::ok();
  }

  asio::awaitable<Status> process_item(const std::string& type, ObjectMetadata metadata) {
    const ResourceKey key{metadata.destination_org_id, metadata.object_type, metadata.object_id};
    const int64_t instance_id = metadata.instance_id;
    const int64_t data_id = metadata.data_id;
    if (type == "update") {
      auto outcome = co_await meta.cloud_update(std::move(metadata));
      if (!outcome) {
        spdlog::warn("uplink: update of {} refused here: {}", key.to_string(), outcome.status().message());
        co_return Status::ok();
      }
      // Fetching: `updated` now; complete: `received` is in the outbox; already had it: `received` again.
      std::string ack;
      if (*outcome == ReceiveOutcome::kNeedsData) ack = "updated";
      if (*outcome == ReceiveOutcome::kUnchanged || *outcome == ReceiveOutcome::kStale) ack = "received";
      if (!ack.empty()) {
        auto sent = co_await notify(key, instance_id, data_id, ack);
        if (!sent) co_return sent.status();
      }
      co_return Status::ok();
    }
    if (type == "delete") {
      const bool had_copy = store.get_object(key).is_ok();
      if (Status deleted = co_await meta.cloud_delete(key); !deleted)
        spdlog::warn("uplink: delete of {} failed here: {}", key.to_string(), deleted.message());
      // No copy here: nothing for applications to confirm; tell the cloud it is gone.
      auto sent = had_copy ? co_await notify(key, instance_id, data_id, "ackDelete")
                           : co_await notify(key, instance_id, data_id, "deleted", metadata_to_text(metadata, true));
      if (!sent) co_return sent.status();
      co_return Status::ok();
    }
    if (type == "consumed" || type == "deleted") {  // about this node's own object
      if (Status handled = co_await meta.cloud_item(key, type, instance_id); !handled)
        spdlog::warn("uplink: {} of {} failed here: {}", type, key.to_string(), handled.message());
      auto sent = co_await notify(key, instance_id, data_id, type == "consumed" ? "ackconsumed" : "ackDeleted");
      if (!sent) co_return sent.status();
    }
    co_return Status::ok();
  }

  // ---- the outbox -------------------------------------------------------------------------
  asio::awaitable<Status> flush_outbox() {
    auto rows = store.list_deliveries_to(cloud_peer, true);
    if (!rows) co_return rows.status();
    for (const auto& row : *rows) {
      if (stopped) break;
      Result<int> sent = co_await send_row(row);
      if (!sent) co_return sent.status();
      if (*sent == 424) co_return Status::unavailable("the cloud does not know this node");
      if (is_success(*sent) || *sent == 409 || *sent == 404) {
        // Acknowledged (409: "ignored, treat as acknowledged"; 404: the cloud has nothing to say about it).
        if (Status acked = co_await meta.cloud_response(row.key, row.pending, row.instance_id); !acked)
          spdlog::warn("uplink: recording the cloud's answer for {} failed: {}", row.key.to_string(), acked.message());
      } else {
        spdlog::warn("uplink: the cloud answered {} to {} of {}; retrying later", *sent, row.pending,
                     row.key.to_string());
      }
    }
    co_return Status::ok();
  }

  asio::awaitable<Result<int>> send_row(const Delivery& row) {
    const std::string& action = row.pending;
    if (options.drop_notifications.count(action) > 0) {
      spdlog::warn("uplink: fault injection: {} of {} dropped", action, row.key.to_string());
      co_return 204;
    }
    if (action == "update") co_return co_await send_own_object(row);
    if (action == "delete") {
      auto own = store.get_object(row.key);
      std::string body = own ? metadata_to_text(own->metadata, true) : row.metadata_json;
      co_return co_await notify(row.key, row.instance_id, row.data_id, "delete", std::move(body));
    }
    if (action == "deleted")
      co_return co_await notify(row.key, row.instance_id, row.data_id, "deleted", row.metadata_json);
    co_return co_await notify(row.key, row.instance_id, row.data_id, action);
  }

  // An edge-originated object: metadata, then its data in chunks from the last acknowledged byte.
  asio::awaitable<Result<int>> send_own_object(const Delivery& row) {
    auto object = store.get_object(row.key);
    if (!object || !object->originated_here || object->metadata.instance_id != row.instance_id) co_return 409;
    const ObjectMetadata& meta_data = object->metadata;
    if (row.status == delivery_status::kPending || row.sent_bytes == 0) {
      auto sent = co_await notify(row.key, meta_data.instance_id, meta_data.data_id, "update",
                                  metadata_to_text(meta_data, true));
      if (!sent || (!is_success(*sent) && *sent != 409)) co_return sent;
      Status marked = co_await record_sent(row, 0);
      if (!marked) co_return marked;
    }
    if (object->data_file.empty() || meta_data.no_data) co_return 204;
    auto reader = data_files.open_reader(object->data_file);
    if (!reader) co_return reader.status();
    std::shared_ptr<DataFileReader> file(std::move(*reader));
    const uint64_t total = file->size();
    uint64_t offset = row.sent_bytes;
    const std::string target = object_path(row.key, meta_data.instance_id, meta_data.data_id, "data");
    while (offset < total || total == 0) {
      const uint64_t length = std::min<uint64_t>(options.chunk_size, total - offset);
      http::ClientRequest request = spi("PUT", target);
      if (total > options.chunk_size) {  // a whole small object goes without Content-Range, as MMS
        request.headers.emplace_back("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                                          std::to_string(offset + length - 1) + "/" +
                                                          std::to_string(total));
      }
      auto position = std::make_shared<uint64_t>(offset);
      const uint64_t end = offset + length;
      http::BodySource source = [file, position, end](std::span<char> buffer) -> Result<size_t> {
        const uint64_t want = std::min<uint64_t>(buffer.size(), end - *position);
        if (want == 0) return size_t{0};
        auto read = file->read_at(*position, buffer.first(want));
        if (!read) return read.status();
        if (*read == 0) return Status::io_error("the object's data ended early");
        *position += *read;
        return *read;
      };
      auto answer = co_await session_client->upload(std::move(request), length, std::move(source));
      if (!answer) co_return answer.status();
      if (!is_success(answer->status)) co_return answer->status;
      offset = end;
      if (Status recorded = co_await record_sent(row, offset); !recorded) co_return recorded;
      if (total == 0) break;
    }
    co_return 204;
  }

  // The cloud has the metadata and `sent` bytes of the object's data (kept across restarts).
  asio::awaitable<Status> record_sent(const Delivery& sent_row, uint64_t sent) {
    const NodeAddress cloud = cloud_peer;
    co_return co_await durable_write(store, [&](WriteTransaction& transaction) -> Status {
      auto row = transaction.get_delivery(sent_row.key, cloud);
      if (!row || row->pending != "update" || row->instance_id != sent_row.instance_id) return Status::ok();
      row->status = delivery_status::kDelivering;
      row->sent_bytes = sent;
      return transaction.put_delivery(*row);
    });
  }

  // ---- data fetching ----------------------------------------------------------------------
  void queue_fetch(const ResourceKey& key) {
    if (!fetch_set.insert(key).second) return;
    fetch_queue.push_back(key);
    fetch_timer.cancel();
  }

  // After a restart (or reconnect): every copy still waiting for data.
  void resume_fetches() {
    auto waiting =
        store.list_objects(ObjectFilter{options.node.org, std::nullopt, {ObjectStatus::kPartiallyReceived}, false});
    if (!waiting) return;
    for (const auto& copy : *waiting) queue_fetch(copy.key());
  }

  asio::awaitable<void> run_fetches() {
    auto self = shared_from_this();
    int failures = 0;
    while (!stopped) {
      if (fetch_queue.empty()) {
        co_await sleep(fetch_timer, std::chrono::hours(1));
        continue;
      }
      const ResourceKey key = fetch_queue.front();
      Status fetched = co_await fetch(key);
      if (stopped) break;
      if (fetched) {
        failures = 0;
        fetch_queue.pop_front();
        fetch_set.erase(key);
        continue;
      }
      spdlog::warn("uplink: fetching the data of {} failed: {}; retrying", key.to_string(), fetched.message());
      // To the back: one stubborn object does not hold up the others.
      fetch_queue.pop_front();
      fetch_queue.push_back(key);
      co_await sleep(backoff_timer, backoff(failures++));
    }
  }

  asio::awaitable<Status> blocking(std::function<Status()> work) {
    co_return co_await run_blocking(blocking_pool, std::move(work));
  }

  asio::awaitable<Status> fetch(const ResourceKey& key) {
    auto copy = store.get_object(key);
    if (!copy || copy->originated_here || copy->status != ObjectStatus::kPartiallyReceived) co_return Status::ok();
    const ObjectMetadata metadata = copy->metadata;
    const uint64_t total = static_cast<uint64_t>(metadata.object_size);
    // One chunk or less: one GET into memory, one data file; nothing to resume, so no part file and no
    // progress rows (three fewer commits on the path that sets propagation latency).
    if (total <= options.chunk_size) co_return co_await fetch_small(key, metadata);

    // Resume from the part file of an earlier attempt, or start one.
    auto upload = store.get_upload(key);
    std::string part;
    uint64_t offset = 0;
    if (upload && upload->total_size == total) {
      part = upload->part_file;
      offset = received_prefix(upload->received_ranges_json);
      if (offset > 0) spdlog::info("uplink: resuming {} at byte {} of {}", key.to_string(), offset, total);
    } else {
      Status created = co_await blocking([&]() -> Status {
        auto made = data_files.create_part(key, total);
        if (!made) return made.status();
        part = *made;
        return Status::ok();
      });
      if (!created) co_return created;
      Status recorded = co_await durable_write(store, [&](WriteTransaction& transaction) -> Status {
        if (auto old = transaction.get_upload(key)) {
          transaction.after_commit([this, old_part = old->part_file] { (void)data_files.remove_part(old_part); });
        }
        return transaction.put_upload(UploadState{key, part, total, 0, "[]", 0});
      });
      if (!recorded) co_return recorded;
    }

    // Hashed as the bytes arrive when the transfer starts from byte 0; a resumed one is hashed whole
    // at the end (its first part came before the restart).
    std::optional<Sha256> hasher;
    if (offset == 0) hasher.emplace();
    std::string cloud_sha256;
    const std::string target = object_path(key, metadata.instance_id, metadata.data_id, "data");
    PendingWrite progress;  // the last chunk's record, committing while the next chunk arrives
    while (offset < total) {
      const uint64_t last = std::min(offset + options.chunk_size, total) - 1;
      http::ClientRequest request = spi("GET", target);
      request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last));
      uint64_t position = offset;
      http::BodySink sink = [&](std::span<const char> bytes) -> Status {
        if (position + bytes.size() > last + 1) return Status::invalid("the cloud sent more than the range asked");
        Status status = data_files.write_part(part, position, bytes, false);
        if (hasher) hasher->update(bytes.data(), bytes.size());
        position += bytes.size();
        return status;
      };
      auto answer = co_await fetch_client->download(std::move(request), std::move(sink));
      if (!answer) co_return answer.status();
      if (answer->status == 404) {
        // The cloud moved on (a newer version, or deleted): the poll brings what replaces this one.
        spdlog::info("uplink: {} version {} is gone from the cloud", key.to_string(), metadata.instance_id);
        co_return Status::ok();
      }
      if (answer->status != 206 && answer->status != 200)
        co_return Status::unavailable("data GET answered " + std::to_string(answer->status));
      if (auto sha = answer->header("X-Edgesync-Sha256")) cloud_sha256 = std::string(*sha);
      if (position != last + 1) co_return Status::unavailable("the cloud sent a short chunk");
      bytes_fetched += last + 1 - offset;
      // The chunk is recorded once it is in the part file (the page cache: it survives a kill -9 of
      // this process). No fsync per chunk: that would cap the transfer at the disk's synchronous write
      // rate. The one fsync comes in finish_part; should the OS crash before it, the SHA-256 check
      // below finds the damage and the object is fetched again. Writeback starts now, so that the disk
      // works while the network does and that fsync has only the last chunk left.
      const uint64_t received = last + 1;
      Status started =
          co_await blocking([&] { return data_files.start_part_writeback(part, offset, received - offset); });
      if (!started) co_return started;
      // The record commits while the next chunk arrives (a commit per chunk in line with the transfer
      // cost ~15 % of a fast link); records stay in order, so a kill -9 costs at most two chunks.
      if (Status previous = co_await progress.wait(); !previous) co_return previous;
      progress = PendingWrite::start(store, [key, part, received](WriteTransaction& transaction) -> Status {
        auto current = transaction.get_upload(key);
        if (!current || current->part_file != part) return Status::conflict("the transfer was restarted");
        current->received_bytes = received;
        current->received_ranges_json = "[[0," + std::to_string(received - 1) + "]]";
        return transaction.put_upload(*current);
      });
      offset = received;
    }
    if (Status last_record = co_await progress.wait(); !last_record) co_return last_record;

    // Complete: size and SHA-256 verified before the copy is offered to applications.
    std::optional<std::string> known_sha256;
    if (hasher) known_sha256 = hasher->hex();
    std::optional<StoredData> data;
    Status finished = co_await blocking([&]() -> Status {
      auto done = data_files.finish_part(part, key, known_sha256);
      if (!done) return done.status();
      data = StoredData{done->file_name, done->size, done->sha256};
      return Status::ok();
    });
    if (!finished) {
      // A part file lost to a crash between rename and commit: start over.
      if (finished.code() == StatusCode::kNotFound) (void)co_await forget_upload(key);
      co_return finished;
    }
    (void)co_await forget_upload(key);
    co_return co_await complete_fetch(key, metadata, total, cloud_sha256, std::move(*data));
  }

  asio::awaitable<Status> fetch_small(const ResourceKey& key, const ObjectMetadata& metadata) {
    const uint64_t total = static_cast<uint64_t>(metadata.object_size);
    auto answer =
        co_await fetch_client->request(spi("GET", object_path(key, metadata.instance_id, metadata.data_id, "data")));
    if (!answer) co_return answer.status();
    if (answer->status == 404) co_return Status::ok();  // the cloud moved on; the poll brings the rest
    if (answer->status != 200 && answer->status != 206)
      co_return Status::unavailable("data GET answered " + std::to_string(answer->status));
    bytes_fetched += answer->body.size();
    std::string cloud_sha256(answer->header("X-Edgesync-Sha256").value_or(""));
    std::optional<StoredData> data;
    Status written = co_await blocking([&]() -> Status {
      auto writer = data_files.create(key);
      if (!writer) return writer.status();
      if (Status appended = (*writer)->append(answer->body); !appended) return appended;
      auto done = (*writer)->finish();
      if (!done) return done.status();
      data = StoredData{done->file_name, done->size, done->sha256};
      return Status::ok();
    });
    if (!written) co_return written;
    co_return co_await complete_fetch(key, metadata, total, cloud_sha256, std::move(*data));
  }

  // Size and SHA-256 verified before the copy is offered to applications.
  asio::awaitable<Status> complete_fetch(const ResourceKey& key, const ObjectMetadata& metadata, uint64_t total,
                                         const std::string& cloud_sha256, StoredData data) {
    if (data.size != total || (!cloud_sha256.empty() && data.sha256 != cloud_sha256)) {
      (void)data_files.remove(data.file_name);
      co_return Status::unavailable("the fetched data of " + key.to_string() + " does not match (size " +
                                    std::to_string(data.size) + ", SHA-256 " + data.sha256 + "); fetching it again");
    }
    Status completed = co_await meta.cloud_data(key, metadata.instance_id, data);
    if (!completed && completed.code() == StatusCode::kConflict) co_return Status::ok();  // a newer version came
    co_return completed;
  }

  asio::awaitable<Status> forget_upload(const ResourceKey& key) {
    co_return co_await durable_write(store,
                                     [&](WriteTransaction& transaction) { return transaction.delete_upload(key); });
  }
};

Uplink::Uplink(asio::any_io_executor executor, UplinkOptions options, meta::MetaManager& meta, Store& store,
               DataFiles& data_files, asio::thread_pool& blocking_pool)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), meta, store, data_files, blocking_pool)) {
}

Uplink::~Uplink() {
  stop();
}

void Uplink::start() {
  auto url = http::parse_url(state_->options.cloud_url);
  if (!url) {
    spdlog::error("uplink: cloud_url: {}", url.status().message());
    return;
  }
  state_->url = *url;
  // The long-poll holds the session's request open for long_poll_wait on top of the usual timeout.
  state_->session_client = state_->make_client(
      state_->strand, std::chrono::duration_cast<std::chrono::milliseconds>(state_->options.long_poll_wait));
  state_->fetch_client = state_->make_client(state_->strand);
  asio::co_spawn(state_->strand, state_->run_session(), asio::detached);
  asio::co_spawn(state_->strand, state_->run_fetches(), asio::detached);
}

void Uplink::stop() {
  asio::post(state_->strand, [state = state_] {
    if (state->stopped) return;
    state->stopped = true;
    state->wake_timer.cancel();
    state->fetch_timer.cancel();
    state->backoff_timer.cancel();
    if (state->session_client) state->session_client->close();
    if (state->fetch_client) state->fetch_client->close();
  });
}

void Uplink::outbox_changed() {
  asio::post(state_->strand, [state = state_] {
    state->wake_pending = true;
    state->wake_timer.cancel();
    if (state->in_poll && state->session_client) {
      state->poll_interrupted = true;
      state->session_client->close();
    }
  });
}

void Uplink::request_resend() {
  asio::post(state_->strand, [state = state_] {
    state->resend_pending = true;
    state->wake_pending = true;
    state->wake_timer.cancel();
    if (state->in_poll && state->session_client) {
      state->poll_interrupted = true;
      state->session_client->close();
    }
  });
}

void Uplink::fetch_data(const ResourceKey& key) {
  asio::post(state_->strand, [state = state_, key] { state->queue_fetch(key); });
}

asio::awaitable<Result<ObjectMetadata>> Uplink::remote_query(const ResourceKey& key) {
  auto client = state_->make_client(co_await asio::this_coro::executor);
  auto answer = co_await client->request(
      state_->spi("GET", "/spi/v1/query/" + key.org + "/" + key.object_type + "/" + key.object_id));
  if (!answer) co_return answer.status();
  if (answer->status == 404) co_return Status::not_found();
  if (answer->status != 200) co_return Status::unavailable("remote query answered " + std::to_string(answer->status));
  co_return parse_metadata(answer->body);
}

asio::awaitable<Result<std::vector<ResourceKey>>> Uplink::send_status_snapshot(const nlohmann::json& snapshot) {
  const NodeAddress& node = state_->options.node;
  auto client = state_->make_client(co_await asio::this_coro::executor);
  auto answer = co_await client->request(state_->spi(
      "PUT", "/spi/v1/metasync/" + node.org + "/" + node.dest_type + "/" + node.dest_id, json_text(snapshot)));
  if (!answer) co_return answer.status();
  if (answer->status != 200) co_return Status::unavailable("metasync answered " + std::to_string(answer->status));
  auto body = nlohmann::json::parse(answer->body, nullptr, false);
  std::vector<ResourceKey> gone;
  if (body.is_object() && body.contains("gone") && body["gone"].is_array()) {
    for (const auto& entry : body["gone"]) {
      if (entry.is_object() && entry.value("objectType", nlohmann::json()).is_string() &&
          entry.value("objectID", nlohmann::json()).is_string())
        gone.push_back({node.org, entry["objectType"].get<std::string>(), entry["objectID"].get<std::string>()});
    }
  }
  co_return gone;
}

uint64_t Uplink::reconnects() const {
  return state_->reconnects.load();
}

uint64_t Uplink::bytes_fetched() const {
  return state_->bytes_fetched.load();
}

}  // namespace edgesync
