// Long-poll waiters: woken by a commit, never miss a wake that comes between "nothing pending" and
// "wait", time out, and all answer at stop().
#define BOOST_TEST_MODULE node_waiters_test
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>
#include <optional>
#include <thread>

#include "server/sync/node_waiters.hpp"

using namespace edgesync;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
const NodeAddress kNode{"org", "car", "c1"};
const NodeAddress kOther{"org", "car", "c2"};
}  // namespace

BOOST_AUTO_TEST_CASE(a_wake_ends_the_wait_of_that_node_only) {
  NodeWaiters waiters;
  asio::io_context io;
  std::optional<bool> first, second;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { first = co_await waiters.wait(kNode, 0, 30s); }, asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { second = co_await waiters.wait(kOther, 0, 200ms); }, asio::detached);
  io.run_for(50ms);
  BOOST_TEST(waiters.waiting() == 2u);
  waiters.wake(kNode);
  io.run();  // returns only when both waits ended: c1's by the wake (its timeout is 30 s)
  BOOST_TEST(*first == true);
  BOOST_TEST(*second == false);  // timed out, not woken
}

// A node polls one request at a time: a new poll wakes the older one parked for the same node (its
// client has gone) and only the new one stays current; other nodes' polls are not touched.
BOOST_AUTO_TEST_CASE(a_new_poll_of_a_node_wakes_and_supersedes_the_older_one) {
  NodeWaiters waiters;
  asio::io_context io;
  const uint64_t older = waiters.begin_poll(kNode);
  const uint64_t other = waiters.begin_poll(kOther);
  std::optional<bool> older_woken, other_woken;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> { older_woken = co_await waiters.wait(kNode, waiters.generation(kNode), 30s); },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        other_woken = co_await waiters.wait(kOther, waiters.generation(kOther), 200ms);
      },
      asio::detached);
  io.run_for(50ms);
  BOOST_REQUIRE(waiters.waiting() == 2u);
  BOOST_TEST(waiters.is_current_poll(kNode, older));
  const uint64_t newer = waiters.begin_poll(kNode);
  io.run();  // returns when both waits ended: the older poll's by the new poll (its timeout is 30 s)
  BOOST_TEST(*older_woken == true);
  BOOST_TEST(!waiters.is_current_poll(kNode, older));
  BOOST_TEST(waiters.is_current_poll(kNode, newer));
  BOOST_TEST(*other_woken == false);  // timed out: another node's poll is not woken
  BOOST_TEST(waiters.is_current_poll(kOther, other));
}

// Another session request of the node (a notification, a ping) retires its parked poll the same way,
// without becoming a poll itself: the node's next poll is current again.
BOOST_AUTO_TEST_CASE(a_session_request_of_the_node_retires_its_parked_poll) {
  NodeWaiters waiters;
  asio::io_context io;
  const uint64_t parked = waiters.begin_poll(kNode);
  std::optional<bool> woken;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { woken = co_await waiters.wait(kNode, waiters.generation(kNode), 30s); },
      asio::detached);
  io.run_for(50ms);
  BOOST_REQUIRE(waiters.waiting() == 1u);
  waiters.retire_polls(kNode);
  io.run();  // returns when the wait ended: retired (its timeout is 30 s)
  BOOST_TEST(*woken == true);
  BOOST_TEST(!waiters.is_current_poll(kNode, parked));
  const uint64_t next = waiters.begin_poll(kNode);
  BOOST_TEST(waiters.is_current_poll(kNode, next));
}

BOOST_AUTO_TEST_CASE(a_wake_between_reading_the_generation_and_waiting_is_not_lost) {
  NodeWaiters waiters;
  const uint64_t seen = waiters.generation(kNode);
  waiters.wake(kNode);  // the commit lands before the poll starts waiting
  asio::io_context io;
  std::optional<bool> woken;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { woken = co_await waiters.wait(kNode, seen, 30s); }, asio::detached);
  io.run();
  BOOST_TEST(*woken == true);
}

BOOST_AUTO_TEST_CASE(wakes_from_other_threads_reach_waiters) {
  NodeWaiters waiters;
  asio::io_context io;
  int woken = 0;
  for (int i = 0; i < 10; ++i) {
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { woken += co_await waiters.wait(kNode, 0, 30s) ? 1 : 0; }, asio::detached);
  }
  io.run_for(20ms);
  std::thread waker([&] { waiters.wake(kNode); });
  io.run();
  waker.join();
  BOOST_TEST(woken == 10);
}

BOOST_AUTO_TEST_CASE(stop_answers_every_waiter_now_and_later_ones_at_once) {
  NodeWaiters waiters;
  asio::io_context io;
  std::optional<bool> during;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { during = co_await waiters.wait(kNode, 0, 30s); }, asio::detached);
  io.run_for(20ms);
  waiters.stop();
  io.run();
  BOOST_TEST(*during == false);  // answered, not woken: the poll finds nothing and says so
  std::optional<bool> after;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { after = co_await waiters.wait(kNode, 0, 30s); }, asio::detached);
  io.restart();
  io.run();
  BOOST_TEST(*after == false);
}

// Another instance's commit may say only "something of this org" or "everything" (a notice too large,
// or notices missed while the LISTEN session was down): those wake every matching waiter, and also a
// node that read its generation but had not started waiting yet.
BOOST_AUTO_TEST_CASE(wakes_of_a_whole_org_or_of_everything_reach_every_matching_waiter) {
  NodeWaiters waiters;
  asio::io_context io;
  const NodeAddress elsewhere{"org2", "car", "c1"};
  std::optional<bool> node, other, foreign;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { node = co_await waiters.wait(kNode, 0, 30s); }, asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { other = co_await waiters.wait(kOther, 0, 30s); }, asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { foreign = co_await waiters.wait(elsewhere, 0, 30s); }, asio::detached);
  io.run_for(50ms);
  BOOST_REQUIRE(waiters.waiting() == 3u);
  waiters.wake_org("org");
  io.run_for(50ms);
  BOOST_TEST(node.value_or(false));
  BOOST_TEST(other.value_or(false));
  BOOST_TEST(!foreign.has_value());  // another org's: still waiting
  waiters.wake_all();
  io.run();
  BOOST_TEST(foreign.value_or(false));

  // Read "nothing pending", then the wake, then the wait: the wait returns at once.
  const NodeAddress fresh{"org3", "car", "new"};
  const uint64_t seen = waiters.generation(fresh);
  waiters.wake_org("org3");
  std::optional<bool> late;
  io.restart();
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { late = co_await waiters.wait(fresh, seen, 30s); }, asio::detached);
  io.run();
  BOOST_TEST(late.value_or(false));
}

BOOST_AUTO_TEST_CASE(a_cluster_notice_wakes_polls_and_event_streams_as_it_says) {
  NodeWaiters polls, streams;
  asio::io_context io;
  std::optional<bool> poll, stream;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { poll = co_await polls.wait(kNode, 0, 30s); }, asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { stream = co_await streams.wait(event_stream_key("org"), 0, 30s); },
      asio::detached);
  io.run_for(50ms);
  ClusterNotice notice;
  notice.nodes.push_back(kNode);
  wake_for_notice(notice, polls, streams);
  io.run_for(50ms);
  BOOST_TEST(poll.value_or(false));
  BOOST_TEST(!stream.has_value());
  ClusterNotice events;
  events.event_orgs.push_back("org");
  wake_for_notice(events, polls, streams);
  io.run();
  BOOST_TEST(stream.value_or(false));
}
