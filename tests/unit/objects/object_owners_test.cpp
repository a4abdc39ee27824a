// Owner references in ObjectService against a real SQLite store: the cascade of a deleted owner
// (multi-level, unsetOnDelete, several owners, cycles, bounded batches, resumed after a restart) and
// the validator that drops references to owners that never appear, with an injected clock.
#define BOOST_TEST_MODULE object_owners_test
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <limits>

#include "server/objects/object_service.hpp"
#include "tests/unit/objects/node_storage.hpp"

using namespace edgesync;
namespace asio = boost::asio;

namespace {

const Identity kAdmin{Role::kAdmin, "myorg", "bob", "", ""};
constexpr size_t kAll = std::numeric_limits<size_t>::max();
constexpr std::chrono::seconds kTimeout{60};

OwnerReference owner(const std::string& id, bool unset_on_delete = false) {
  return {"model", id, unset_on_delete};
}

struct Fixture : edgesync::test::NodeStorage {
  SystemTime now = std::chrono::system_clock::from_time_t(1'800'000'000);
  std::unique_ptr<ObjectService> service;

  Fixture() : NodeStorage("object-owners") { make_service(); }

  void make_service() {
    ObjectService::Options options{NodeIdentity{}, 5 * 1024 * 1024, [this] { return now; }};
    service = std::make_unique<ObjectService>(*store, *data_files, blocking, options);
  }

  // Closes the store as a stopped process would and opens the same file again.
  void restart() {
    service.reset();
    store->close();
    auto reopened = open_sqlite_store(SqliteStoreOptions{(dir / "node.db").string()});
    BOOST_REQUIRE(reopened.is_ok());
    store = std::move(*reopened);
    make_service();
  }

  template <class T>
  T run(asio::awaitable<T> work) {
    asio::io_context io;
    return edgesync::test::run_to_completion(io, std::move(work));
  }

  void put(const std::string& id, std::vector<OwnerReference> owners = {}) {
    ObjectMetadata meta;
    meta.object_type = "model";
    meta.object_id = id;
    meta.no_data = true;
    meta.owner_references = std::move(owners);
    Status status = run(service->put_object({"myorg", "model", id}, meta, std::nullopt, kAdmin));
    BOOST_REQUIRE_MESSAGE(status.is_ok(), status.message());
  }

  void remove(const std::string& id) {
    Status status = run(service->delete_object({"myorg", "model", id}));
    BOOST_REQUIRE_MESSAGE(status.is_ok(), status.message());
  }

  size_t cascade(size_t batch_size = 100, size_t max_batches = kAll) {
    auto handled = run(service->run_owner_cascades(batch_size, max_batches));
    BOOST_REQUIRE(handled.is_ok());
    return *handled;
  }

  size_t expire() {
    auto dropped = run(service->expire_owner_references(kTimeout, 100));
    BOOST_REQUIRE(dropped.is_ok());
    return *dropped;
  }

  bool exists(const std::string& id) { return service->get_object({"myorg", "model", id}).is_ok(); }

  std::vector<OwnerReference> owners_of(const std::string& id) {
    auto object = service->get_object({"myorg", "model", id});
    BOOST_REQUIRE(object.is_ok());
    return object->metadata.owner_references;
  }

  size_t queued_cascades() {
    auto queued = store->list_owner_cascades(1000);
    BOOST_REQUIRE(queued.is_ok());
    return queued->size();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(three_level_tree_goes_with_its_root) {
  Fixture f;
  f.put("root");
  f.put("a1", {owner("root")});
  f.put("a2", {owner("root")});
  f.put("b1", {owner("a1")});
  f.put("b2", {owner("a2")});
  f.put("c1", {owner("b1")});
  f.put("bystander");
  f.remove("root");
  BOOST_TEST(f.queued_cascades() == 1u);
  BOOST_TEST(f.cascade() == 5u);
  for (const char* id : {"root", "a1", "a2", "b1", "b2", "c1"}) BOOST_TEST(!f.exists(id), id);
  BOOST_TEST(f.exists("bystander"));
  BOOST_TEST(f.queued_cascades() == 0u);
  BOOST_TEST(f.cascade() == 0u);  // nothing left to do
}

BOOST_AUTO_TEST_CASE(cascade_runs_in_bounded_batches) {
  Fixture f;
  f.put("root");
  for (int i = 0; i < 7; ++i) f.put("leaf" + std::to_string(i), {owner("root")});
  f.remove("root");
  BOOST_TEST(f.cascade(3, 1) == 3u);  // one transaction of at most 3 ownees
  int left = 0;
  for (int i = 0; i < 7; ++i) left += f.exists("leaf" + std::to_string(i)) ? 1 : 0;
  BOOST_TEST(left == 4);
  BOOST_TEST(f.cascade(3, kAll) == 4u);
  for (int i = 0; i < 7; ++i) BOOST_TEST(!f.exists("leaf" + std::to_string(i)));
}

BOOST_AUTO_TEST_CASE(unset_on_delete_keeps_the_ownee_without_the_reference) {
  Fixture f;
  f.put("root");
  f.put("kept", {owner("root", true)});
  f.put("child", {owner("kept")});
  f.remove("root");
  f.cascade();
  BOOST_TEST(f.exists("kept"));
  BOOST_TEST(f.owners_of("kept").empty());
  BOOST_TEST(f.exists("child"));  // its owner is still there
  // With no references left it has nothing to validate: the validator leaves it alone.
  f.now += 2 * kTimeout;
  BOOST_TEST(f.expire() == 0u);
  BOOST_TEST(f.exists("kept"));
}

BOOST_AUTO_TEST_CASE(an_ownee_with_another_owner_stays) {
  Fixture f;
  f.put("p1");
  f.put("p2");
  f.put("shared", {owner("p1"), owner("p2")});
  f.remove("p1");
  f.cascade();
  BOOST_TEST(f.exists("shared"));
  BOOST_TEST(f.owners_of("shared").size() == 1u);
  BOOST_TEST(f.owners_of("shared")[0].object_id == "p2");
  f.remove("p2");
  f.cascade();
  BOOST_TEST(!f.exists("shared"));
}

BOOST_AUTO_TEST_CASE(reference_cycles_terminate) {
  Fixture f;
  // a → b → c → a, plus d owned by c and a self-owned object.
  f.put("a", {owner("c")});
  f.put("b", {owner("a")});
  f.put("c", {owner("b")});
  f.put("d", {owner("c")});
  f.put("self", {owner("self")});
  f.remove("a");
  BOOST_TEST(f.cascade() == 3u);  // b, c, d: a's own reference went with it
  for (const char* id : {"a", "b", "c", "d"}) BOOST_TEST(!f.exists(id), id);
  BOOST_TEST(f.queued_cascades() == 0u);
  f.remove("self");
  BOOST_TEST(f.cascade() == 0u);
  BOOST_TEST(f.queued_cascades() == 0u);
}

BOOST_AUTO_TEST_CASE(a_restart_mid_cascade_resumes) {
  Fixture f;
  f.put("root");
  for (int i = 0; i < 5; ++i) f.put("leaf" + std::to_string(i), {owner("root")});
  f.put("grandchild", {owner("leaf4")});
  f.remove("root");
  BOOST_TEST(f.cascade(1, 2) == 2u);
  f.restart();
  BOOST_TEST(f.queued_cascades() >= 1u);
  BOOST_TEST(f.cascade(1) == 4u);
  for (int i = 0; i < 5; ++i) BOOST_TEST(!f.exists("leaf" + std::to_string(i)));
  BOOST_TEST(!f.exists("grandchild"));
}

BOOST_AUTO_TEST_CASE(a_reference_dropped_from_the_metadata_no_longer_cascades) {
  Fixture f;
  f.put("root");
  f.put("freed", {owner("root")});
  f.put("freed", {});  // the application removed the reference
  f.remove("root");
  f.cascade();
  BOOST_TEST(f.exists("freed"));
}

BOOST_AUTO_TEST_CASE(an_owner_recreated_before_the_cascade_keeps_its_ownees) {
  Fixture f;
  f.put("root");
  f.put("child", {owner("root")});
  f.remove("root");
  f.put("root");
  f.cascade();
  BOOST_TEST(f.exists("child"));
  BOOST_TEST(f.queued_cascades() == 0u);
}

BOOST_AUTO_TEST_CASE(missing_owner_dropped_after_the_timeout) {
  Fixture f;
  f.put("real");
  f.put("orphan", {owner("ghost")});
  f.put("half", {owner("ghost"), owner("real")});
  f.put("fine", {owner("real")});
  f.put("late", {owner("late-owner")});
  f.now += kTimeout - std::chrono::seconds(1);
  BOOST_TEST(f.expire() == 0u);  // not yet
  BOOST_TEST(f.exists("orphan"));
  f.put("late-owner");  // appears in time
  f.now += std::chrono::seconds(2);
  BOOST_TEST(f.expire() == 2u);  // the two references to "ghost"
  BOOST_TEST(!f.exists("orphan"));
  BOOST_TEST(f.exists("half"));
  BOOST_TEST(f.owners_of("half").size() == 1u);
  BOOST_TEST(f.exists("fine"));
  BOOST_TEST(f.exists("late"));
  // Validated references are not checked again; deleting the owner still cascades.
  f.now += 2 * kTimeout;
  BOOST_TEST(f.expire() == 0u);
  f.remove("late-owner");
  f.cascade();
  BOOST_TEST(!f.exists("late"));
}

BOOST_AUTO_TEST_CASE(a_reference_to_an_owner_deleted_before_it_times_out) {
  Fixture f;
  f.put("gone");
  f.remove("gone");
  f.put("after", {owner("gone")});  // saved after its owner's deletion: no cascade will come
  BOOST_TEST(f.cascade() == 0u);
  BOOST_TEST(f.exists("after"));
  f.now += kTimeout + std::chrono::seconds(1);
  BOOST_TEST(f.expire() == 1u);
  BOOST_TEST(!f.exists("after"));
}
