// The DataFiles contract on both implementations: files (data_files_test) and PostgreSQL blobs from the
// store plugin (data_files_test_postgres), one source compiled once per backend as the store suite is
// (store_backend.hpp). Cases that look at the file layout run on files only; the blob garbage
// collection on PostgreSQL only.
#define BOOST_TEST_MODULE data_files_test
#include <openssl/sha.h>
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include "server/store/data_files.hpp"
#include "server/store/file_data_files.hpp"
#include "tests/unit/store/store_backend.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace edgesync;
using edgesync::test::ScratchDir;
using edgesync::test::ScratchStore;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// One backend's DataFiles, with the store whose rows attach its data.
struct Backend {
  explicit Backend(std::chrono::seconds grace = 600s) : store(test::open_store(scratch)) { files = open(grace); }
  std::unique_ptr<DataFiles> open(std::chrono::seconds grace) {
#ifdef EDGESYNC_STORE_TEST_POSTGRES
    auto opened = store->open_data_files(grace);
    BOOST_REQUIRE_MESSAGE(opened.is_ok(), opened.status().message());
    BOOST_REQUIRE(*opened != nullptr);
    return std::move(*opened);
#else
    (void)grace;
    BOOST_REQUIRE((*store->open_data_files(grace)) == nullptr);  // SQLite keeps data in files
    auto opened = FileDataFiles::open(dir.path / "data");
    BOOST_REQUIRE(opened.is_ok());
    return std::move(*opened);
#endif
  }
  // Blobs (PostgreSQL) or files (objects/, tmp/, uploads/) stored, whatever their state.
  size_t stored() const {
#ifdef EDGESYNC_STORE_TEST_POSTGRES
    pqxx::connection connection(scratch.url());
    pqxx::read_transaction transaction(connection);
    return transaction.exec("SELECT count(*) FROM data_blobs")[0][0].as<size_t>();
#else
    size_t count = 0;
    for (const char* directory : {"objects", "tmp", "uploads"})
      for (const auto& entry : fs::directory_iterator(dir.path / "data" / directory)) count += entry.is_regular_file();
    return count;
#endif
  }

  ScratchDir dir;
  ScratchStore scratch;
  std::unique_ptr<Store> store;
  std::unique_ptr<DataFiles> files;
};

#ifndef EDGESYNC_STORE_TEST_POSTGRES
std::unique_ptr<FileDataFiles> open_files(const ScratchDir& dir) {
  auto files = FileDataFiles::open(dir.path / "data");
  BOOST_REQUIRE(files.is_ok());
  return std::move(*files);
}

size_t files_in(const fs::path& directory) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(directory), fs::directory_iterator()));
}
#endif

// Reads [offset, offset + length) through read_at, which may answer short reads.
std::string read_range(DataFiles& files, const std::string& name, uint64_t offset, size_t length) {
  auto reader = files.open_reader(name);
  BOOST_REQUIRE_MESSAGE(reader.is_ok(), reader.status().message());
  std::string content(length, '\0');
  size_t done = 0;
  while (done < length) {
    auto n = (*reader)->read_at(offset + done, std::span<char>(content.data() + done, length - done));
    BOOST_REQUIRE_MESSAGE(n.is_ok(), n.status().message());
    if (*n == 0) break;
    done += *n;
  }
  content.resize(done);
  return content;
}

std::string read_all(DataFiles& files, const std::string& name) {
  auto reader = files.open_reader(name);
  BOOST_REQUIRE_MESSAGE(reader.is_ok(), reader.status().message());
  return read_range(files, name, 0, (*reader)->size());
}

const ResourceKey kKey{"org", "type", "../../etc/passwd"};
constexpr size_t kMiB = 1024 * 1024;

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

std::string write_data(DataFiles& files, std::string_view data) {
  auto writer = files.create(kKey);
  BOOST_REQUIRE_MESSAGE(writer.is_ok(), writer.status().message());
  BOOST_REQUIRE((*writer)->append(data).is_ok());
  auto finished = (*writer)->finish();
  BOOST_REQUIRE_MESSAGE(finished.is_ok(), finished.status().message());
  return finished->file_name;
}

}  // namespace

