#define BOOST_TEST_MODULE object_status_test
#include <boost/test/unit_test.hpp>
#include <set>

#include "common/object_status.hpp"

using namespace edgesync;

namespace {
// Every status with its MMS spelling (reference/mms-reference.md §2.3).
const std::pair<ObjectStatus, std::string_view> kSpellings[] = {
    {ObjectStatus::kNotReady, "notReady"},
    {ObjectStatus::kVerifying, "verifying"},
    {ObjectStatus::kVerificationFailed, "verificationFailed"},
    {ObjectStatus::kReady, "ready"},
    {ObjectStatus::kPartiallyReceived, "partiallyreceived"},
    {ObjectStatus::kReceiverVerifying, "receiverVerifying"},
    {ObjectStatus::kReceiverVerificationFailed, "receiverVerificationFailed"},
    {ObjectStatus::kCompletelyReceived, "completelyReceived"},
    {ObjectStatus::kReceived, "objreceived"},
    {ObjectStatus::kConsumed, "objconsumed"},
    {ObjectStatus::kDeleted, "objdeleted"},
    {ObjectStatus::kConsumedByDestination, "consumedByDest"},
};
}  // namespace

BOOST_AUTO_TEST_CASE(spelled_exactly_as_mms) {
  for (const auto& [status, spelling] : kSpellings) {
    BOOST_TEST_CONTEXT(spelling) {
      BOOST_TEST(to_string(status) == spelling);
      BOOST_TEST((parse_object_status(spelling) == status));
    }
  }
}

BOOST_AUTO_TEST_CASE(names_are_distinct) {
  std::set<std::string_view> names;
  for (const auto& [status, spelling] : kSpellings) names.insert(to_string(status));
  BOOST_TEST(names.size() == std::size(kSpellings));
}

BOOST_AUTO_TEST_CASE(unknown_or_miscased_text_is_refused) {
  for (const char* bad : {"", "Ready", "READY", "notready", "partiallyReceived", "received", "consumed", "deleted",
                          "ready ", "unknown"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!parse_object_status(bad).has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(origin_statuses_are_the_first_four) {
  for (const auto& [status, spelling] : kSpellings) {
    const bool origin =
        spelling == "notReady" || spelling == "verifying" || spelling == "verificationFailed" || spelling == "ready";
    BOOST_TEST_CONTEXT(spelling) {
      BOOST_TEST(is_origin_status(status) == origin);
    }
  }
}
