// The Message model (KubeEdge's beehive shape) and the dispatcher's ordering guarantees.
#define BOOST_TEST_MODULE message_test
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "server/metamanager/dispatcher.hpp"
#include "server/metamanager/message.hpp"

using namespace edgesync;
using namespace edgesync::meta;
namespace asio = boost::asio;

BOOST_AUTO_TEST_CASE(a_message_round_trips_through_json_with_kubeedge_names) {
  Message message = Message::make(module::kApp, op::kUpdate, "org/model/m1", {{"k", 1}});
  message.header.resource_version = "7";
  auto json = to_json(message);
  BOOST_TEST(json["header"]["msg_id"] == message.header.id);
  BOOST_TEST(json["route"]["operation"] == "update");
  BOOST_TEST(json["route"]["resource"] == "org/model/m1");
  BOOST_TEST(json["route"]["group"] == "meta");
  auto back = message_from_json(json);
  BOOST_REQUIRE(back.is_ok());
  BOOST_TEST(back->header.id == message.header.id);
  BOOST_TEST(back->header.resource_version == "7");
  BOOST_TEST(back->router.source == "app");
  BOOST_TEST(back->content["k"] == 1);
  BOOST_TEST(message.header.id.size() == 36u);
  BOOST_TEST(Message::make("a", "b", "c").header.id != message.header.id);
}

BOOST_AUTO_TEST_CASE(malformed_messages_are_refused_with_the_field_named) {
  BOOST_TEST(message_from_json(nlohmann::json::array()).status().field() == "header");
  BOOST_TEST(message_from_json({{"header", {{"timestamp", 1}}}}).status().field() == "msg_id");
  BOOST_TEST(!message_from_json({{"header", {{"msg_id", 5}}}}).is_ok());
  BOOST_TEST(!message_from_json({{"header", {{"msg_id", "x"}}}, {"route", 3}}).is_ok());
}

BOOST_AUTO_TEST_CASE(responses_and_errors_point_back_at_their_request) {
  Message request = Message::make(module::kCloud, op::kQuery, "org/t/i");
  Message reply = request.response("OK");
  BOOST_TEST(reply.header.parent_id == request.header.id);
  BOOST_TEST(reply.router.operation == "response");
  BOOST_TEST(reply.router.destination == "cloud");
  BOOST_TEST(reply.router.resource == "org/t/i");
  BOOST_TEST(reply.status().is_ok());
  Message failed = request.error(Status::not_found("no such object"));
  BOOST_TEST(failed.is_error());
  BOOST_TEST(failed.header.parent_id == request.header.id);
  BOOST_TEST((failed.status().code() == StatusCode::kNotFound));
  BOOST_TEST(failed.status().message() == "no such object");
}

BOOST_AUTO_TEST_CASE(resources_split_into_org_type_and_id) {
  auto key = key_of_resource("org/model/m1");
  BOOST_REQUIRE(key.is_ok());
  BOOST_TEST(key->object_id == "m1");
  BOOST_TEST(key_of_resource("org/model")->is_type_wide());
  BOOST_TEST(!key_of_resource("org").is_ok());
  BOOST_TEST(resource_of({"a", "b", "c"}) == "a/b/c");
}

// One resource: strictly in order even when each message yields; different resources overlap.
BOOST_AUTO_TEST_CASE(the_dispatcher_keeps_order_per_resource_and_runs_resources_in_parallel) {
  asio::io_context io;
  std::mutex mutex;
  std::map<std::string, std::vector<int>> seen;
  int running = 0, most_running = 0;
  Dispatcher dispatcher(io.get_executor(), [&](Message message) -> asio::awaitable<Message> {
    {
      std::lock_guard lock(mutex);
      most_running = std::max(most_running, ++running);
    }
    asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(2));
    co_await pause.async_wait(asio::use_awaitable);
    std::lock_guard lock(mutex);
    --running;
    seen[message.router.resource].push_back(message.content.get<int>());
    co_return message.response("OK");
  });
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    for (const char* resource : {"o/t/a", "o/t/b", "o/t/c"}) {
      asio::co_spawn(
          io,
          [&, i, resource]() -> asio::awaitable<void> {
            Message reply = co_await dispatcher.call(Message::make("app", "update", resource, i));
            BOOST_TEST(reply.status().is_ok());
            ++answered;
          },
          asio::detached);
    }
  }
  io.run();
  BOOST_TEST(answered == 60);
  for (const auto& [resource, order] : seen) {
    BOOST_TEST_CONTEXT(resource) {
      BOOST_REQUIRE(order.size() == 20u);
      for (int i = 0; i < 20; ++i) BOOST_TEST(order[i] == i);
    }
  }
  BOOST_TEST(most_running >= 2);  // the three resources did overlap
  BOOST_TEST(dispatcher.queued() == 0u);
  BOOST_TEST(dispatcher.handled() == 60u);
}
