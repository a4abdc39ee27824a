// durable_write and PendingWrite on a real SQLite store: a write started now and collected later
// hands over its Status whichever comes first, its commit or the waiter, and commits even when
// nobody waits for it.
#define BOOST_TEST_MODULE async_store_test
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <thread>

#include "server/objects/async_store.hpp"
#include "tests/unit/objects/node_storage.hpp"

using namespace edgesync;
using edgesync::test::NodeStorage;
using edgesync::test::run_to_completion;
namespace asio = boost::asio;

namespace {

WriteFunction put_org(const std::string& org) {
  return [org](WriteTransaction& transaction) { return transaction.put_organization(Organization{org, "", 1}); };
}

bool has_org(Store& store, const std::string& org) {
  auto organizations = store.list_organizations();
  BOOST_REQUIRE(organizations.is_ok());
  return std::any_of(organizations->begin(), organizations->end(),
                     [&](const Organization& organization) { return organization.org == org; });
}

}  // namespace

BOOST_AUTO_TEST_CASE(nothing_in_flight_is_ok_at_once) {
  asio::io_context io;
  PendingWrite none;
  BOOST_TEST(run_to_completion(io, none.wait()).is_ok());
}

BOOST_AUTO_TEST_CASE(a_write_waited_for_at_once_is_durable_when_the_wait_ends) {
  NodeStorage storage("async-store");
  asio::io_context io;
  auto pending = PendingWrite::start(*storage.store, put_org("first"));
  BOOST_TEST(run_to_completion(io, pending.wait()).is_ok());
  BOOST_TEST(has_org(*storage.store, "first"));
}

BOOST_AUTO_TEST_CASE(a_write_collected_after_it_committed_still_hands_over_its_status) {
  NodeStorage storage("async-store");
  asio::io_context io;
  auto refused = PendingWrite::start(*storage.store, [](WriteTransaction&) { return Status::conflict("no, thanks"); });
  // Writes commit in order: once the later one is durable the earlier one has completed, unobserved.
  BOOST_REQUIRE(run_to_completion(io, durable_write(*storage.store, put_org("later"))).is_ok());
  const Status status = run_to_completion(io, refused.wait());
  BOOST_TEST((status.code() == StatusCode::kConflict));
  BOOST_TEST(status.message() == "no, thanks");
  BOOST_TEST(has_org(*storage.store, "later"));
}

BOOST_AUTO_TEST_CASE(a_write_nobody_waits_for_commits_all_the_same) {
  NodeStorage storage("async-store");
  asio::io_context io;
  { PendingWrite::start(*storage.store, put_org("forgotten")); }
  BOOST_REQUIRE(run_to_completion(io, durable_write(*storage.store, put_org("after"))).is_ok());
  BOOST_TEST(has_org(*storage.store, "forgotten"));
}

BOOST_AUTO_TEST_CASE(waits_resume_on_the_waiting_coroutines_executor) {
  NodeStorage storage("async-store");
  asio::io_context io;
  auto pending = PendingWrite::start(*storage.store, put_org("here"));
  auto waiter = [&]() -> asio::awaitable<bool> {
    const auto thread = std::this_thread::get_id();
    const Status status = co_await pending.wait();
    BOOST_TEST(status.is_ok());
    co_return std::this_thread::get_id() == thread;  // not the store's commit thread
  };
  BOOST_TEST(run_to_completion(io, waiter()));
}
