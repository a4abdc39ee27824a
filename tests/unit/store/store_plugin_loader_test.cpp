// The store plugin loader's refusals, each naming the file and why: no such file, a shared object that
// is no store plugin, a plugin built for another edgesync (its ABI tag differs). The real plugin is
// loaded by store_test_postgres, postgres_store_test and postgres_node_test.
#define BOOST_TEST_MODULE store_plugin_loader_test
#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "server/store/plugin/store_plugin_loader.hpp"

using namespace edgesync;
namespace fs = std::filesystem;

namespace {

Status refusal(const std::string& explicit_path, const std::string& backend = "postgres") {
  auto store = open_plugin_store(StorePluginRequest{backend, explicit_path, "postgresql://127.0.0.1:1/none"});
  BOOST_REQUIRE(!store.is_ok());
  return store.status();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(without_an_explicit_path_it_looks_next_to_the_binary_then_in_the_install_libdir) {
  const auto candidates = store_plugin_candidates(StorePluginRequest{"postgres"});
  const fs::path here = fs::read_symlink("/proc/self/exe").parent_path();
  BOOST_REQUIRE(candidates.size() >= 2u);
  BOOST_TEST(candidates.front() == here / "edgesync-store-postgres.so");
  BOOST_TEST(candidates.back() == fs::path(INSTALL_FULL_LIBDIR) / "edgesync" / "edgesync-store-postgres.so");
  // An explicit path is the only one tried.
  const auto explicit_only = store_plugin_candidates(StorePluginRequest{"postgres", "/opt/x/store.so"});
  BOOST_TEST(explicit_only.size() == 1u);
  BOOST_TEST(explicit_only.front() == fs::path("/opt/x/store.so"));
}

BOOST_AUTO_TEST_CASE(a_missing_plugin_is_unavailable_naming_every_path_tried_and_dlerror) {
  const Status missing = refusal("/nonexistent/edgesync-store-postgres.so");
  BOOST_TEST((missing.code() == StatusCode::kUnavailable), missing.message());
  BOOST_TEST(has(missing.message(), "postgres store plugin"), missing.message());
  BOOST_TEST(has(missing.message(), "/nonexistent/edgesync-store-postgres.so: "), missing.message());
  BOOST_TEST(has(missing.message(), "No such file or directory"), missing.message());

  // Looked for in the default places (no backend has this name): each is named.
  const Status nowhere = refusal("", "no_such_backend");
  for (const auto& path : store_plugin_candidates(StorePluginRequest{"no_such_backend"}))
    BOOST_TEST(has(nowhere.message(), path.string() + ": "), nowhere.message());
}

BOOST_AUTO_TEST_CASE(a_shared_object_that_is_no_store_plugin_is_refused) {
  const Status status = refusal(FAKE_PLUGIN_NO_EXPORTS);
  BOOST_TEST((status.code() == StatusCode::kUnavailable), status.message());
  BOOST_TEST(has(status.message(), std::string(FAKE_PLUGIN_NO_EXPORTS) + ": not an edgesync store plugin"),
             status.message());
  BOOST_TEST(has(status.message(), "edgesync_store_plugin_"), status.message());  // dlerror names the symbol
}

BOOST_AUTO_TEST_CASE(a_plugin_built_for_another_edgesync_is_refused_before_it_runs) {
  // The fake's factory aborts: reaching it would end the test.
  const Status status = refusal(FAKE_PLUGIN_WRONG_ABI);
  BOOST_TEST((status.code() == StatusCode::kUnavailable), status.message());
  BOOST_TEST(has(status.message(), std::string(FAKE_PLUGIN_WRONG_ABI) + ": built for another edgesync"),
             status.message());
  BOOST_TEST(has(status.message(), "edgesync-store-plugin 0; interface 0000000000000000"), status.message());
}
