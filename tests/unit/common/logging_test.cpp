#define BOOST_TEST_MODULE logging_test
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "common/logging.hpp"

using namespace edgesync;

namespace {

// Sends file descriptor 2 to a temporary file while alive, so the test reads what the logger wrote.
class CapturedStderr {
 public:
  CapturedStderr() {
    path_ = (std::filesystem::temp_directory_path() / "edgesync-logging-test-XXXXXX").string();
    const int file = ::mkstemp(path_.data());
    BOOST_REQUIRE(file >= 0);
    std::fflush(stderr);
    saved_ = ::dup(2);
    ::dup2(file, 2);
    ::close(file);
  }
  ~CapturedStderr() {
    restore();
    std::filesystem::remove(path_);
  }
  // Restores stderr and answers everything written meanwhile.
  std::string text() {
    restore();
    std::ifstream file(path_);
    std::stringstream contents;
    contents << file.rdbuf();
    return contents.str();
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    spdlog::default_logger()->flush();
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

}  // namespace

BOOST_AUTO_TEST_CASE(unknown_level_or_format_names_the_key) {
  Status level = setup_logging("verbose", "text");
  BOOST_TEST(!level.is_ok());
  BOOST_TEST(level.field() == "log.level");
  BOOST_TEST(level.message().rfind("log.level:", 0) == 0, level.message());
  Status format = setup_logging("info", "xml");
  BOOST_TEST(!format.is_ok());
  BOOST_TEST(format.field() == "log.format");
  BOOST_TEST(format.message().rfind("log.format:", 0) == 0, format.message());
  BOOST_TEST(!setup_logging("", "text").is_ok());
  BOOST_TEST(!setup_logging("warning", "text").is_ok());  // spdlog's alias; the documented name is warn
}

// Set-up runs again in tests and on a reload; spdlog's registry used to throw on the second logger.
BOOST_AUTO_TEST_CASE(setting_up_twice_is_fine) {
  BOOST_TEST(setup_logging("info", "text").is_ok());
  BOOST_TEST(setup_logging("debug", "json").is_ok());
  BOOST_TEST(spdlog::default_logger()->level() == spdlog::level::debug);
  for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    BOOST_TEST(setup_logging(level, "text").is_ok(), level);
  }
}

BOOST_AUTO_TEST_CASE(text_lines_have_time_level_and_message) {
  CapturedStderr captured;
  BOOST_REQUIRE(setup_logging("info", "text").is_ok());
  spdlog::info("object {} stored", "myorg/model/m1");
  spdlog::debug("below the level");
  const auto lines = lines_of(captured.text());
  BOOST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(
      std::regex_match(
          lines[0], std::regex(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[info\] object myorg/model/m1 stored)")),
      lines[0]);
}

BOOST_AUTO_TEST_CASE(json_lines_are_one_escaped_object_each) {
  CapturedStderr captured;
  BOOST_REQUIRE(setup_logging("info", "json").is_ok());
  const std::string awkward = "quote \" backslash \\ newline \n tab \t bell \x07 done";
  spdlog::warn("{}", awkward);
  spdlog::error("second");
  const auto lines = lines_of(captured.text());
  BOOST_REQUIRE(lines.size() == 2u);
  const auto first = nlohmann::json::parse(lines[0], nullptr, false);
  BOOST_REQUIRE_MESSAGE(!first.is_discarded(), lines[0]);
  BOOST_TEST(first["message"] == awkward);
  BOOST_TEST(first["level"] == "warning");
  BOOST_TEST(
      std::regex_match(first["time"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  const auto second = nlohmann::json::parse(lines[1], nullptr, false);
  BOOST_REQUIRE_MESSAGE(!second.is_discarded(), lines[1]);
  BOOST_TEST(second["message"] == "second");
  BOOST_TEST(second["level"] == "error");
}

// A peer's bytes or a truncated name can be invalid UTF-8; nlohmann::json (and most log shippers) refuse
// such a line whole, so each bad byte becomes U+FFFD and the rest of the message survives.
BOOST_AUTO_TEST_CASE(json_lines_replace_invalid_utf8) {
  CapturedStderr captured;
  BOOST_REQUIRE(setup_logging("info", "json").is_ok());
  spdlog::warn("{}", std::string("ok \xC3\xA9 bad \xFF\xC3 overlong \xC0\xAF surrogate \xED\xA0\x80 end"));
  const auto lines = lines_of(captured.text());
  BOOST_REQUIRE(lines.size() == 1u);
  const auto line = nlohmann::json::parse(lines[0], nullptr, false);
  BOOST_REQUIRE_MESSAGE(!line.is_discarded(), lines[0]);
  const std::string replacement = "\xEF\xBF\xBD";
  BOOST_TEST(line["message"] == "ok \xC3\xA9 bad " + replacement + replacement + " overlong " + replacement +
                                    replacement + " surrogate " + replacement + replacement + replacement + " end");
}

BOOST_AUTO_TEST_CASE(json_escaped_keeps_valid_text_and_escapes_controls) {
  BOOST_TEST(json_escaped("plain") == "plain");
  BOOST_TEST(json_escaped("a\"b\\c\nd\x01") == "a\\\"b\\\\c\\nd\\u0001");
  BOOST_TEST(json_escaped("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");                  // a 4-byte sequence
  BOOST_TEST(json_escaped("\xF0\x9F\x98") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
}
