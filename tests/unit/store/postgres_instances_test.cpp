// Several instances on one PostgreSQL database (store/cluster.hpp), at the store: instance ids, the
// lease of the background duties (acquire, renew, takeover after expiry, fencing of a stale epoch,
// release), and the cross-instance wake-ups (a commit's NOTIFY reaching the other instance only if it
// commits, its own notices ignored, delivery surviving a LISTEN session killed by the server). Stores
// come from the plugin, as the binary opens them; the payload format is tested on its own.
#define BOOST_TEST_MODULE postgres_instances_test
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "server/store/plugin/store_plugin_loader.hpp"
#include "server/store/postgres/notices.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace edgesync;
using namespace std::chrono_literals;
using edgesync::test::PostgresCluster;

namespace {

PostgresCluster& shared_cluster() {
  static std::unique_ptr<PostgresCluster> cluster = [] {
    auto created = PostgresCluster::create();
    BOOST_REQUIRE_MESSAGE(created.is_ok(), "cannot start a PostgreSQL test cluster: " << created.status().message());
    return std::move(*created);
  }();
  return *cluster;
}

struct ScratchDatabase {
  std::string name;
  ScratchDatabase() {
    auto created = shared_cluster().create_database();
    BOOST_REQUIRE_MESSAGE(created.is_ok(), created.status().message());
    name = *created;
  }
  ~ScratchDatabase() { (void)shared_cluster().drop_database(name); }
  std::string url() const { return shared_cluster().url(name); }
};

std::unique_ptr<Store> open_instance(const ScratchDatabase& database) {
  auto store = open_plugin_store(StorePluginRequest{"postgres", EDGESYNC_POSTGRES_PLUGIN, database.url(), 64, 2});
  BOOST_REQUIRE_MESSAGE(store.is_ok(), store.status().message());
  return std::move(*store);
}

// Collects what a store's cluster listener hears, for waits with a deadline.
class Heard {
 public:
  explicit Heard(Store& store) {
    store.set_cluster_listener([this](const ClusterNotice& notice) {
      std::lock_guard lock(mutex_);
      if (notice.everything) ++everything_;
      for (const auto& node : notice.nodes) nodes_.push_back(node.to_string());
      for (const auto& org : notice.event_orgs) event_orgs_.push_back(org);
      changed_.notify_all();
    });
  }
  bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds deadline = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, condition);
  }
  bool heard_node(const std::string& node) const { return std::count(nodes_.begin(), nodes_.end(), node) > 0; }
  bool heard_event_org(const std::string& org) const {
    return std::count(event_orgs_.begin(), event_orgs_.end(), org) > 0;
  }
  int everything() const { return everything_; }
  size_t node_count() const { return nodes_.size(); }
  std::mutex& mutex() { return mutex_; }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> nodes_;
  std::vector<std::string> event_orgs_;
  int everything_ = 0;
};

Status wake_node(Store& store, const NodeAddress& node, Status answer = Status::ok()) {
  return store.write([&](WriteTransaction& transaction) {
    transaction.notify_node(node);
    return answer;
  });
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_instance_gets_its_own_id_from_the_database) {
  ScratchDatabase database;
  auto a = open_instance(database);
  auto b = open_instance(database);
  BOOST_TEST(a->is_shared());
  BOOST_TEST(a->cluster_instance_id() > 0);
  BOOST_TEST(a->cluster_instance_id() != b->cluster_instance_id());
}

BOOST_AUTO_TEST_CASE(a_lease_is_held_by_one_instance_renewed_in_place_and_taken_over_after_its_expiry) {
  ScratchDatabase database;
  auto a = open_instance(database);
  auto b = open_instance(database);
  const int64_t ida = a->cluster_instance_id();
  const int64_t idb = b->cluster_instance_id();
  const auto ttl = 500ms;

  auto first = a->acquire_lease("duties", ida, ttl);
  BOOST_REQUIRE(first.is_ok());
  BOOST_TEST(first->held);
  const int64_t epoch = first->epoch;
  auto refused = b->acquire_lease("duties", idb, ttl);
  BOOST_REQUIRE(refused.is_ok());
  BOOST_TEST(!refused->held);
  BOOST_TEST(refused->holder == ida);
  BOOST_TEST(refused->valid_ms > 0);
  auto renewed = a->acquire_lease("duties", ida, ttl);
  BOOST_REQUIRE(renewed.is_ok());
  BOOST_TEST(renewed->held);
  BOOST_TEST(renewed->epoch == epoch);  // renewing is not a change of holder

  // The holder's fenced write passes while it holds.
  BOOST_TEST(a->write([&](WriteTransaction& t) { return t.check_lease("duties", ida, epoch); }).is_ok());

  // A stops renewing (a pause, a crash): B takes over once the database's clock passes the expiry.
  Result<LeaseState> taken = Status::internal("not yet");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    taken = b->acquire_lease("duties", idb, ttl);
    BOOST_REQUIRE(taken.is_ok());
    if (taken->held) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(taken->valid_ms, 10)));
  }
  BOOST_REQUIRE(taken->held);
  BOOST_TEST(taken->epoch == epoch + 1);

  // Fencing: the old holder's write with its stale epoch fails and leaves nothing behind.
  const StoredObject object = test::make_object("org", "t", "fenced");
  Status stale = a->write([&](WriteTransaction& t) -> Status {
    if (Status held = t.check_lease("duties", ida, epoch); !held) return held;
    return t.put_object(object);
  });
  BOOST_TEST((stale.code() == StatusCode::kConflict), stale.message());
  BOOST_TEST((a->get_object(object.key()).status().code() == StatusCode::kNotFound));
  BOOST_TEST(b->write([&](WriteTransaction& t) { return t.check_lease("duties", idb, epoch + 1); }).is_ok());

  // A late renewal by the old holder does not take the lease back.
  auto late = a->acquire_lease("duties", ida, ttl);
  BOOST_REQUIRE(late.is_ok());
  BOOST_TEST(!late->held);
  BOOST_TEST(late->holder == idb);

  // A clean release hands it over at once, with a new epoch.
  BOOST_TEST(b->release_lease("duties", idb).is_ok());
  auto handed = a->acquire_lease("duties", ida, ttl);
  BOOST_REQUIRE(handed.is_ok());
  BOOST_TEST(handed->held);
  BOOST_TEST(handed->epoch == epoch + 2);
}

