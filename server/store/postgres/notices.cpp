#include "server/store/postgres/notices.hpp"
#include "server/store/postgres/connection.hpp"

#include <spdlog/spdlog.h>
#include <charconv>
#include <chrono>
#include <exception>
#include <vector>

namespace edgesync::pg {
namespace {

// Names never hold tabs or newlines (common/names.hpp), but a field that did would break the format:
// such a target is said as "everything".
bool plain(const std::string& field) {
  return field.find_first_of("\t\n") == std::string::npos;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

void NoticeBatch::merge(const NoticeBatch& other) {
  nodes_.insert(other.nodes_.begin(), other.nodes_.end());
  event_orgs_.insert(other.event_orgs_.begin(), other.event_orgs_.end());
}

void NoticeBatch::clear() {
  nodes_.clear();
  event_orgs_.clear();
}

std::string NoticeBatch::payload(int64_t sender, size_t limit) const {
  const std::string head = std::to_string(sender) + "\n";
  const std::string everything = head + "*";
  bool odd = false;
  std::string detailed = head;
  for (const auto& node : nodes_) {
    odd = odd || !plain(node.org) || !plain(node.dest_type) || !plain(node.dest_id);
    detailed += "n\t" + node.org + "\t" + node.dest_type + "\t" + node.dest_id + "\n";
  }
  for (const auto& org : event_orgs_) {
    odd = odd || !plain(org);
    detailed += "e\t" + org + "\n";
  }
  if (odd) return everything;
  if (detailed.size() <= limit) return detailed;
  // Too long: every org touched, all of its waiters woken.
  std::set<std::string> orgs(event_orgs_);
  for (const auto& node : nodes_) orgs.insert(node.org);
  std::string by_org = head;
  for (const auto& org : orgs) by_org += "o\t" + org + "\n";
  return by_org.size() <= limit ? by_org : everything;
}

ParsedNotice parse_notice(std::string_view payload) {
  ParsedNotice parsed;
  parsed.notice.everything = true;
  const size_t head_end = payload.find('\n');
  const std::string_view head = payload.substr(0, head_end);
  int64_t sender = 0;
  const auto [end, error] = std::from_chars(head.data(), head.data() + head.size(), sender);
  if (error != std::errc() || end != head.data() + head.size()) return parsed;
  parsed.sender = sender;
  ClusterNotice notice;
  if (head_end != std::string_view::npos) {
    for (std::string_view line : split(payload.substr(head_end + 1), '\n')) {
      if (line.empty()) continue;
      const auto fields = split(line, '\t');
      if (fields[0] == "n" && fields.size() == 4) {
        notice.nodes.push_back({std::string(fields[1]), std::string(fields[2]), std::string(fields[3])});
      } else if (fields[0] == "e" && fields.size() == 2) {
        notice.event_orgs.emplace_back(fields[1]);
      } else if (fields[0] == "o" && fields.size() == 2) {
        notice.orgs.emplace_back(fields[1]);
      } else {
        notice.everything = true;  // "*", or a line of a newer format: wake all rather than miss one
      }
    }
  }
  parsed.notice = std::move(notice);
  return parsed;
}

void send_notice(pqxx::transaction_base& transaction, const NoticeBatch& batch, int64_t sender) {
  if (batch.empty()) return;
  pg::exec_cached(transaction, "SELECT pg_notify($1, $2)", kNoticeChannel, batch.payload(sender));
}

// libpqxx calls it from get_notifs(), on the listener's thread.
class NoticeListener::Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& connection, NoticeListener& listener)
      : pqxx::notification_receiver(connection, kNoticeChannel), listener_(listener) {}
  void operator()(const std::string& payload, int backend_pid) override {
    (void)backend_pid;
    ParsedNotice parsed = parse_notice(payload);
    if (parsed.sender && *parsed.sender == listener_.self_) return;  // woken locally already
    listener_.deliver(parsed.notice);
  }

 private:
  NoticeListener& listener_;
};

NoticeListener::NoticeListener(std::string url, int64_t self) : url_(std::move(url)), self_(self) {
  thread_ = std::thread([this] { run(); });
}

NoticeListener::~NoticeListener() {
  close();
}

void NoticeListener::set_callback(ClusterNoticeListener callback) {
  {
    std::lock_guard lock(mutex_);
    callback_ = std::move(callback);
  }
  // Listening already: what came before had nobody to hear it. (Listening not yet: the connect says it.)
  if (connects_ > 0) deliver(ClusterNotice{.everything = true});
}

void NoticeListener::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  closing_ = true;
  closed_cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void NoticeListener::deliver(const ClusterNotice& notice) {
  std::lock_guard lock(mutex_);
  if (!callback_) return;
  try {
    callback_(notice);
    ++delivered_;
  } catch (...) {
    // The host's callback is noexcept by contract (cluster.hpp); nothing may end this thread.
  }
}

bool NoticeListener::sleep_unless_closed(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  return !closed_cv_.wait_for(lock, duration, [&] { return closed_; });
}

void NoticeListener::run() {
  // Short waits, so close() is seen within one; the notices themselves arrive as soon as they are sent.
  constexpr long kWaitMicros = 100'000;
  auto backoff = std::chrono::milliseconds(50);
  while (!closing_) {
    try {
      pqxx::connection connection(url_);
      Receiver receiver(connection, *this);  // sends LISTEN
      ++connects_;
      if (connects_ > 1) spdlog::info("store: listening for other instances' commits again");
      backoff = std::chrono::milliseconds(50);
      // Whatever was sent while nobody listened (or before the first LISTEN) is not known: wake all.
      deliver(ClusterNotice{.everything = true});
      while (!closing_) {
        connection.await_notification(0, kWaitMicros);
        // libpqxx 6.4 stops reading a session the server ended instead of throwing: look.
        if (!connection.is_open()) throw pqxx::broken_connection("the listening session was closed");
      }
    } catch (const std::exception& error) {
      if (closing_) break;
      spdlog::warn("store: listening for other instances' commits failed ({}); retrying", error.what());
    }
    if (!sleep_unless_closed(backoff)) break;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace edgesync::pg
