// Cross-instance wake-ups over PostgreSQL LISTEN/NOTIFY (store/cluster.hpp).
//
// A commit's writes gather what they wake in a NoticeBatch; one pg_notify on the channel carries it,
// sent inside the batch's transaction just before COMMIT, so PostgreSQL delivers it only if the commit
// succeeds (and a write rolled back to its savepoint takes its notify with it). A payload is at most
// kMaxNoticePayload bytes (PostgreSQL's limit is 8000): larger batches say less — their nodes become
// their orgs, and too many orgs become "everything" — which only wakes more waiters than needed, each
// re-reading what it waits for.
//
// Each instance keeps one NoticeListener: its own connection and thread, LISTENing on the channel and
// handing every notice of another instance to the host's callback. Notices may be missed while its
// connection is down, so after every (re)connect it reports "everything".
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "server/store/cluster.hpp"

namespace edgesync::pg {

inline constexpr char kNoticeChannel[] = "edgesync_wake";
inline constexpr size_t kMaxNoticePayload = 7900;

class NoticeBatch {
 public:
  void add_node(const NodeAddress& node) { nodes_.insert(node); }
  void add_event_org(const std::string& org) { event_orgs_.insert(org); }
  void merge(const NoticeBatch& other);
  bool empty() const { return nodes_.empty() && event_orgs_.empty(); }
  void clear();
  // "<sender>\n" then a line per target ("n\t<org>\t<type>\t<id>", "e\t<org>", "o\t<org>" or "*"),
  // said with less detail until it fits in `limit` bytes.
  std::string payload(int64_t sender, size_t limit = kMaxNoticePayload) const;

 private:
  std::set<NodeAddress> nodes_;
  std::set<std::string> event_orgs_;
};

struct ParsedNotice {
  std::optional<int64_t> sender;  // absent when the payload is not ours: treated as "everything"
  ClusterNotice notice;
};
ParsedNotice parse_notice(std::string_view payload);

// Sends the batch's notice inside `transaction` (nothing when it is empty).
void send_notice(pqxx::transaction_base& transaction, const NoticeBatch& batch, int64_t sender);

class NoticeListener {
 public:
  // Starts listening at once (connecting on its thread); notices of `self` are ignored.
  NoticeListener(std::string url, int64_t self);
  ~NoticeListener();  // close()
  NoticeListener(const NoticeListener&) = delete;
  NoticeListener& operator=(const NoticeListener&) = delete;

  // Where notices go from now on; "everything" goes there at once when listening already (nothing
  // that came before was heard), or at the first LISTEN otherwise.
  void set_callback(ClusterNoticeListener callback);
  void close();  // stops the thread and closes the connection; idempotent

  uint64_t connects() const { return connects_.load(); }    // successful LISTENs, the first included
  uint64_t delivered() const { return delivered_.load(); }  // notices handed to the callback

 private:
  class Receiver;
  void run();
  void deliver(const ClusterNotice& notice);
  bool sleep_unless_closed(std::chrono::milliseconds duration);

  const std::string url_;
  const int64_t self_;
  std::mutex mutex_;
  std::condition_variable closed_cv_;
  ClusterNoticeListener callback_;  // under mutex_
  bool closed_ = false;             // under mutex_
  std::atomic<bool> closing_{false};
  std::atomic<uint64_t> connects_{0};
  std::atomic<uint64_t> delivered_{0};
  std::thread thread_;
};

}  // namespace edgesync::pg
