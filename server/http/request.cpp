// The path and query helpers of Request: plain string work, no Beast, no allocation beyond results.
#include "server/http/request.hpp"

namespace edgesync::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query components use form encoding: '+' is a space. A malformed escape is kept raw, so that the
// handler's validation refuses the value with its own text rather than treating it as absent.
std::string decode_query_component(std::string_view text) {
  std::string spaced(text);
  for (char& c : spaced) {
    if (c == '+') c = ' ';
  }
  auto decoded = percent_decode(spaced);
  return decoded ? std::move(*decoded) : spaced;
}

// A target in absolute form ("http://host/path?query", sent to proxies) → its path and query.
std::string_view origin_form(std::string_view target) {
  const size_t scheme_end = target.find("://");
  if (target.empty() || target.front() == '/' || scheme_end == std::string_view::npos) return target;
  const size_t path_start = target.find_first_of("/?", scheme_end + 3);
  return path_start == std::string_view::npos ? std::string_view() : target.substr(path_start);
}

}  // namespace

std::string_view Request::path() const {
  const std::string_view whole = origin_form(target());
  return whole.substr(0, whole.find('?'));
}

std::string_view Request::query() const {
  const std::string_view whole = origin_form(target());
  const size_t mark = whole.find('?');
  return mark == std::string_view::npos ? std::string_view() : whole.substr(mark + 1);
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query();
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    const std::string_view key = pair.substr(0, equals);
    // Most keys carry no escapes: compare raw first, decode only when needed.
    const bool encoded_key = key.find_first_of("%+") != std::string_view::npos;
    if (encoded_key ? decode_query_component(key) != name : key != name) continue;
    return decode_query_component(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return segments;
  while (true) {
    const size_t slash = path.find('/');
    const std::string_view raw = path.substr(0, slash);
    // Decoded after splitting, so "%2F" stays inside its segment. A malformed escape is kept raw,
    // so that name validation refuses it with its text.
    auto decoded = percent_decode(raw);
    segments.push_back(decoded ? std::move(*decoded) : std::string(raw));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

}  // namespace edgesync::http
