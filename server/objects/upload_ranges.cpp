#include "server/objects/upload_ranges.hpp"
#include "common/json_text.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace edgesync {

Result<ReceivedRanges> add_received_range(std::string_view ranges_json, ByteRange range) {
  auto parsed = nlohmann::json::parse(ranges_json.empty() ? std::string_view("[]") : ranges_json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array()) return Status::internal("corrupt upload range record");
  std::vector<ByteRange> ranges;
  for (const auto& entry : parsed) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_number_unsigned() || !entry[1].is_number_unsigned())
      return Status::internal("corrupt upload range record");
    ranges.push_back({entry[0].get<uint64_t>(), entry[1].get<uint64_t>()});
  }
  ranges.push_back(range);
  std::sort(ranges.begin(), ranges.end(), [](const ByteRange& a, const ByteRange& b) { return a.first < b.first; });

  std::vector<ByteRange> merged;
  for (const auto& next : ranges) {
    if (!merged.empty() && next.first <= merged.back().last + 1) {
      merged.back().last = std::max(merged.back().last, next.last);
    } else {
      merged.push_back(next);
    }
  }
  ReceivedRanges result;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& piece : merged) {
    out.push_back({piece.first, piece.last});
    result.received_bytes += piece.length();
  }
  result.ranges_json = json_text(out);
  return result;
}

}  // namespace edgesync
