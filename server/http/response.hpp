// Response: what a handler answers, without Beast.
//
// Small bodies are a string. Large bodies (object data) are pulled by the session from a BodySource in
// bounded pieces, so a 10 GiB object never sits in memory. The session adds the headers every MMS
// response carries (Cache-Control, Pragma, Strict-Transport-Security) and Content-Length.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.hpp"

namespace edgesync::http {

// Pulls the next bytes of a streamed body into buffer; returns how many (0 only at the end).
using BodySource = std::function<Result<size_t>(std::span<char> buffer)>;

// The same bytes as a range of an open file, which a plain socket sends with sendfile(2): straight from
// the page cache, without the copy through the source's buffer. The descriptor must stay open as long as
// the Response lives (the source's captures usually own it).
struct FileRange {
  int fd = -1;
  uint64_t offset = 0;
};

struct StreamedBody {
  uint64_t length = 0;  // exact number of bytes the source will produce
  BodySource source;    // always set: TLS connections (and any stream without a file) pull from it
  std::optional<FileRange> file;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<StreamedBody> stream;  // when set, body is ignored

  Response& set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }

  static Response empty(int status) { return Response{status, {}, {}, std::nullopt}; }
  static Response text(int status, std::string text, std::string content_type = "text/plain; charset=utf-8") {
    Response response{status, {}, std::move(text), std::nullopt};
    response.set_header("Content-Type", std::move(content_type));
    return response;
  }
  static Response json(int status, std::string json_text) {
    return text(status, std::move(json_text), "application/json");
  }
};

}  // namespace edgesync::http
