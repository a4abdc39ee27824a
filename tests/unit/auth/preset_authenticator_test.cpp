#define BOOST_TEST_MODULE preset_authenticator_test
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/base64.hpp"
#include "server/auth/authenticator.hpp"
#include "server/auth/secret_hash.hpp"

using namespace edgesync;

namespace {

constexpr uint32_t kTestIterations = 2000;  // the format, not the cost, is under test

std::string basic(const std::string& key, const std::string& secret) {
  return "Basic " + base64_encode(key + ":" + secret);
}

struct CredentialsFile {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("credentials-" + std::to_string(::getpid()) +
                                                                         "-" + std::to_string(counter++) + ".yaml");
  static inline int counter = 0;
  explicit CredentialsFile(const std::string& text) { std::ofstream(path) << text; }
  ~CredentialsFile() { std::filesystem::remove(path); }
};

std::string entry(const std::string& app_key, const std::string& secret, const std::string& rest) {
  return "  - app_key: \"" + app_key + "\"\n    secret_hash: \"" + hash_secret(secret, kTestIterations) + "\"\n" + rest;
}

std::string sample_file() {
  return "credentials:\n" + entry("admin@acme", "s3cret", "    role: admin\n    org: acme\n    user: alice\n") +
         entry("acme/cam/c1", "edge-secret", "    role: edgenode\n    org: acme\n    identity: cam/c1\n") +
         entry("root", "root-secret", "    role: syncadmin\n") +
         entry("reader", "r", "    role: user\n    org: acme\n");
}

bool refused(const Result<Identity>& result) {
  return !result.is_ok() && result.status().code() == StatusCode::kForbidden &&
         result.status().message() == "Unauthorized";
}

}  // namespace

BOOST_AUTO_TEST_CASE(hash_round_trip_and_format) {
  const std::string text = hash_secret("correct horse", kTestIterations);
  BOOST_TEST(text.rfind("pbkdf2-sha256$2000$", 0) == 0, text);
  auto hash = parse_secret_hash(text);
  BOOST_REQUIRE(hash.is_ok());
  BOOST_TEST(hash->iterations == kTestIterations);
  BOOST_TEST(hash->key.size() == 32u);
  BOOST_TEST(verify_secret(*hash, "correct horse"));
  BOOST_TEST(!verify_secret(*hash, "correct horsE"));
  BOOST_TEST(!verify_secret(*hash, ""));
  // Salted: the same secret never hashes the same twice.
  BOOST_TEST(hash_secret("correct horse", kTestIterations) != text);
}

BOOST_AUTO_TEST_CASE(known_pbkdf2_vector_verifies) {
  // deploy/conf/credentials.yaml's sample hash of "change-me", computed independently (Python hashlib).
  auto hash =
      parse_secret_hash("pbkdf2-sha256$600000$VGhpcyBpcyBhIHNhbXBsZQ==$xcAatidACJQ2UqgVzrJ3uiTjNaUc+Eg7lqCBN1ebqWs=");
  BOOST_REQUIRE(hash.is_ok());
  BOOST_TEST(verify_secret(*hash, "change-me"));
  BOOST_TEST(!verify_secret(*hash, "change-you"));
}

