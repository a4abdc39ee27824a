// IoPool: connections are spread over every context in turn, each context runs on a thread of its
// own (the main one on the caller's), and stop() from any handler ends run() with every thread joined.
#define BOOST_TEST_MODULE io_pool_test
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "server/http/io_pool.hpp"

using edgesync::http::IoPool;
namespace asio = boost::asio;

BOOST_AUTO_TEST_CASE(contexts_are_handed_out_in_turn_starting_with_the_main_one) {
  asio::io_context main;
  IoPool pool(main, 3);
  asio::io_context* first = &pool.next();
  asio::io_context* second = &pool.next();
  asio::io_context* third = &pool.next();
  BOOST_TEST(first == &main);
  BOOST_TEST(second != &main);
  BOOST_TEST(third != &main);
  BOOST_TEST(second != third);
  BOOST_TEST(&pool.next() == first);  // and round again
}

BOOST_AUTO_TEST_CASE(a_pool_of_one_is_the_main_context_alone) {
  asio::io_context main;
  IoPool pool(main, 1);
  BOOST_TEST(&pool.next() == &main);
  BOOST_TEST(&pool.next() == &main);
}

BOOST_AUTO_TEST_CASE(each_context_runs_on_its_own_thread_until_stopped) {
  asio::io_context main;
  auto busy = asio::make_work_guard(main);  // as a node's listener keeps it: only stop() ends run()
  IoPool pool(main, 3);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  int ran = 0;
  for (int i = 0; i < 3; ++i) {
    asio::post(pool.next(), [&] {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
      // The last of the three stops the pool: run() must return with every thread joined, although
      // the pool's own contexts still hold work guards.
      if (++ran == 3) pool.stop();
    });
  }
  pool.run();
  BOOST_TEST(ran == 3);
  BOOST_TEST(threads.size() == 3u);
  BOOST_TEST(threads.count(std::this_thread::get_id()) == 1u);  // the main context ran here
}

BOOST_AUTO_TEST_CASE(run_returns_when_the_main_context_runs_out_of_work) {
  asio::io_context main;
  IoPool pool(main, 2);
  bool ran = false;
  asio::post(main, [&] { ran = true; });
  pool.run();  // the other context has a work guard and nothing else: run() stops it
  BOOST_TEST(ran);
}