BOOST_AUTO_TEST_CASE(written_file_has_its_sha256_and_a_generated_name) {
  Backend backend;
  auto& files = backend.files;
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
  BOOST_TEST(files->remove(finished->file_name).is_ok());
  BOOST_TEST((files->open_reader(finished->file_name).status().code() == StatusCode::kNotFound));
  BOOST_TEST(files->remove(finished->file_name).is_ok());  // already gone is fine
}

BOOST_AUTO_TEST_CASE(names_are_the_key_hash_and_a_unique_token) {
  Backend backend;
  auto& files = backend.files;
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
  Backend backend;
  auto& files = backend.files;
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
  Backend backend;
  {
    auto writer = backend.files->create(kKey);
    BOOST_TEST((*writer)->append(std::string_view("partial")).is_ok());
    BOOST_TEST((*writer)->append(random_bytes(kMiB + 5, 9)).is_ok());  // a chunk already stored
  }
  BOOST_TEST(backend.stored() == 0u);
}

#ifndef EDGESYNC_STORE_TEST_POSTGRES
BOOST_AUTO_TEST_CASE(tmp_is_cleared_at_open) {
  ScratchDir dir;
  open_files(dir);
  std::ofstream(dir.path / "data" / "tmp" / "leftover") << "x";
  open_files(dir);
  BOOST_TEST(files_in(dir.path / "data" / "tmp") == 0u);
}

#endif