BOOST_AUTO_TEST_CASE(malformed_hashes_are_refused_with_a_reason) {
  for (const char* text :
       {"", "plain", "pbkdf2-sha256$1000$c2FsdHNhbHQ=", "md5$1000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$10$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$x$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==", "pbkdf2-sha256$1000$!!$aGFzaGhhc2hoYXNoaGFzaA==",
        "pbkdf2-sha256$1000$c2FsdHNhbHQ=$aGFz"}) {
    BOOST_TEST_CONTEXT(text) {
      auto hash = parse_secret_hash(text);
      BOOST_TEST(!hash.is_ok());
      BOOST_TEST(!hash.status().message().empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(credentials_give_identities_and_wrong_secrets_are_refused) {
  CredentialsFile file(sample_file());
  auto authenticator = make_preset_authenticator(file.path.string());
  BOOST_REQUIRE_MESSAGE(authenticator.is_ok(), authenticator.status().message());
  const Authenticator& auth = **authenticator;

  auto admin = auth.authenticate(basic("admin@acme", "s3cret"));
  BOOST_REQUIRE(admin.is_ok());
  BOOST_TEST((admin->role == Role::kAdmin));
  BOOST_TEST(admin->org == "acme");
  BOOST_TEST(admin->user == "alice");

  auto edge = auth.authenticate(basic("acme/cam/c1", "edge-secret"));
  BOOST_REQUIRE(edge.is_ok());
  BOOST_TEST((edge->role == Role::kEdgeNode));
  BOOST_TEST(edge->dest_type == "cam");
  BOOST_TEST(edge->dest_id == "c1");

  auto root = auth.authenticate(basic("root", "root-secret"));
  BOOST_REQUIRE(root.is_ok());
  BOOST_TEST((root->role == Role::kSyncAdmin));
  BOOST_TEST(root->org.empty());

  auto reader = auth.authenticate(basic("reader", "r"));
  BOOST_REQUIRE(reader.is_ok());
  BOOST_TEST((reader->role == Role::kUser));
  BOOST_TEST(reader->user == "reader");

  BOOST_TEST(refused(auth.authenticate(std::nullopt)));
  BOOST_TEST(refused(auth.authenticate("Bearer x")));
  BOOST_TEST(refused(auth.authenticate(basic("admin@acme", "wrong"))));
  BOOST_TEST(refused(auth.authenticate(basic("admin@acme", ""))));
  BOOST_TEST(refused(auth.authenticate(basic("admin@acme", "s3cret "))));
  BOOST_TEST(refused(auth.authenticate(basic("nobody@acme", "s3cret"))));
  // A dummy-style key is no identity here.
  BOOST_TEST(refused(auth.authenticate(basic("acme/cam/c2", "edge-secret"))));
  // The cached right secret does not let a wrong one through, and the right one still works after.
  BOOST_TEST(auth.authenticate(basic("admin@acme", "s3cret")).is_ok());
  BOOST_TEST(refused(auth.authenticate(basic("admin@acme", "s3creT"))));
  BOOST_TEST(auth.authenticate(basic("admin@acme", "s3cret")).is_ok());
  // A wrong secret tried before the right one is not remembered as right.
  BOOST_TEST(refused(auth.authenticate(basic("reader", "x"))));
  BOOST_TEST(refused(auth.authenticate(basic("reader", "x"))));
}

BOOST_AUTO_TEST_CASE(concurrent_checks_agree) {
  CredentialsFile file(sample_file());
  auto authenticator = make_preset_authenticator(file.path.string());
  BOOST_REQUIRE(authenticator.is_ok());
  std::atomic<int> wrong_answers{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const bool right = (i + t) % 2 == 0;
        auto result = (*authenticator)->authenticate(basic("admin@acme", right ? "s3cret" : "guess"));
        if (result.is_ok() != right) ++wrong_answers;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  BOOST_TEST(wrong_answers.load() == 0);
}

BOOST_AUTO_TEST_CASE(bad_files_fail_naming_the_entry_and_key) {
  const std::string hash = hash_secret("x", kTestIterations);
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"users: []\n", "credentials"},
      {"credentials: [\n", "not valid YAML"},
      {"credentials:\n  - app_key: a\n    role: admin\n    org: o\n", "credentials[0].secret_hash"},
      {"credentials:\n  - app_key: a\n    secret_hash: \"nope\"\n    role: admin\n    org: o\n",
       "credentials[0].secret_hash"},
      {"credentials:\n  - app_key: a\n    secret_hash: \"" + hash + "\"\n    role: god\n    org: o\n",
       "credentials[0].role"},
      {"credentials:\n  - app_key: a\n    secret_hash: \"" + hash + "\"\n    role: admin\n", "credentials[0].org"},
      {"credentials:\n  - app_key: a\n    secret_hash: \"" + hash + "\"\n    role: edgenode\n    org: o\n",
       "credentials[0].identity"},
      {"credentials:\n  - app_key: a\n    secret_hash: \"" + hash +
           "\"\n    role: admin\n    org: o\n    colour: red\n",
       "credentials[0].colour"},
      {"credentials:\n  - app_key: a\n    secret_hash: \"" + hash + "\"\n    role: admin\n    org: o\n" +
           "  - app_key: a\n    secret_hash: \"" + hash + "\"\n    role: admin\n    org: o\n",
       "credentials[1].app_key"},
  };
  for (const auto& item : cases) {
    CredentialsFile file(item.text);
    auto authenticator = make_preset_authenticator(file.path.string());
    BOOST_TEST_CONTEXT(item.text) {
      BOOST_REQUIRE(!authenticator.is_ok());
      BOOST_TEST(authenticator.status().message().find(item.expected) != std::string::npos,
                 authenticator.status().message());
      BOOST_TEST(authenticator.status().field() == "auth.file");
    }
  }
  auto missing = make_preset_authenticator("/nonexistent/credentials.yaml");
  BOOST_REQUIRE(!missing.is_ok());
  BOOST_TEST(missing.status().message().find("cannot read") != std::string::npos);
}
