#define BOOST_TEST_MODULE dummy_authenticator_test
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "common/base64.hpp"
#include "server/auth/authenticator.hpp"
#include "server/auth/authorizer.hpp"

using namespace edgesync;

namespace {

std::string basic(const std::string& key, const std::string& secret = "") {
  return "Basic " + base64_encode(key + ":" + secret);
}

Identity identify(const Authenticator& authenticator, const std::string& key) {
  auto identity = authenticator.authenticate(basic(key));
  BOOST_REQUIRE_MESSAGE(identity.is_ok(), "key " << key << " refused");
  return *identity;
}

}  // namespace

BOOST_AUTO_TEST_CASE(app_key_shapes_give_mms_identities) {
  auto authenticator = make_dummy_authenticator("");
  BOOST_REQUIRE(authenticator.is_ok());
  const auto& auth = **authenticator;

  auto edge = identify(auth, "myorg/camera/cam1");
  BOOST_TEST((edge.role == Role::kEdgeNode));
  BOOST_TEST(edge.org == "myorg");
  BOOST_TEST(edge.dest_type == "camera");
  BOOST_TEST(edge.dest_id == "cam1");

  auto object_admin = identify(auth, "myorg/alice");
  BOOST_TEST((object_admin.role == Role::kObjectAdmin));
  BOOST_TEST(object_admin.owner_id() == "myorg/alice");

  auto admin = identify(auth, "bob@myorg");
  BOOST_TEST((admin.role == Role::kAdmin));
  BOOST_TEST(admin.org == "myorg");
  BOOST_TEST(admin.user == "bob");
  auto admin_with_domain = identify(auth, "bob@example.com@myorg");
  BOOST_TEST(admin_with_domain.org == "myorg");
  BOOST_TEST(admin_with_domain.user == "bob@example.com");

  auto node_user = identify(auth, "node7%myorg");
  BOOST_TEST((node_user.role == Role::kNodeUser));
  BOOST_TEST(node_user.org == "myorg");

  auto service = identify(auth, "myorg$svcorg$1.0.0$detector");
  BOOST_TEST((service.role == Role::kService));
  BOOST_TEST(service.user == "svcorg/1.0.0/detector");
}

BOOST_AUTO_TEST_CASE(missing_or_malformed_credentials_are_forbidden) {
  auto authenticator = make_dummy_authenticator("");
  const auto& auth = **authenticator;
  for (const std::optional<std::string>& header :
       {std::optional<std::string>(), std::optional<std::string>("Bearer abc"), std::optional<std::string>("Basic !!!"),
        std::optional<std::string>(basic("")), std::optional<std::string>(basic("plainname")),
        std::optional<std::string>(basic("a/b/c/d")), std::optional<std::string>(basic("my org/alice")),
        std::optional<std::string>(basic("a$b$c")), std::optional<std::string>("Basic " + base64_encode("nocolon"))}) {
    auto result = auth.authenticate(header ? std::optional<std::string_view>(*header) : std::nullopt);
    BOOST_TEST_CONTEXT(header.value_or("(none)")) {
      BOOST_TEST(!result.is_ok());
      BOOST_TEST((result.status().code() == StatusCode::kForbidden));
      BOOST_TEST(result.status().message() == "Unauthorized");
    }
  }
}

