// Roles, org isolation, ACLs and the security/organizations APIs on real cloud and edge processes
// (reference/mms-reference.md §5). Identities come from the dummy authenticator's app-key grammar,
// which gives every role; the preset authenticator yields the same Identity (auth_test).
#define BOOST_TEST_MODULE security_test
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;

namespace {

const std::string kAdmin = "admin@myorg";        // Admin
const std::string kObjectAdmin = "myorg/alice";  // ObjectAdmin
const std::string kUser = "carol@myorg";         // User (listed in regularUsers), ACL name "carol"
const std::string kNodeUser = "n1%myorg";        // NodeUser, ACL name "n1"
const std::string kService = "myorg$svc$1.0$det";
const std::string kEdgeNode = "myorg/cam/c1";  // EdgeNode
const std::string kSyncAdmin = "root@x";       // SyncAdmin (listed in syncAdmins)
const std::string kOtherAdmin = "admin@other";

const std::vector<std::string> kRoles = {kAdmin,   kObjectAdmin, kUser,      kNodeUser,
                                         kService, kEdgeNode,    kSyncAdmin, kOtherAdmin};

struct Cloud {
  TempDir dir;
  std::unique_ptr<NodeProcess> node;
  Cloud() {
    const std::string users = write_config(
        dir.path(), "dummy-auth.json", R"({"regularUsers": ["carol@myorg", "dave@other"], "syncAdmins": ["root@x"]})");
    node = std::make_unique<NodeProcess>(dir.path() / "cloud",
                                         std::vector<std::string>{"--mode", "cloud", "--auth-file", users});
  }
  HttpClient as(const std::string& app_key) const { return HttpClient(node->port(), app_key); }
  int status(const std::string& app_key, const std::string& method, const std::string& target,
             const std::string& body = "") const {
    HttpClient client = as(app_key);
    return client.request(method, target, body).status;
  }
};

std::string acl_body(const std::string& action, const std::vector<nlohmann::json>& users) {
  nlohmann::json body = nlohmann::json::object();
  body["action"] = action;
  body["users"] = nlohmann::json::array();
  for (const auto& user : users) body["users"].push_back(user);
  return body.dump();
}

nlohmann::json member(const std::string& name, const std::string& type = "user",
                      const std::string& role = "aclWriter") {
  return {{"Username", name}, {"ACLUserType", type}, {"ACLRole", role}};
}

// One row of a matrix: which identities are allowed (answer other than 403), all others get 403.
struct Row {
  std::string method, target, body;
  std::set<std::string> allowed;
};

void check_matrix(const Cloud& cloud, const std::vector<Row>& rows, const std::vector<std::string>& roles) {
  for (const auto& row : rows) {
    for (const auto& role : roles) {
      const int status = cloud.status(role, row.method, row.target, row.body);
      BOOST_TEST_CONTEXT(row.method << " " << row.target << " as " << role << " → " << status) {
        if (row.allowed.count(role) > 0) {
          BOOST_TEST(status != 403);
          BOOST_TEST(status < 500);
        } else {
          BOOST_TEST(status == 403);
        }
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(role_by_endpoint_matrix_on_a_cloud) {
  Cloud cloud;
  HttpClient admin = cloud.as(kAdmin);
  BOOST_REQUIRE(admin.put(cloud_objects("t/o1"), object_body("t", "o1", {{"noData", true}})).status == 204);
  BOOST_REQUIRE(
      admin.put(cloud_objects("p/pub"), object_body("p", "pub", {{"noData", true}, {"public", true}})).status == 204);
  const std::set<std::string> admins = {kAdmin, kObjectAdmin, kSyncAdmin};
  const std::set<std::string> org_admins = {kAdmin, kSyncAdmin};
  const std::set<std::string> not_edge = {kAdmin, kObjectAdmin, kUser, kNodeUser, kService, kSyncAdmin};
  const std::set<std::string> everyone_but_edge = {kAdmin,   kObjectAdmin, kUser,      kNodeUser,
                                                   kService, kSyncAdmin,   kOtherAdmin};
  const std::vector<Row> rows = {
      {"GET", cloud_objects("t/o1"), "", admins},
      {"GET", cloud_objects("t/o1/status"), "", admins},
      {"GET", cloud_objects("t/o1/destinations"), "", admins},
      {"GET", cloud_objects("t"), "", admins},
      {"PUT", cloud_objects("t/o2"), object_body("t", "o2", {{"noData", true}}), admins},
      {"PUT", cloud_objects("t/o1/data"), "bytes", admins},
      {"PUT", cloud_objects("t/o1/activate"), "", admins},
      {"PUT", cloud_objects("t"), R"({"action":"register","url":"http://127.0.0.1:1/hook"})", admins},
      {"PUT", cloud_objects("agent_upgrade_manifests/m1"), object_body("agent_upgrade_manifests", "m1"), org_admins},
      {"GET", cloud_objects("p/pub"), "", everyone_but_edge},  // public: readable by all but edge nodes
      {"PUT", cloud_objects("p/pub"), object_body("p", "pub", {{"noData", true}, {"public", true}}), admins},
      {"GET", "/api/v1/destinations/myorg", "", not_edge},
      {"GET", "/api/v1/health", "", everyone_but_edge},
      {"GET", "/api/v1/security/objects/myorg", "", org_admins},
      {"PUT", "/api/v1/security/objects/myorg/t", acl_body("add", {member("zed")}), org_admins},
      {"DELETE", "/api/v1/security/objects/myorg/t/user/zed", "", org_admins},
      {"GET", "/api/v1/security/destinations/myorg?all_keys=true", "", org_admins},
      {"GET", "/api/v1/organizations", "", {kAdmin, kSyncAdmin, kOtherAdmin}},  // each admin sees its own
      {"PUT", "/api/v1/organizations/myorg", R"({"orgID":"myorg","address":"a"})", org_admins},
      {"DELETE", cloud_objects("t/o2"), "", admins},
  };
  check_matrix(cloud, rows, kRoles);
}

BOOST_AUTO_TEST_CASE(edge_node_credentials_reach_the_spi_only_as_themselves) {
  Cloud cloud;
  auto spi = [&](const std::string& app_key, const std::string& named_in_header, const std::string& path_node) {
    HttpClient client = cloud.as(app_key);
    return client.request("PUT", "/spi/v1/register/" + path_node, "", {{"X-Sync-Service-Dest", named_in_header}})
        .status;
  };
  BOOST_TEST(spi(kEdgeNode, "myorg/cam/c1", "myorg/cam/c1") != 403);
  BOOST_TEST(spi(kEdgeNode, "myorg/cam/c2", "myorg/cam/c2") == 403);      // another node of its org
  BOOST_TEST(spi(kEdgeNode, "myorg/other/c1", "myorg/other/c1") == 403);  // another type
  BOOST_TEST(spi(kEdgeNode, "other/cam/c1", "other/cam/c1") == 403);      // another org
  BOOST_TEST(spi(kEdgeNode, "myorg/cam/c1", "myorg/cam/c2") == 403);      // header and path disagree
  BOOST_TEST(spi(kEdgeNode, "myorg/cam/c1/x", "myorg/cam/c1") == 403);    // malformed header
  for (const auto& role : {kObjectAdmin, kUser, kNodeUser, kService, kOtherAdmin}) BOOST_TEST_CONTEXT(role) {
      BOOST_TEST(spi(role, "myorg/cam/c1", "myorg/cam/c1") == 403);
    }
  HttpClient no_header = cloud.as(kEdgeNode);
  BOOST_TEST(no_header.get("/spi/v1/objects").status == 403);
  // And the application API is closed to it, on every collection.
  for (const std::string& target :
       {cloud_objects("t/o1"), std::string("/api/v1/destinations/myorg"), std::string("/api/v1/health"),
        std::string("/api/v1/security/objects/myorg"), std::string("/api/v1/organizations")})
    BOOST_TEST_CONTEXT(target) {
      BOOST_TEST(cloud.status(kEdgeNode, "GET", target) == 403);
    }
}

BOOST_AUTO_TEST_CASE(orgs_are_isolated_on_every_endpoint) {
  Cloud cloud;
  HttpClient other = cloud.as(kOtherAdmin);
  BOOST_REQUIRE(other.put("/api/v1/objects/other/t/secret", object_body("t", "secret", {{"noData", true}})).status ==
                204);
  HttpClient admin = cloud.as(kAdmin);
  BOOST_REQUIRE(admin.put(cloud_objects("t/o1"), object_body("t", "o1", {{"noData", true}})).status == 204);
  // Every endpoint of org "other", as an admin and a user of myorg; and of myorg as other's admin.
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"GET", "/api/v1/objects/other/t/secret"},
      {"GET", "/api/v1/objects/other/t/secret/data"},
      {"GET", "/api/v1/objects/other/t/secret/status"},
      {"GET", "/api/v1/objects/other/t/secret/destinations"},
      {"PUT", "/api/v1/objects/other/t/secret/consumed"},
      {"PUT", "/api/v1/objects/other/t/secret/received"},
      {"PUT", "/api/v1/objects/other/t/secret/deleted"},
      {"PUT", "/api/v1/objects/other/t/secret/activate"},
      {"PUT", "/api/v1/objects/other/t/secret/data"},
      {"DELETE", "/api/v1/objects/other/t/secret"},
      {"GET", "/api/v1/objects/other/t"},
      {"PUT", "/api/v1/objects/other/t"},
      {"GET", "/api/v1/destinations/other"},
      {"GET", "/api/v1/destinations/other/cam/c1/objects"},
      {"GET", "/api/v1/security/objects/other"},
      {"GET", "/api/v1/security/destinations/other/cam"},
      {"PUT", "/api/v1/security/objects/other/t"},
      {"DELETE", "/api/v1/security/objects/other/t/user/carol"},
      {"PUT", "/api/v1/organizations/other"},
      {"DELETE", "/api/v1/organizations/other"},
  };
  for (const auto& [method, target] : calls) {
    for (const auto& role : {kAdmin, kObjectAdmin, kUser, kNodeUser}) {
      BOOST_TEST_CONTEXT(method << " " << target << " as " << role) {
        BOOST_TEST(cloud.status(role, method, target, "{}") == 403);
      }
    }
    std::string mine = target;
    mine.replace(mine.find("/other"), 6, "/myorg");
    BOOST_TEST_CONTEXT(method << " " << mine << " as " << kOtherAdmin) {
      BOOST_TEST(cloud.status(kOtherAdmin, method, mine, "{}") == 403);
    }
  }
  // Nothing of the other org leaked or changed.
  BOOST_TEST(other.get("/api/v1/objects/other/t/secret").status == 200);
  BOOST_TEST(admin.get(cloud_objects("t/o1")).status == 200);
  // The org list shows an admin its own org only.
  BOOST_REQUIRE(cloud.status(kSyncAdmin, "PUT", "/api/v1/organizations/myorg", R"({"address":"m"})") == 204);
  BOOST_REQUIRE(cloud.status(kSyncAdmin, "PUT", "/api/v1/organizations/other", R"({"address":"o"})") == 204);
  auto mine = admin.get("/api/v1/organizations");
  BOOST_REQUIRE(mine.status == 200);
  BOOST_TEST(json_of(mine) == nlohmann::json::parse(R"([{"org-id":"myorg","address":"m"}])"));
  HttpClient root = cloud.as(kSyncAdmin);
  BOOST_TEST(json_of(root.get("/api/v1/organizations")).size() == 2u);
}

BOOST_AUTO_TEST_CASE(acl_membership_grants_and_removal_revokes) {
  Cloud cloud;
  HttpClient admin = cloud.as(kAdmin);
  HttpClient user = cloud.as(kUser);
  HttpClient node_user = cloud.as(kNodeUser);
  BOOST_REQUIRE(admin.put(cloud_objects("t/o1"), object_body("t", "o1", {{"noData", true}})).status == 204);
  const std::string o2 = object_body("t", "o2", {{"noData", true}, {"destinationType", "cam"}});

  BOOST_TEST(user.get(cloud_objects("t/o1")).status == 403);
  // Reader: reads, does not write.
  BOOST_REQUIRE(
      admin.put("/api/v1/security/objects/myorg/t", acl_body("add", {member("carol", "user", "aclReader")})).status ==
      204);
  BOOST_TEST(user.get(cloud_objects("t/o1")).status == 200);
  BOOST_TEST(user.put(cloud_objects("t/o2"), o2).status == 403);
  BOOST_TEST(node_user.get(cloud_objects("t/o1")).status == 403);  // a node named carol is someone else
  BOOST_TEST(user.get(cloud_objects("u/x")).status == 403);        // another type

  // Writer (the old "usernames" form): writes only to destination types its destination ACLs allow.
  BOOST_REQUIRE(admin.put("/api/v1/security/objects/myorg/t", R"({"action":"add","usernames":["carol"]})").status ==
                204);
  BOOST_TEST(user.put(cloud_objects("t/o2"), o2).status == 403);
  BOOST_REQUIRE(admin.put("/api/v1/security/destinations/myorg/cam", acl_body("add", {member("carol")})).status == 204);
  BOOST_TEST(user.put(cloud_objects("t/o2"), o2).status == 204);
  const std::string broadcast = object_body("t", "o3", {{"noData", true}});
  BOOST_TEST(user.put(cloud_objects("t/o3"), broadcast).status == 403);  // every type needs the all-types ACL
  BOOST_REQUIRE(admin.put("/api/v1/security/destinations/myorg", acl_body("add", {member("carol")})).status == 204);
  BOOST_TEST(user.put(cloud_objects("t/o3"), broadcast).status == 204);

  // The ACL reads back, with the role forced to "na" on destination ACLs.
  auto objects_acl = admin.get("/api/v1/security/objects/myorg/t");
  BOOST_REQUIRE(objects_acl.status == 200);
  BOOST_TEST(json_of(objects_acl) ==
             nlohmann::json::parse(R"([{"Username":"carol","ACLUserType":"user","ACLRole":"aclWriter"}])"));
  auto destinations_acl = admin.get("/api/v1/security/destinations/myorg?key=cam");
  BOOST_REQUIRE(destinations_acl.status == 200);
  BOOST_TEST(json_of(destinations_acl) ==
             nlohmann::json::parse(R"([{"Username":"carol","ACLUserType":"user","ACLRole":"na"}])"));
  auto keys = admin.get("/api/v1/security/objects/myorg?all_keys=true");
  BOOST_REQUIRE(keys.status == 200);
  BOOST_TEST(json_of(keys) == nlohmann::json::parse(R"(["t"])"));
  BOOST_TEST(admin.get("/api/v1/security/objects/myorg/t?acl_usertype=node").status == 404);

  // Removal revokes at once.
  BOOST_REQUIRE(admin.put("/api/v1/security/objects/myorg/t", acl_body("remove", {member("carol")})).status == 204);
  BOOST_TEST(user.get(cloud_objects("t/o1")).status == 403);
  BOOST_TEST(admin.get("/api/v1/security/objects/myorg/t").status == 404);  // the last member gone: no ACL

  // Node users by ACL user type, "*" for everybody, and the all-types object ACL.
  BOOST_REQUIRE(
      admin.put("/api/v1/security/objects/myorg/t", acl_body("add", {member("n1", "node", "aclReader")})).status ==
      204);
  BOOST_TEST(node_user.get(cloud_objects("t/o1")).status == 200);
  BOOST_TEST(user.get(cloud_objects("t/o1")).status == 403);
  BOOST_REQUIRE(admin.del("/api/v1/security/objects/myorg/t/node/n1").status == 204);
  BOOST_TEST(node_user.get(cloud_objects("t/o1")).status == 403);
  BOOST_REQUIRE(
      admin.put("/api/v1/security/objects/myorg", acl_body("add", {member("*", "user", "aclReader")})).status == 204);
  BOOST_TEST(user.get(cloud_objects("t/o1")).status == 200);
  BOOST_TEST(user.get(cloud_objects("t/o1/status")).status == 200);
  BOOST_TEST(user.put(cloud_objects("t/o4"), o2).status == 403);
}

BOOST_AUTO_TEST_CASE(acl_requests_are_validated) {
  Cloud cloud;
  HttpClient admin = cloud.as(kAdmin);
  check_bad_request(admin.put("/api/v1/security/objects/myorg/t", R"({"action":"grant","users":["a"]})"), "action");
  check_bad_request(admin.put("/api/v1/security/objects/myorg/t", R"({"action":"add","users":[]})"), "users");
  check_bad_request(admin.put("/api/v1/security/objects/myorg/t", acl_body("add", {member("a", "robot")})), "robot");
  check_bad_request(admin.put("/api/v1/security/objects/myorg/t", acl_body("add", {member("a", "user", "aclOwner")})),
                    "aclOwner");
  check_bad_request(admin.put("/api/v1/security/objects/myorg/t", acl_body("add", {member("a<b>")})), "Username");
  check_bad_request(admin.put("/api/v1/security/objects/myorg/t", "not json"), "JSON");
  check_bad_request(admin.get("/api/v1/security/policies/myorg"), "objects or destinations");
  check_bad_request(admin.get("/api/v1/security/objects/myorg?acl_usertype=robot"), "robot");
  check_bad_request(admin.put("/api/v1/organizations/myorg", R"({"orgID":"other"})"), "orgID");
  BOOST_TEST(admin.get("/api/v1/security/objects/myorg").status == 404);  // no ACL yet
}

BOOST_AUTO_TEST_CASE(deleting_an_org_removes_everything_of_it) {
  Cloud cloud;
  HttpClient root = cloud.as(kSyncAdmin);
  HttpClient other = cloud.as(kOtherAdmin);
  const std::string data = "payload";
  BOOST_REQUIRE(root.put(cloud_objects("t/o1"), object_body("t", "o1", {}, &data)).status == 204);
  BOOST_REQUIRE(other.put("/api/v1/objects/other/t/keep", object_body("t", "keep", {{"noData", true}})).status == 204);
  BOOST_REQUIRE(root.put("/api/v1/security/objects/myorg/t", acl_body("add", {member("carol")})).status == 204);
  BOOST_REQUIRE(root.put("/api/v1/organizations/myorg", R"({"address":"x"})").status == 204);
  BOOST_REQUIRE(root.del("/api/v1/organizations/myorg").status == 204);
  BOOST_TEST(root.get(cloud_objects("t/o1")).status == 404);
  BOOST_TEST(root.get("/api/v1/security/objects/myorg/t").status == 404);
  BOOST_TEST(root.get("/api/v1/organizations").status == 404);
  BOOST_TEST(other.get("/api/v1/objects/other/t/keep").status == 200);
  // The object's data file is gone too.
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(cloud.dir.path() / "cloud" / "data"))
    files += entry.is_regular_file() ? 1 : 0;
  BOOST_TEST(files == 0u);
}

BOOST_AUTO_TEST_CASE(role_matrix_on_an_edge) {
  TempDir dir;
  NodeProcess cloud(dir.path() / "cloud", {"--mode", "cloud"});
  const std::string users =
      write_config(dir.path(), "dummy-auth.json", R"({"regularUsers": ["carol@myorg"], "syncAdmins": ["root@x"]})");
  auto edge = start_edge(dir.path(), "cam", "c1", cloud.port(), "auth:\n  file: " + users + "\n");
  auto status = [&](const std::string& app_key, const std::string& method, const std::string& target,
                    const std::string& body = "") {
    HttpClient client(edge->port(), app_key);
    return client.request(method, target, body).status;
  };
  BOOST_REQUIRE(status(kAdmin, "PUT", edge_objects("t/e1"), object_body("t", "e1", {{"noData", true}})) == 204);
  // On an edge any non-edge identity of its org has full access; edge-node credentials and other
  // orgs none; the security and organizations APIs do not exist.
  const std::vector<std::string> allowed = {kAdmin, kObjectAdmin, kUser, kNodeUser, kService};
  for (const auto& role : kRoles) {
    const bool ok = std::find(allowed.begin(), allowed.end(), role) != allowed.end();
    BOOST_TEST_CONTEXT(role) {
      const int get = status(role, "GET", edge_objects("t/e1"));
      const int put = status(role, "PUT", edge_objects("t/e2"), object_body("t", "e2", {{"noData", true}}));
      const int health = status(role, "GET", "/api/v1/health");
      if (ok) {
        BOOST_TEST(get == 200);
        BOOST_TEST(put == 204);
        BOOST_TEST(health == 200);
      } else if (role == kSyncAdmin) {
        BOOST_TEST(get == 200);  // the super-user of every org
      } else {
        BOOST_TEST(get == 403);
        BOOST_TEST(put == 403);
      }
      BOOST_TEST(status(role, "GET", "/api/v1/security/objects/myorg") != 200);
      BOOST_TEST(status(role, "GET", "/api/v1/organizations") != 200);
    }
  }
  BOOST_TEST(status(kEdgeNode, "GET", "/api/v1/health") == 403);
  BOOST_TEST(status(kEdgeNode, "PUT", "/spi/v1/register/myorg/cam/c1") == 404);  // an edge serves no SPI
}
