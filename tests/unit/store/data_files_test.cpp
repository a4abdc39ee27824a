#define BOOST_TEST_MODULE data_files_test
#include <boost/test/unit_test.hpp>
#include <fstream>

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

BOOST_AUTO_TEST_CASE(sweep_removes_only_unreferenced_files) {
  ScratchDir dir;
  auto files = open_files(dir);
  auto keep = files->create(kKey);
  auto kept = (*keep)->finish();
  auto drop = files->create(kKey);
  auto dropped = (*drop)->finish();
  auto part = files->create_part(kKey, 4);
  auto removed = files->sweep({kept->file_name});
  BOOST_REQUIRE(removed.is_ok());
  BOOST_TEST(*removed == 2u);
  BOOST_TEST(files->open_reader(kept->file_name).is_ok());
  BOOST_TEST(!files->open_reader(dropped->file_name).is_ok());
}

BOOST_AUTO_TEST_CASE(names_that_could_escape_are_refused) {
  ScratchDir dir;
  auto files = open_files(dir);
  for (const char* bad : {"", "..", ".", "../x", "a/b", "/etc/passwd"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST((files->open_reader(bad).status().code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->remove(bad).code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->write_part(bad, 0, std::string_view("x")).code() == StatusCode::kInvalidArgument));
    }
  }
}
