// ObjectService against a real SQLite store and data directory: the receiving-side semantics that a
// single node cannot reach over HTTP (marks, list of updates), activation and expiration with an
// injected clock, and data bookkeeping.
#define BOOST_TEST_MODULE object_service_test
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <random>
#include <set>

#include "server/objects/object_service.hpp"
#include "tests/unit/objects/node_storage.hpp"

using namespace edgesync;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

const Identity kAdmin{Role::kAdmin, "myorg", "bob", "", ""};

struct Fixture : edgesync::test::NodeStorage {
  SystemTime now = std::chrono::system_clock::from_time_t(1'800'000'000);
  std::unique_ptr<ObjectService> service;

  explicit Fixture(NodeIdentity node = {}) : NodeStorage("object-service") {
    ObjectService::Options options{node, 5 * 1024 * 1024, [this] { return now; }};
    service = std::make_unique<ObjectService>(*store, *data_files, blocking, options);
  }

  template <class T>
  T run(asio::awaitable<T> work) {
    asio::io_context io;
    return edgesync::test::run_to_completion(io, std::move(work));
  }

  Status put(const std::string& id, ObjectMetadata meta, std::optional<std::string> data = std::nullopt) {
    meta.object_type = "model";
    meta.object_id = id;
    return run(service->put_object({"myorg", "model", id}, meta, std::move(data), kAdmin));
  }

  // An object as the sync layer will leave it on a receiving node.
  void receive(const std::string& id, ObjectStatus status, int consumers = 1) {
    StoredObject object;
    object.metadata.object_type = "model";
    object.metadata.object_id = id;
    object.metadata.destination_org_id = "myorg";
    object.metadata.consumers = consumers;
    object.status = status;
    object.originated_here = false;
    object.remaining_consumers = consumers;
    object.remaining_receivers = consumers;
    BOOST_REQUIRE(store->write([&](WriteTransaction& transaction) { return transaction.put_object(object); }).is_ok());
  }

  StoredObject get(const std::string& id) {
    auto object = service->get_object({"myorg", "model", id});
    BOOST_REQUIRE(object.is_ok());
    return *object;
  }
};

BodyReader body_of(std::string bytes, size_t piece = 7) {
  auto offset = std::make_shared<size_t>(0);
  auto shared = std::make_shared<std::string>(std::move(bytes));
  return [offset, shared, piece](std::span<char> buffer) -> asio::awaitable<Result<size_t>> {
    const size_t n = std::min({piece, buffer.size(), shared->size() - *offset});
    std::copy_n(shared->data() + *offset, n, buffer.data());
    *offset += n;
    co_return n;
  };
}

}  // namespace

