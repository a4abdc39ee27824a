// ObjectCache: hits, least-recently-used eviction, invalidation, and the generation rule that keeps a
// row read before a commit out of the cache. The store-level effect (a read after an acknowledged
// write sees the write) is in sqlite_store_test.
#define BOOST_TEST_MODULE object_cache_test
#include <boost/test/unit_test.hpp>

#include "server/store/sqlite/object_cache.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace edgesync;
using edgesync::test::make_object;

BOOST_AUTO_TEST_CASE(a_row_read_is_found_until_it_is_invalidated) {
  ObjectCache cache(4);
  const StoredObject object = make_object("org", "t", "a");
  BOOST_TEST((cache.find(object.key()) == nullptr));
  cache.insert(make_object_snapshot(object), cache.generation());
  auto found = cache.find(object.key());
  BOOST_REQUIRE((found != nullptr));
  BOOST_TEST(found->object.metadata.object_id == "a");
  BOOST_TEST(found->metadata_text.find("\"objectID\": \"a\"") != std::string::npos);
  cache.invalidate(object.key());
  BOOST_TEST((cache.find(object.key()) == nullptr));
}

BOOST_AUTO_TEST_CASE(a_row_read_before_a_commit_is_not_kept) {
  ObjectCache cache(4);
  const StoredObject stale = make_object("org", "t", "a");
  const uint64_t before_read = cache.generation();
  cache.invalidate(make_object("org", "t", "other").key());  // a commit lands while the row is read
  cache.insert(make_object_snapshot(stale), before_read);
  BOOST_TEST((cache.find(stale.key()) == nullptr));
  cache.insert(make_object_snapshot(stale), cache.generation());  // read again after the commit: kept
  BOOST_TEST((cache.find(stale.key()) != nullptr));
}

BOOST_AUTO_TEST_CASE(the_least_recently_used_row_goes_first) {
  ObjectCache cache(2);
  const StoredObject a = make_object("org", "t", "a"), b = make_object("org", "t", "b"),
                     c = make_object("org", "t", "c");
  cache.insert(make_object_snapshot(a), cache.generation());
  cache.insert(make_object_snapshot(b), cache.generation());
  BOOST_TEST((cache.find(a.key()) != nullptr));               // a is now the most recent
  cache.insert(make_object_snapshot(c), cache.generation());  // evicts b
  BOOST_TEST((cache.find(a.key()) != nullptr));
  BOOST_TEST((cache.find(b.key()) == nullptr));
  BOOST_TEST((cache.find(c.key()) != nullptr));
}

BOOST_AUTO_TEST_CASE(a_cache_of_no_rows_keeps_nothing) {
  ObjectCache cache(0);
  const StoredObject a = make_object("org", "t", "a");
  cache.insert(make_object_snapshot(a), cache.generation());
  BOOST_TEST((cache.find(a.key()) == nullptr));
}
