#define BOOST_TEST_MODULE data_files_test
#include <openssl/sha.h>
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <random>
#include <regex>

#include "server/store/data_files.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace edgesync;
using edgesync::test::ScratchDir;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<DataFiles> open_files(const ScratchDir& dir) {
  auto files = DataFiles::open(dir.path / "data");
  BOOST_REQUIRE(files.is_ok());
  return std::move(*files);
}

std::string read_all(DataFiles& files, const std::string& name) {
  auto reader = files.open_reader(name);
  BOOST_REQUIRE(reader.is_ok());
  std::string content((*reader)->size(), '\0');
  size_t offset = 0;
  while (offset < content.size()) {
    auto n = (*reader)->read_at(offset, std::span<char>(content.data() + offset, content.size() - offset));
    BOOST_REQUIRE(n.is_ok() && *n > 0);
    offset += *n;
  }
  return content;
}

size_t files_in(const fs::path& directory) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(directory), fs::directory_iterator()));
}

const ResourceKey kKey{"org", "type", "../../etc/passwd"};

// A reference digest from OpenSSL's one-shot function, independent of the incremental code under test.
std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  std::string hex;
  for (unsigned char byte : digest) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

std::string random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

}  // namespace

BOOST_AUTO_TEST_CASE(written_file_has_its_sha256_and_a_generated_name) {
  ScratchDir dir;
  auto files = open_files(dir);
  auto writer = files->create(kKey);
  BOOST_REQUIRE(writer.is_ok());
  BOOST_TEST((*writer)->append(std::string_view("ab")).is_ok());
  BOOST_TEST((*writer)->append(std::string_view("c")).is_ok());
  auto finished = (*writer)->finish();
  BOOST_REQUIRE(finished.is_ok());
  BOOST_TEST(finished->size == 3u);
  BOOST_TEST(finished->sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(finished->file_name.find('/') == std::string::npos);
  BOOST_TEST(finished->file_name.find("passwd") == std::string::npos);  // never the object ID
  BOOST_TEST(read_all(*files, finished->file_name) == "abc");
  BOOST_TEST(files_in(dir.path / "data" / "tmp") == 0u);
  BOOST_TEST(files->remove(finished->file_name).is_ok());
  BOOST_TEST((files->open_reader(finished->file_name).status().code() == StatusCode::kNotFound));
  BOOST_TEST(files->remove(finished->file_name).is_ok());  // already gone is fine
}

BOOST_AUTO_TEST_CASE(names_are_the_key_hash_and_a_unique_token) {
  ScratchDir dir;
  auto files = open_files(dir);
  const std::string key_hash = sha256_hex(std::string("org") + '\0' + "type" + '\0' + "../../etc/passwd").substr(0, 32);
  const std::regex shape(key_hash + "-[0-9a-f]{16}");
  auto first = (*files->create(kKey))->finish();
  auto second = (*files->create(kKey))->finish();
  BOOST_REQUIRE(first.is_ok() && second.is_ok());
  BOOST_TEST(std::regex_match(first->file_name, shape));
  BOOST_TEST(std::regex_match(second->file_name, shape));
  BOOST_TEST(first->file_name != second->file_name);
  BOOST_TEST(first->sha256 == sha256_hex(""));
  auto part = files->create_part(kKey, 1);
  BOOST_REQUIRE(part.is_ok());
  BOOST_TEST(std::regex_match(*part, std::regex(key_hash + "-[0-9a-f]{16}\\.part")));
}

BOOST_AUTO_TEST_CASE(large_data_in_many_appends_hashes_and_reads_back_at_any_offset) {
  ScratchDir dir;
  auto files = open_files(dir);
  const std::string data = random_bytes(3 * 1024 * 1024 + 17, 1);
  auto writer = files->create(kKey);
  BOOST_REQUIRE(writer.is_ok());
  for (size_t offset = 0; offset < data.size(); offset += 100000) {
    const size_t length = std::min<size_t>(100000, data.size() - offset);
    BOOST_REQUIRE((*writer)->append(std::span<const char>(data.data() + offset, length)).is_ok());
  }
  auto finished = (*writer)->finish();
  BOOST_REQUIRE(finished.is_ok());
  BOOST_TEST(finished->size == data.size());
  BOOST_TEST(finished->sha256 == sha256_hex(data));
  BOOST_TEST((!(*writer)->finish().is_ok()));  // once only
  BOOST_TEST((!(*writer)->append(std::string_view("x")).is_ok()));

  auto reader = files->open_reader(finished->file_name);
  BOOST_REQUIRE(reader.is_ok());
  BOOST_TEST((*reader)->size() == data.size());
  std::string buffer(1000, '\0');
  auto n = (*reader)->read_at(2000000, buffer);
  BOOST_REQUIRE(n.is_ok());
  BOOST_TEST(*n == 1000u);
  BOOST_TEST(buffer == data.substr(2000000, 1000));
  n = (*reader)->read_at(data.size() - 7, buffer);
  BOOST_REQUIRE(n.is_ok());
  BOOST_TEST(*n == 7u);
  BOOST_TEST(buffer.substr(0, 7) == data.substr(data.size() - 7));
  BOOST_TEST(*(*reader)->read_at(data.size(), buffer) == 0u);
  BOOST_TEST(read_all(*files, finished->file_name) == data);
}

BOOST_AUTO_TEST_CASE(an_abandoned_writer_leaves_nothing) {
  ScratchDir dir;
  auto files = open_files(dir);
  {
    auto writer = files->create(kKey);
    BOOST_TEST((*writer)->append(std::string_view("partial")).is_ok());
  }
  BOOST_TEST(files_in(dir.path / "data" / "tmp") == 0u);
  BOOST_TEST(files_in(dir.path / "data" / "objects") == 0u);
}

BOOST_AUTO_TEST_CASE(tmp_is_cleared_at_open) {
  ScratchDir dir;
  open_files(dir);
  std::ofstream(dir.path / "data" / "tmp" / "leftover") << "x";
  open_files(dir);
  BOOST_TEST(files_in(dir.path / "data" / "tmp") == 0u);
}

BOOST_AUTO_TEST_CASE(part_files_take_chunks_in_any_order) {
  ScratchDir dir;
  auto files = open_files(dir);
  auto part = files->create_part(kKey, 10);
  BOOST_REQUIRE(part.is_ok());
  BOOST_TEST(files->write_part(*part, 5, std::string_view("56789")).is_ok());
  BOOST_TEST(files->write_part(*part, 0, std::string_view("01234")).is_ok());
  auto finished = files->finish_part(*part, kKey);
  BOOST_REQUIRE(finished.is_ok());
  BOOST_TEST(finished->size == 10u);
  BOOST_TEST(finished->sha256 == "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");  // "0123456789"
  BOOST_TEST(read_all(*files, finished->file_name) == "0123456789");
  BOOST_TEST(files_in(dir.path / "data" / "uploads") == 0u);
  BOOST_TEST((files->write_part(*part, 0, std::string_view("x")).code() == StatusCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(part_files_written_at_random_offsets_hash_to_the_whole) {
  ScratchDir dir;
  auto files = open_files(dir);
  const std::string data = random_bytes(2 * 1024 * 1024 + 12345, 2);  // more than one hash buffer
  // Chunks of random sizes, written in a random order.
  std::mt19937_64 random(3);
  std::vector<std::pair<size_t, size_t>> chunks;
  for (size_t offset = 0; offset < data.size();) {
    const size_t length = std::min<size_t>(1 + random() % 300000, data.size() - offset);
    chunks.emplace_back(offset, length);
    offset += length;
  }
  std::shuffle(chunks.begin(), chunks.end(), random);
  auto part = files->create_part(kKey, data.size());
  BOOST_REQUIRE(part.is_ok());
  for (const auto& [offset, length] : chunks) {
    BOOST_REQUIRE(files->write_part(*part, offset, std::span<const char>(data.data() + offset, length)).is_ok());
  }
  auto finished = files->finish_part(*part, kKey);
  BOOST_REQUIRE(finished.is_ok());
  BOOST_TEST(finished->size == data.size());
  BOOST_TEST(finished->sha256 == sha256_hex(data));
  BOOST_TEST(read_all(*files, finished->file_name) == data);
}

// Writeback started early changes nothing a reader sees; only the part files of this DataFiles qualify.
BOOST_AUTO_TEST_CASE(writeback_of_a_part_starts_early_and_keeps_its_bytes) {
  ScratchDir dir;
  auto files = open_files(dir);
  const std::string data = random_bytes(3 * 1024 * 1024 + 7, 4);
  auto part = files->create_part(kKey, data.size());
  BOOST_REQUIRE(part.is_ok());
  BOOST_REQUIRE(files->write_part(*part, 0, std::span<const char>(data.data(), data.size()), false).is_ok());
  BOOST_TEST(files->start_part_writeback(*part, 0, 1024 * 1024).is_ok());
  BOOST_TEST(files->start_part_writeback(*part, 1024 * 1024, data.size() - 1024 * 1024).is_ok());
  auto finished = files->finish_part(*part, kKey);
  BOOST_REQUIRE(finished.is_ok());
  BOOST_TEST(read_all(*files, finished->file_name) == data);
  BOOST_TEST((files->start_part_writeback(*part, 0, 1).code() == StatusCode::kNotFound));  // finished: gone
  BOOST_TEST((files->start_part_writeback("../escape.part", 0, 1).code() == StatusCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(a_chunk_past_the_end_of_the_upload_is_refused) {
  ScratchDir dir;
  auto files = open_files(dir);
  auto part = files->create_part(kKey, 10);
  BOOST_REQUIRE(part.is_ok());
  BOOST_TEST((files->write_part(*part, 8, std::string_view("xyz")).code() == StatusCode::kInvalidArgument));
  BOOST_TEST((files->write_part(*part, 11, std::string_view("x")).code() == StatusCode::kInvalidArgument));
  BOOST_TEST(files->write_part(*part, 7, std::string_view("xyz")).is_ok());
  BOOST_TEST(fs::file_size(dir.path / "data" / "uploads" / *part) == 10u);
  BOOST_TEST(files->remove_part(*part).is_ok());
  BOOST_TEST(files->remove_part(*part).is_ok());  // already gone is fine
  BOOST_TEST(files_in(dir.path / "data" / "uploads") == 0u);
}

BOOST_AUTO_TEST_CASE(sweep_removes_only_unreferenced_files) {
  ScratchDir dir;
  auto files = open_files(dir);
  auto keep = files->create(kKey);
  auto kept = (*keep)->finish();
  auto drop = files->create(kKey);
  auto dropped = (*drop)->finish();
  auto part = files->create_part(kKey, 4);
  auto kept_part = files->create_part(kKey, 4);
  auto removed = files->sweep({kept->file_name, *kept_part});
  BOOST_REQUIRE(removed.is_ok());
  BOOST_TEST(*removed == 2u);
  BOOST_TEST(files->open_reader(kept->file_name).is_ok());
  BOOST_TEST(!files->open_reader(dropped->file_name).is_ok());
  BOOST_TEST(files->write_part(*kept_part, 0, std::string_view("abcd")).is_ok());
  BOOST_TEST((files->write_part(*part, 0, std::string_view("abcd")).code() == StatusCode::kNotFound));
  BOOST_TEST(*files->sweep({kept->file_name, *kept_part}) == 0u);
}

BOOST_AUTO_TEST_CASE(names_that_could_escape_are_refused) {
  ScratchDir dir;
  auto files = open_files(dir);
  for (const std::string& bad :
       std::vector<std::string>{"", "..", ".", "../x", "a/b", "/etc/passwd", "a..b", ".hidden", "a b", "a\\b",
                                std::string("a\0b", 3), std::string(300, 'a')}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST((files->open_reader(bad).status().code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->remove(bad).code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->write_part(bad, 0, std::string_view("x")).code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->finish_part(bad, kKey).status().code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->remove_part(bad).code() == StatusCode::kInvalidArgument));
    }
  }
  BOOST_TEST(fs::exists("/etc/passwd"));
}