BOOST_AUTO_TEST_CASE(put_sets_service_fields_and_status) {
  Fixture f;
  ObjectMetadata meta;
  meta.consumers = 0;
  BOOST_TEST(f.put("m1", meta).is_ok());
  auto object = f.get("m1");
  BOOST_TEST((object.status == ObjectStatus::kNotReady));
  BOOST_TEST(object.metadata.consumers == 1);
  BOOST_TEST(object.metadata.owner_id == "myorg/bob");
  BOOST_TEST(object.metadata.origin_type == "Cloud");
  BOOST_TEST(object.metadata.chunk_size == 5 * 1024 * 1024);
  BOOST_TEST(object.originated_here);

  BOOST_TEST(f.put("m2", {}, std::string("abc")).is_ok());
  auto with_data = f.get("m2");
  BOOST_TEST((with_data.status == ObjectStatus::kReady));
  BOOST_TEST(with_data.metadata.object_size == 3);
  BOOST_TEST(with_data.metadata.data_id == with_data.metadata.instance_id);
  BOOST_TEST(with_data.data_sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(replacing_data_removes_the_old_file) {
  Fixture f;
  BOOST_TEST(f.put("m1", {}, std::string("first")).is_ok());
  const std::string first_file = f.get("m1").data_file;
  BOOST_TEST(f.put("m1", {}, std::string("second")).is_ok());
  const std::string second_file = f.get("m1").data_file;
  BOOST_TEST(first_file != second_file);
  BOOST_TEST(!f.data_files->open_reader(first_file).is_ok());
  BOOST_TEST(f.data_files->open_reader(second_file).is_ok());
}

BOOST_AUTO_TEST_CASE(streamed_data_upload_in_small_pieces) {
  Fixture f;
  BOOST_TEST(f.put("m1", {}).is_ok());
  const std::string data(100000, 'z');
  BOOST_TEST(f.run(f.service->put_data({"myorg", "model", "m1"}, std::nullopt, body_of(data, 4093))).is_ok());
  auto download = f.service->open_data({"myorg", "model", "m1"});
  BOOST_REQUIRE(download.is_ok());
  BOOST_TEST(download->size == data.size());
  BOOST_TEST((f.get("m1").status == ObjectStatus::kReady));
  BOOST_TEST(!f.run(f.service->put_data({"myorg", "model", "none"}, std::nullopt, body_of("x"))).is_ok());
}

BOOST_AUTO_TEST_CASE(chunked_upload_finishes_on_the_last_missing_range) {
  Fixture f;
  BOOST_TEST(f.put("m1", {}).is_ok());
  const ResourceKey key{"myorg", "model", "m1"};
  const std::string data = "0123456789";
  BOOST_TEST(f.run(f.service->put_data(key, ContentRange{{5, 9}, 10}, body_of(data.substr(5)))).is_ok());
  BOOST_TEST((f.get("m1").status == ObjectStatus::kNotReady));
  // A repeated chunk is harmless.
  BOOST_TEST(f.run(f.service->put_data(key, ContentRange{{5, 9}, 10}, body_of(data.substr(5)))).is_ok());
  BOOST_TEST((f.get("m1").status == ObjectStatus::kNotReady));
  BOOST_TEST(f.run(f.service->put_data(key, ContentRange{{0, 4}, 10}, body_of(data.substr(0, 5)))).is_ok());
  auto object = f.get("m1");
  BOOST_TEST((object.status == ObjectStatus::kReady));
  BOOST_TEST(object.metadata.object_size == 10);
  BOOST_TEST(object.metadata.upload_chunk_size == 5);
  // A body that does not fill its range is refused.
  BOOST_TEST(f.put("m2", {}).is_ok());
  auto short_body = f.run(f.service->put_data({"myorg", "model", "m2"}, ContentRange{{0, 9}, 10}, body_of("abc")));
  BOOST_TEST((short_body.code() == StatusCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(marks_count_down_consumers_then_change_status) {
  Fixture f;
  f.receive("r1", ObjectStatus::kCompletelyReceived, 2);
  const ResourceKey key{"myorg", "model", "r1"};
  BOOST_TEST(f.run(f.service->mark(key, Mark::kReceived)).is_ok());
  BOOST_TEST((f.get("r1").status == ObjectStatus::kCompletelyReceived));
  BOOST_TEST(f.run(f.service->mark(key, Mark::kReceived)).is_ok());
  BOOST_TEST((f.get("r1").status == ObjectStatus::kReceived));
  BOOST_TEST(f.run(f.service->mark(key, Mark::kConsumed)).is_ok());
  BOOST_TEST(f.run(f.service->mark(key, Mark::kConsumed)).is_ok());
  BOOST_TEST((f.get("r1").status == ObjectStatus::kConsumed));
  auto again = f.run(f.service->mark(key, Mark::kConsumed));
  BOOST_TEST((again.code() == StatusCode::kInvalidArgument));
  BOOST_TEST(again.message().find("objconsumed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(deleted_mark_removes_the_copy_when_all_consumers_saw_it) {
  Fixture f;
  f.receive("r1", ObjectStatus::kDeleted, 1);
  BOOST_TEST(f.run(f.service->mark({"myorg", "model", "r1"}, Mark::kDeleted)).is_ok());
  BOOST_TEST((f.service->get_object({"myorg", "model", "r1"}).status().code() == StatusCode::kNotFound));
  f.receive("r2", ObjectStatus::kCompletelyReceived);
  BOOST_TEST(!f.run(f.service->mark({"myorg", "model", "r2"}, Mark::kDeleted)).is_ok());
}

BOOST_AUTO_TEST_CASE(list_of_updates_shows_received_objects_until_handled) {
  Fixture f;
  f.receive("fresh", ObjectStatus::kCompletelyReceived);
  f.receive("seen", ObjectStatus::kReceived);
  f.receive("gone", ObjectStatus::kDeleted);
  f.receive("partial", ObjectStatus::kPartiallyReceived);
  BOOST_TEST(f.put("own", {}).is_ok());
  auto ids = [](const std::vector<StoredObject>& objects) {
    std::set<std::string> result;
    for (const auto& object : objects) result.insert(object.metadata.object_id);
    return result;
  };
  auto updated = f.service->list_updated("myorg", "model", false);
  BOOST_TEST((ids(*updated) == std::set<std::string>{"fresh", "gone"}));
  auto with_received = f.service->list_updated("myorg", "model", true);
  BOOST_TEST((ids(*with_received) == std::set<std::string>{"fresh", "gone", "seen"}));
}

BOOST_AUTO_TEST_CASE(received_objects_cannot_be_changed_here) {
  Fixture f;
  f.receive("r1", ObjectStatus::kCompletelyReceived);
  BOOST_TEST((f.put("r1", {}).code() == StatusCode::kInvalidArgument));
  BOOST_TEST(!f.run(f.service->put_data({"myorg", "model", "r1"}, std::nullopt, body_of("x"))).is_ok());
  BOOST_TEST(!f.run(f.service->activate({"myorg", "model", "r1"})).is_ok());
  Fixture edge(NodeIdentity{NodeMode::kEdge, "myorg", "camera", "cam1"});
  edge.receive("r1", ObjectStatus::kCompletelyReceived);
  BOOST_TEST((edge.run(edge.service->delete_object({"myorg", "model", "r1"})).code() == StatusCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(activation_time_and_expiration_follow_the_clock) {
  Fixture f;
  ObjectMetadata inactive;
  inactive.inactive = true;
  inactive.activation_time = "2027-01-15T08:00:10Z";
  f.now = std::chrono::system_clock::from_time_t(1'800'000'000);  // 2027-01-15T08:00:00Z
  BOOST_TEST(f.put("a1", inactive).is_ok());
  ObjectMetadata expiring;
  expiring.expiration = "2027-01-15T08:00:20Z";
  BOOST_TEST(f.put("e1", expiring, std::string("bytes")).is_ok());
  const std::string data_file = f.get("e1").data_file;

  BOOST_TEST(*f.run(f.service->activate_due_objects()) == 0u);
  f.now += std::chrono::seconds(10);
  BOOST_TEST(*f.run(f.service->activate_due_objects()) == 1u);
  BOOST_TEST(!f.get("a1").metadata.inactive);
  BOOST_TEST(*f.run(f.service->remove_expired_objects()) == 0u);
  f.now += std::chrono::seconds(10);
  BOOST_TEST(*f.run(f.service->remove_expired_objects()) == 1u);
  BOOST_TEST((f.service->get_object({"myorg", "model", "e1"}).status().code() == StatusCode::kNotFound));
  BOOST_TEST(!f.data_files->open_reader(data_file).is_ok());
}

BOOST_AUTO_TEST_CASE(delete_removes_row_and_data) {
  Fixture f;
  BOOST_TEST(f.put("d1", {}, std::string("bytes")).is_ok());
  const std::string data_file = f.get("d1").data_file;
  BOOST_TEST(f.run(f.service->delete_object({"myorg", "model", "d1"})).is_ok());
  BOOST_TEST(!f.data_files->open_reader(data_file).is_ok());
  BOOST_TEST((f.run(f.service->delete_object({"myorg", "model", "d1"})).code() == StatusCode::kNotFound));
}