BOOST_AUTO_TEST_CASE(part_files_take_chunks_in_any_order) {
  Backend backend;
  auto& files = backend.files;
  auto part = files->create_part(kKey, 10);
  BOOST_REQUIRE(part.is_ok());
  BOOST_TEST(files->write_part(*part, 5, std::string_view("56789")).is_ok());
  BOOST_TEST(files->write_part(*part, 0, std::string_view("01234")).is_ok());
  auto finished = files->finish_part(*part, kKey);
  BOOST_REQUIRE(finished.is_ok());
  BOOST_TEST(finished->size == 10u);
  BOOST_TEST(finished->sha256 == "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");  // "0123456789"
  BOOST_TEST(read_all(*files, finished->file_name) == "0123456789");
  BOOST_TEST(backend.stored() == 1u);  // the part became the data
  BOOST_TEST((files->write_part(*part, 0, std::string_view("x")).code() == StatusCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(part_files_written_at_random_offsets_hash_to_the_whole) {
  Backend backend;
  auto& files = backend.files;
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

#ifndef EDGESYNC_STORE_TEST_POSTGRES
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

#endif

BOOST_AUTO_TEST_CASE(a_chunk_past_the_end_of_the_upload_is_refused) {
  Backend backend;
  auto& files = backend.files;
  auto part = files->create_part(kKey, 10);
  BOOST_REQUIRE(part.is_ok());
  BOOST_TEST((files->write_part(*part, 8, std::string_view("xyz")).code() == StatusCode::kInvalidArgument));
  BOOST_TEST((files->write_part(*part, 11, std::string_view("x")).code() == StatusCode::kInvalidArgument));
  BOOST_TEST(files->write_part(*part, 7, std::string_view("xyz")).is_ok());
  BOOST_TEST(files->remove_part(*part).is_ok());
  BOOST_TEST(files->remove_part(*part).is_ok());  // already gone is fine
  BOOST_TEST((files->write_part(*part, 0, std::string_view("x")).code() == StatusCode::kNotFound));
}

#ifndef EDGESYNC_STORE_TEST_POSTGRES
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

#endif

BOOST_AUTO_TEST_CASE(names_that_could_escape_are_refused) {
  Backend backend;
  auto& files = backend.files;
  for (const std::string& bad :
       std::vector<std::string>{"", "..", ".", "../x", "a/b", "/etc/passwd", "a..b", ".hidden", "a b", "a\\b",
                                std::string("a\0b", 3), std::string(300, 'a')}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST((files->open_reader(bad).status().code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->remove(bad).code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->write_part(bad, 0, std::string_view("x")).code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->finish_part(bad, kKey).status().code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->remove_part(bad).code() == StatusCode::kInvalidArgument));
      BOOST_TEST((files->sync_part(bad).code() == StatusCode::kInvalidArgument));
    }
  }
  BOOST_TEST(fs::exists("/etc/passwd"));
}

// Pieces of a part of several chunks, at offsets that are not chunk-aligned, overlapping one another
// and repeated (a client retrying), in a random order: the whole reads back and hashes right.
BOOST_AUTO_TEST_CASE(unaligned_overlapping_and_repeated_part_writes_make_the_whole) {
  Backend backend;
  auto& files = backend.files;
  const std::string data = random_bytes(3 * kMiB + 4321, 5);
  std::mt19937_64 random(6);
  std::vector<std::pair<size_t, size_t>> pieces;
  for (size_t offset = 0; offset < data.size();) {
    const size_t length = std::min<size_t>(1 + random() % (700 * 1024), data.size() - offset);
    // Each piece also reaches up to 100 KiB back into the previous one.
    const size_t back = std::min<size_t>(offset, random() % (100 * 1024));
    pieces.emplace_back(offset - back, length + back);
    offset += length;
  }
  pieces.push_back(pieces[1]);      // retried
  pieces.push_back({kMiB - 3, 6});  // straddles a chunk boundary
  pieces.push_back({kMiB - 3, 6});
  std::shuffle(pieces.begin(), pieces.end(), random);
  auto part = files->create_part(kKey, data.size());
  BOOST_REQUIRE(part.is_ok());
  for (const auto& [offset, length] : pieces) {
    BOOST_REQUIRE(files->write_part(*part, offset, std::span<const char>(data.data() + offset, length)).is_ok());
  }
  BOOST_TEST(files->sync_part(*part).is_ok());
  auto finished = files->finish_part(*part, kKey);
  BOOST_REQUIRE_MESSAGE(finished.is_ok(), finished.status().message());
  BOOST_TEST(finished->size == data.size());
  BOOST_TEST(finished->sha256 == sha256_hex(data));
  BOOST_TEST(read_all(*files, finished->file_name) == data);
  BOOST_TEST((files->finish_part(*part, kKey).status().code() == StatusCode::kNotFound));  // once only
}

// Writes without sync, then one sync_part, as an edge's transfer does; a caller that hashed the bytes
// itself hands its digest to finish_part.
BOOST_AUTO_TEST_CASE(unsynced_part_writes_are_kept_and_a_known_digest_is_taken) {
  Backend backend;
  auto& files = backend.files;
  const std::string data = random_bytes(2 * kMiB + 1, 7);
  auto part = files->create_part(kKey, data.size());
  BOOST_REQUIRE(part.is_ok());
  for (size_t offset = 0; offset < data.size(); offset += 300000) {
    const size_t length = std::min<size_t>(300000, data.size() - offset);
    BOOST_REQUIRE(files->write_part(*part, offset, std::span<const char>(data.data() + offset, length), false).is_ok());
  }
  BOOST_TEST(files->sync_part(*part).is_ok());
  auto finished = files->finish_part(*part, kKey, sha256_hex(data));
  BOOST_REQUIRE(finished.is_ok());
  BOOST_TEST(finished->size == data.size());
  BOOST_TEST(finished->sha256 == sha256_hex(data));
  BOOST_TEST(read_all(*files, finished->file_name) == data);
}

// Bytes of a part nobody wrote read as zeros (a sparse file; a zero-filled chunk row).
BOOST_AUTO_TEST_CASE(unwritten_bytes_of_a_part_are_zeros) {
  Backend backend;
  auto& files = backend.files;
  const size_t size = 2 * kMiB + 10;
  auto part = files->create_part(kKey, size);
  BOOST_REQUIRE(part.is_ok());
  BOOST_REQUIRE(files->write_part(*part, 5, std::string_view("abc")).is_ok());
  auto finished = files->finish_part(*part, kKey);
  BOOST_REQUIRE_MESSAGE(finished.is_ok(), finished.status().message());
  std::string expected(size, '\0');
  expected.replace(5, 3, "abc");
  BOOST_TEST(finished->sha256 == sha256_hex(expected));
  BOOST_TEST(read_all(*files, finished->file_name) == expected);
}

// Reads at and across chunk boundaries (1 MiB in PostgreSQL), at the end and past it.
BOOST_AUTO_TEST_CASE(ranged_reads_across_chunk_boundaries) {
  Backend backend;
  auto& files = backend.files;
  const std::string data = random_bytes(3 * kMiB + 77, 8);
  const std::string name = write_data(*files, data);
  for (const auto& [offset, length] : std::vector<std::pair<size_t, size_t>>{{0, 1},
                                                                             {kMiB - 1, 2},
                                                                             {kMiB - 10, 100},
                                                                             {kMiB, kMiB},
                                                                             {kMiB / 2, 2 * kMiB},
                                                                             {3 * kMiB - 5, 82},
                                                                             {3 * kMiB + 76, 1},
                                                                             {0, data.size()}}) {
    BOOST_TEST_CONTEXT("offset " << offset << " length " << length) {
      BOOST_TEST(read_range(*files, name, offset, length) == data.substr(offset, length));
    }
  }
  auto reader = files->open_reader(name);
  BOOST_REQUIRE(reader.is_ok());
  std::string buffer(10, '\0');
  BOOST_TEST(*(*reader)->read_at(data.size(), buffer) == 0u);
  BOOST_TEST(*(*reader)->read_at(data.size() + kMiB, buffer) == 0u);
  BOOST_TEST(*(*reader)->read_at(data.size() - 3, buffer) == 3u);
  BOOST_TEST(*(*reader)->read_at(5, std::span<char>()) == 0u);
}

// One reader as a download uses it: 256 KiB pieces in order (PostgreSQL keeps the rest of a chunk
// it fetched), then jumps back and forward as ranged requests do.
BOOST_AUTO_TEST_CASE(one_reader_read_in_order_and_then_out_of_order) {
  Backend backend;
  auto& files = backend.files;
  const std::string data = random_bytes(3 * kMiB + 77, 9);
  const std::string name = write_data(*files, data);
  auto reader = files->open_reader(name);
  BOOST_REQUIRE(reader.is_ok());
  const auto read_at = [&](uint64_t offset, size_t length) {
    std::string out(length, '\0');
    size_t done = 0;
    while (done < length) {
      auto got = (*reader)->read_at(offset + done, std::span<char>(out).subspan(done));
      BOOST_REQUIRE_MESSAGE(got.is_ok(), got.status().message());
      if (*got == 0) break;
      done += *got;
    }
    out.resize(done);
    return out;
  };
  std::string whole;
  for (uint64_t offset = 0; offset < data.size(); offset += 256 * 1024) whole += read_at(offset, 256 * 1024);
  BOOST_TEST((whole == data));
  for (const auto& [offset, length] : std::vector<std::pair<size_t, size_t>>{
           {10, 300 * 1024}, {2 * kMiB + 5, 1000}, {kMiB + 1, 2 * kMiB}, {0, 1}, {3 * kMiB, 77}}) {
    BOOST_TEST_CONTEXT("offset " << offset << " length " << length) {
      BOOST_TEST((read_at(offset, length) == data.substr(offset, length)));
    }
  }
}

// Two requests completing one upload at once: one finishes it, the other fails, and the name handed
// out reads back whole (never a name the other request renamed away).
BOOST_AUTO_TEST_CASE(a_part_finished_twice_at_once_is_finished_once) {
  Backend backend;
  auto& files = backend.files;
  const std::string data = random_bytes(3 * kMiB, 15);
  for (int round = 0; round < 5; ++round) {
    auto part = files->create_part(kKey, data.size());
    BOOST_REQUIRE(part.is_ok());
    BOOST_REQUIRE(files->write_part(*part, 0, data).is_ok());
    std::vector<Result<DataFileWriter::Finished>> results(2, Status::internal("not run"));
    std::vector<std::thread> threads;
    for (size_t i = 0; i < results.size(); ++i)
      threads.emplace_back([&, i] { results[i] = files->finish_part(*part, kKey); });
    for (auto& thread : threads) thread.join();
    BOOST_TEST(results[0].is_ok() != results[1].is_ok());
    for (const auto& result : results) {
      if (result) BOOST_TEST((read_all(*files, result->file_name) == data));
    }
  }
}

BOOST_AUTO_TEST_CASE(missing_data_and_parts_are_not_found) {
  Backend backend;
  auto& files = backend.files;
  const std::string missing = "0123456789abcdef0123456789abcdef-0123456789abcdef";
  BOOST_TEST((files->open_reader(missing).status().code() == StatusCode::kNotFound));
  BOOST_TEST(files->remove(missing).is_ok());
  BOOST_TEST((files->write_part(missing + ".part", 0, std::string_view("x")).code() == StatusCode::kNotFound));
  BOOST_TEST((files->sync_part(missing + ".part").code() == StatusCode::kNotFound));
  BOOST_TEST((files->finish_part(missing + ".part", kKey).status().code() == StatusCode::kNotFound));
  BOOST_TEST(files->remove_part(missing + ".part").is_ok());
  // A part is not data, nor data a part.
  auto part = files->create_part(kKey, 4);
  BOOST_REQUIRE(part.is_ok());
  BOOST_TEST((files->open_reader(*part).status().code() == StatusCode::kNotFound));
  const std::string name = write_data(*files, "data");
  BOOST_TEST((files->write_part(name, 0, std::string_view("x")).code() == StatusCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(data_attached_by_a_row_survives_orphan_removal) {
  Backend backend;
  auto& files = backend.files;
  const std::string kept = write_data(*files, "kept");
  StoredObject object = test::make_object("org", "type", "id");
  object.data_file = kept;
  BOOST_REQUIRE(backend.store->write([&](WriteTransaction& t) { return t.put_object(object); }).is_ok());
  auto part = files->create_part(kKey, 4);
  BOOST_REQUIRE(part.is_ok());
  BOOST_REQUIRE(
      backend.store->write([&](WriteTransaction& t) {
                     return t.put_upload(UploadState{kKey, *part, 4, 0, "[]", 0});
                   })
          .is_ok());
  auto zero_grace = backend.open(0s);
  BOOST_REQUIRE(zero_grace->remove_orphans(*backend.store).is_ok());
  BOOST_TEST(read_all(*files, kept) == "kept");
  BOOST_TEST(files->write_part(*part, 0, std::string_view("abcd")).is_ok());
}

#ifdef EDGESYNC_STORE_TEST_POSTGRES

namespace {

// Runs SQL on the test's database (to age rows as time would).
void execute(const Backend& backend, const std::string& sql) {
  pqxx::connection connection(backend.scratch.url());
  pqxx::work transaction(connection);
  transaction.exec(sql);
  transaction.commit();
}

}  // namespace

// Orphans: finished data no row names, an upload's part no row names, data still being written, data
// removed. They go only once unattached for the grace period (by the database's clock); what a row
// names stays, until the row lets go of it.
BOOST_AUTO_TEST_CASE(blob_collection_removes_unattached_blobs_after_the_grace_period) {
  Backend backend(3600s);
  auto& files = backend.files;
  const std::string orphan = write_data(*files, "orphan");
  const std::string removed = write_data(*files, "removed");
  BOOST_REQUIRE(files->remove(removed).is_ok());
  BOOST_TEST((files->open_reader(removed).status().code() == StatusCode::kNotFound));
  auto orphan_part = files->create_part(kKey, 10);
  BOOST_REQUIRE(orphan_part.is_ok());
  auto in_flight = files->create(kKey);
  BOOST_REQUIRE(in_flight.is_ok());
  BOOST_REQUIRE((*in_flight)->append(random_bytes(kMiB + 1, 10)).is_ok());  // a chunk row stored
  const std::string attached = write_data(*files, "attached");
  StoredObject object = test::make_object("org", "type", "id");
  object.data_file = attached;
  BOOST_REQUIRE(backend.store->write([&](WriteTransaction& t) { return t.put_object(object); }).is_ok());
  BOOST_TEST(backend.stored() == 5u);

  // Within the grace period: nothing goes (another instance's upload may be in flight).
  auto collected = files->remove_orphans(*backend.store);
  BOOST_REQUIRE_MESSAGE(collected.is_ok(), collected.status().message());
  BOOST_TEST(*collected == 0u);

  execute(backend, "UPDATE data_blobs SET touched_at = touched_at - interval '2 hours'");
  collected = files->remove_orphans(*backend.store);
  BOOST_REQUIRE(collected.is_ok());
  BOOST_TEST(*collected == 4u);
  BOOST_TEST(backend.stored() == 1u);
  BOOST_TEST(read_all(*files, attached) == "attached");
  BOOST_TEST((files->open_reader(orphan).status().code() == StatusCode::kNotFound));
  BOOST_TEST((files->write_part(*orphan_part, 0, std::string_view("x")).code() == StatusCode::kNotFound));
  // The writer whose blob was collected fails cleanly.
  BOOST_TEST(((*in_flight)->append(random_bytes(kMiB, 11)).code() == StatusCode::kConflict));
  BOOST_TEST(!(*in_flight)->finish().is_ok());
  {
    pqxx::connection connection(backend.scratch.url());
    pqxx::read_transaction transaction(connection);
    BOOST_TEST(transaction.exec("SELECT count(*) FROM data_chunks")[0][0].as<int>() == 1);  // "attached"'s
  }

  // The row lets go (its object deleted): the blob is detached in the same commit, collected later.
  BOOST_REQUIRE(backend.store->write([&](WriteTransaction& t) { return t.delete_object(object.key()); }).is_ok());
  BOOST_REQUIRE(files->remove(attached).is_ok());
  BOOST_TEST(*files->remove_orphans(*backend.store) == 0u);
  execute(backend, "UPDATE data_blobs SET touched_at = touched_at - interval '2 hours'");
  BOOST_TEST(*files->remove_orphans(*backend.store) == 1u);
  BOOST_TEST(backend.stored() == 0u);
}

// Replacing an object's data detaches the old blob (trigger) and attaches the new one; a removal that
// comes for data a row still names (a commit whose outcome its writer could not learn) keeps it.
BOOST_AUTO_TEST_CASE(replacing_data_moves_the_attachment_and_removal_spares_attached_data) {
  Backend backend(0s);
  auto& files = backend.files;
  const std::string first = write_data(*files, "first");
  const std::string second = write_data(*files, "second");
  StoredObject object = test::make_object("org", "type", "id");
  object.data_file = first;
  BOOST_REQUIRE(backend.store->write([&](WriteTransaction& t) { return t.put_object(object); }).is_ok());
  BOOST_REQUIRE(files->remove(first).is_ok());  // still attached: kept
  BOOST_TEST(read_all(*files, first) == "first");
  object.data_file = second;
  BOOST_REQUIRE(backend.store->write([&](WriteTransaction& t) { return t.put_object(object); }).is_ok());
  BOOST_REQUIRE(files->remove(first).is_ok());
  BOOST_TEST(*files->remove_orphans(*backend.store) == 1u);
  BOOST_TEST((files->open_reader(first).status().code() == StatusCode::kNotFound));
  BOOST_TEST(read_all(*files, second) == "second");
}

// A download that opened data before it was removed keeps reading until the data is collected, and
// then fails with an error, not a crash.
BOOST_AUTO_TEST_CASE(a_reader_outlives_removal_until_collection) {
  Backend backend(0s);
  auto& files = backend.files;
  const std::string data = random_bytes(2 * kMiB, 12);
  const std::string name = write_data(*files, data);
  auto reader = files->open_reader(name);
  BOOST_REQUIRE(reader.is_ok());
  BOOST_REQUIRE(files->remove(name).is_ok());
  BOOST_TEST((files->open_reader(name).status().code() == StatusCode::kNotFound));
  std::string buffer(100, '\0');
  BOOST_TEST(*(*reader)->read_at(kMiB, buffer) == 100u);
  BOOST_TEST(buffer == data.substr(kMiB, 100));
  BOOST_TEST(*files->remove_orphans(*backend.store) == 1u);
  auto after = (*reader)->read_at(0, buffer);  // a chunk it had not read yet
  BOOST_TEST((after.status().code() == StatusCode::kIoError));
}

// Several instances collecting at once share the work: each orphan is removed once, none twice.
BOOST_AUTO_TEST_CASE(instances_collecting_at_once_remove_each_orphan_once) {
  Backend backend(0s);
  for (int i = 0; i < 100; ++i) write_data(*backend.files, "orphan " + std::to_string(i));
  std::vector<std::unique_ptr<DataFiles>> instances;
  for (int i = 0; i < 4; ++i) instances.push_back(backend.open(0s));
  std::vector<size_t> removed(instances.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < instances.size(); ++i) {
    threads.emplace_back([&, i] {
      auto collected = instances[i]->remove_orphans(*backend.store);
      removed[i] = collected.is_ok() ? *collected : 1000;
    });
  }
  for (auto& thread : threads) thread.join();
  size_t total = 0;
  for (size_t count : removed) total += count;
  BOOST_TEST(total == 100u);
  BOOST_TEST(backend.stored() == 0u);
}

// The server stopped under open blob operations (a restart, a failover): they answer kUnavailable, a
// writer in progress fails cleanly, and everything works again once the server is back, with the data
// finished before the stop all there.
BOOST_AUTO_TEST_CASE(blob_operations_answer_unavailable_while_the_server_is_down) {
  Backend backend;
  auto& files = backend.files;
  const std::string data = random_bytes(2 * kMiB + 3, 13);
  const std::string name = write_data(*files, data);
  auto part = files->create_part(kKey, 10);
  BOOST_REQUIRE(part.is_ok());
  auto writer = files->create(kKey);
  BOOST_REQUIRE(writer.is_ok());
  BOOST_REQUIRE(test::shared_cluster().stop().is_ok());
  BOOST_TEST((files->open_reader(name).status().code() == StatusCode::kUnavailable));
  BOOST_TEST((files->write_part(*part, 0, std::string_view("abc")).code() == StatusCode::kUnavailable));
  BOOST_TEST(((*writer)->append(random_bytes(kMiB, 14)).code() == StatusCode::kUnavailable));
  BOOST_TEST((files->remove_orphans(*backend.store).status().code() == StatusCode::kUnavailable));
  BOOST_TEST((files->create(kKey).status().code() == StatusCode::kUnavailable));
  BOOST_REQUIRE_MESSAGE(test::shared_cluster().start().is_ok(), test::shared_cluster().log_tail());
  BOOST_TEST(read_all(*files, name) == data);
  BOOST_TEST(files->write_part(*part, 0, std::string_view("abc")).is_ok());
  BOOST_TEST(!(*writer)->finish().is_ok());  // it failed before: it stays failed
}

// A blob whose chunk rows are gone (damage; a collection racing a read) answers a read with an error.
// A chunk gone in the middle of a download (removed data collected early): the read that needs it
// fails cleanly, the bytes before it were right.
BOOST_AUTO_TEST_CASE(a_chunk_missing_ahead_of_a_download_fails_that_read_only) {
  Backend backend;
  auto& files = backend.files;
  const std::string data = random_bytes(3 * kMiB, 10);
  const std::string name = write_data(*files, data);
  auto reader = files->open_reader(name);
  BOOST_REQUIRE(reader.is_ok());
  std::string piece(256 * 1024, '\0');
  BOOST_REQUIRE((*reader)->read_at(0, piece).is_ok());
  BOOST_REQUIRE((*reader)->read_at(piece.size(), piece).is_ok());
  execute(backend, "DELETE FROM data_chunks WHERE chunk_no = 2");
  for (uint64_t offset = 2 * piece.size(); offset < 2 * kMiB; offset += piece.size()) {
    auto got = (*reader)->read_at(offset, piece);
    BOOST_REQUIRE_MESSAGE(got.is_ok(), got.status().message());
    BOOST_TEST((piece == data.substr(offset, piece.size())));
  }
  BOOST_TEST(((*reader)->read_at(2 * kMiB, piece).status().code() == StatusCode::kIoError));
}

BOOST_AUTO_TEST_CASE(a_blob_missing_its_chunks_fails_reads_cleanly) {
  Backend backend;
  auto& files = backend.files;
  const std::string name = write_data(*files, "x");
  execute(backend, "DELETE FROM data_chunks");
  auto reader = files->open_reader(name);
  BOOST_REQUIRE(reader.is_ok());
  std::string buffer(1, '\0');
  BOOST_TEST(((*reader)->read_at(0, buffer).status().code() == StatusCode::kIoError));
}

#endif