BOOST_AUTO_TEST_CASE(dummy_users_file_names_regular_users_and_sync_admins) {
  const auto path = std::filesystem::temp_directory_path() / ("dummy-auth-" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << R"({"regularUsers": ["carol@myorg"], "syncAdmins": ["root@x"]})";
  auto authenticator = make_dummy_authenticator(path.string());
  BOOST_REQUIRE(authenticator.is_ok());
  BOOST_TEST((identify(**authenticator, "carol@myorg").role == Role::kUser));
  BOOST_TEST((identify(**authenticator, "dave@myorg").role == Role::kAdmin));
  BOOST_TEST((identify(**authenticator, "root@x").role == Role::kSyncAdmin));

  std::ofstream(path) << R"({"regularUsers": "carol"})";
  auto bad = make_dummy_authenticator(path.string());
  BOOST_TEST(!bad.is_ok());
  BOOST_TEST(bad.status().message().find("regularUsers") != std::string::npos);
  std::filesystem::remove(path);
  BOOST_TEST(!make_dummy_authenticator(path.string()).is_ok());
}

BOOST_AUTO_TEST_CASE(authorization_follows_mms_roles) {
  const Identity admin{Role::kAdmin, "myorg", "bob", "", ""};
  const Identity object_admin{Role::kObjectAdmin, "myorg", "alice", "", ""};
  const Identity user{Role::kUser, "myorg", "carol", "", ""};
  const Identity edge{Role::kEdgeNode, "myorg", "cam1", "camera", "cam1"};
  const Identity sync_admin{Role::kSyncAdmin, "", "root", "", ""};
  const Identity stranger{Role::kAdmin, "otherorg", "eve", "", ""};
  auto cloud = [](const Identity& who, Access access, const std::string& type = "model", bool is_public = false) {
    return authorize_object_access(who, NodeMode::kCloud, "", "myorg", type, access, is_public).is_ok();
  };
  BOOST_TEST(cloud(admin, Access::kWrite));
  BOOST_TEST(cloud(admin, Access::kWrite, "agent_upgrade_manifests"));
  BOOST_TEST(cloud(object_admin, Access::kWrite));
  BOOST_TEST(!cloud(object_admin, Access::kWrite, "agent_upgrade_manifests"));
  BOOST_TEST(cloud(object_admin, Access::kRead, "agent_upgrade_manifests"));
  BOOST_TEST(!cloud(user, Access::kRead));
  BOOST_TEST(cloud(user, Access::kRead, "model", true));
  BOOST_TEST(!cloud(user, Access::kWrite, "model", true));
  BOOST_TEST(!cloud(edge, Access::kRead));
  BOOST_TEST(cloud(sync_admin, Access::kWrite));
  BOOST_TEST(!cloud(stranger, Access::kRead));
  BOOST_TEST(cloud(stranger, Access::kRead, "model", true));
  BOOST_TEST(!cloud(stranger, Access::kWrite, "model", true));

  auto on_edge = [](const Identity& who) {
    return authorize_object_access(who, NodeMode::kEdge, "myorg", "myorg", "model", Access::kWrite).is_ok();
  };
  BOOST_TEST(on_edge(user));
  BOOST_TEST(on_edge(object_admin));
  BOOST_TEST(!on_edge(edge));
  BOOST_TEST(!on_edge(stranger));
  BOOST_TEST(authorize_node_read(admin).is_ok());
  BOOST_TEST(!authorize_node_read(edge).is_ok());
}

BOOST_AUTO_TEST_CASE(acl_grants_and_org_admin_rules) {
  const Identity user{Role::kUser, "myorg", "carol", "", ""};
  const Identity node_user{Role::kNodeUser, "myorg", "n1", "", ""};
  const Identity service{Role::kService, "myorg", "svc/1.0/det", "", ""};
  auto cloud = [](const Identity& who, Access access, AclGrant grant) {
    return authorize_object_access(who, NodeMode::kCloud, "", "myorg", "model", access, false, grant).is_ok();
  };
  for (const Identity& who : {user, node_user}) {
    BOOST_TEST(!cloud(who, Access::kRead, AclGrant::kNone));
    BOOST_TEST(cloud(who, Access::kRead, AclGrant::kRead));
    BOOST_TEST(!cloud(who, Access::kWrite, AclGrant::kRead));
    BOOST_TEST(cloud(who, Access::kRead, AclGrant::kWrite));
    BOOST_TEST(cloud(who, Access::kWrite, AclGrant::kWrite));
  }
  BOOST_TEST(!cloud(service, Access::kWrite, AclGrant::kWrite));  // services have no ACL user type

  const Identity admin{Role::kAdmin, "myorg", "bob", "", ""};
  const Identity object_admin{Role::kObjectAdmin, "myorg", "alice", "", ""};
  const Identity sync_admin{Role::kSyncAdmin, "", "root", "", ""};
  BOOST_TEST(authorize_org_admin(admin, "myorg").is_ok());
  BOOST_TEST(authorize_org_admin(admin, "").is_ok());  // the org list, filtered to its own org
  BOOST_TEST(!authorize_org_admin(admin, "otherorg").is_ok());
  BOOST_TEST(!authorize_org_admin(object_admin, "myorg").is_ok());
  BOOST_TEST(!authorize_org_admin(user, "myorg").is_ok());
  BOOST_TEST(authorize_org_admin(sync_admin, "otherorg").is_ok());
}