BOOST_AUTO_TEST_CASE(a_commit_wakes_the_other_instance_and_a_rolled_back_write_wakes_nobody) {
  ScratchDatabase database;
  auto a = open_instance(database);
  auto b = open_instance(database);
  Heard heard_a(*a);
  Heard heard_b(*b);
  // Both listen (their first LISTEN reports "everything") before the writes.
  BOOST_REQUIRE(heard_a.wait_for([&] { return heard_a.everything() > 0; }));
  BOOST_REQUIRE(heard_b.wait_for([&] { return heard_b.everything() > 0; }));

  const NodeAddress rolled_back{"org", "edge", "never"};
  const NodeAddress committed{"org", "edge", "e1"};
  BOOST_TEST(!wake_node(*a, rolled_back, Status::invalid("refused")).is_ok());
  Event event;
  event.org = "org2";
  event.type = "objectChanged";
  BOOST_TEST(a->write([&](WriteTransaction& t) {
                t.notify_node(committed);
                return t.append_event(event);
              }).is_ok());
  BOOST_TEST(heard_b.wait_for([&] { return heard_b.heard_node(committed.to_string()); }));
  BOOST_TEST(heard_b.wait_for([&] { return heard_b.heard_event_org("org2"); }));
  std::lock_guard lock_b(heard_b.mutex());
  BOOST_TEST(!heard_b.heard_node(rolled_back.to_string()));  // notices arrive in commit order: it would be here
  // The writer's own notices are not handed back to it (it woke its waiters in-process).
  std::lock_guard lock_a(heard_a.mutex());
  BOOST_TEST(heard_a.node_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_listening_session_killed_by_the_server_is_replaced_and_everything_is_woken) {
  ScratchDatabase database;
  auto a = open_instance(database);
  auto b = open_instance(database);
  Heard heard_b(*b);
  BOOST_REQUIRE(heard_b.wait_for([&] { return heard_b.everything() == 1; }));

  pqxx::connection admin(database.url());
  const auto terminate_listeners = [&] {
    pqxx::work transaction(admin);
    auto killed = transaction.exec_params(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'",
        database.name);
    transaction.commit();
    return killed[0][0].as<int>();
  };
  BOOST_REQUIRE(terminate_listeners() >= 1);  // both instances' listeners
  // Notices sent while it was gone are lost: the reconnect wakes every waiter instead.
  BOOST_TEST(heard_b.wait_for([&] { return heard_b.everything() >= 2; }));
  const NodeAddress node{"org", "edge", "after"};
  BOOST_TEST(wake_node(*a, node).is_ok());
  BOOST_TEST(heard_b.wait_for([&] { return heard_b.heard_node(node.to_string()); }));
}

BOOST_AUTO_TEST_CASE(a_notice_too_large_says_less_but_never_misses_a_waiter) {
  pg::NoticeBatch batch;
  batch.add_node({"org1", "edge", "e1"});
  batch.add_event_org("org2");
  auto parsed = pg::parse_notice(batch.payload(7));
  BOOST_REQUIRE(parsed.sender.has_value());
  BOOST_TEST(*parsed.sender == 7);
  BOOST_TEST(!parsed.notice.everything);
  BOOST_REQUIRE(parsed.notice.nodes.size() == 1u);
  BOOST_TEST(parsed.notice.nodes[0].to_string() == "org1/edge/e1");
  BOOST_TEST(parsed.notice.event_orgs == std::vector<std::string>{"org2"});

  // Thousands of nodes of two orgs: the orgs are woken whole.
  pg::NoticeBatch fan_out;
  for (int i = 0; i < 2000; ++i) fan_out.add_node({i % 2 ? "orgA" : "orgB", "edge", "node" + std::to_string(i)});
  const std::string by_org = fan_out.payload(7);
  BOOST_TEST(by_org.size() <= pg::kMaxNoticePayload);
  auto orgs = pg::parse_notice(by_org);
  BOOST_TEST(!orgs.notice.everything);
  BOOST_TEST(orgs.notice.nodes.empty());
  BOOST_TEST((orgs.notice.orgs == std::vector<std::string>{"orgA", "orgB"}));

  // Too many orgs even for that: everything.
  pg::NoticeBatch orgs_galore;
  for (int i = 0; i < 2000; ++i) orgs_galore.add_event_org("org" + std::to_string(i));
  auto all = pg::parse_notice(orgs_galore.payload(7));
  BOOST_TEST(all.notice.everything);

  // Not ours (another program NOTIFYing on the channel): everything, to be safe.
  BOOST_TEST(pg::parse_notice("hello").notice.everything);
  BOOST_TEST(!pg::parse_notice("hello").sender.has_value());
}
