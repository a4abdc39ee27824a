// metadata_to_text: ObjectMetadata written straight to JSON text, byte for byte what
// json_text(metadata_to_json(...)) gives (keys in std::map order, MMS's 2-space indentation, invalid UTF-8
// replaced), without building the JSON DOM first. A GET of metadata spent 30 % of its CPU building
// and dumping that DOM (tests/bench/RESULTS.md); metadata_codec_test proves the two forms equal.
#include <algorithm>
#include <array>
#include <functional>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/json_text.hpp"
#include "common/metadata_codec.hpp"

namespace edgesync {

namespace {

class TextWriter {
 public:
  TextWriter(std::string& out, bool pretty) : out_(out), pretty_(pretty) {}

  void begin(char bracket) {
    out_ += bracket;
    ++depth_;
    first_ = true;
  }
  void end(char bracket) {
    --depth_;
    if (!first_) newline();  // an empty object or array stays "{}" / "[]"
    out_ += bracket;
    first_ = false;
  }
  // Before each member of an object (with its key) or each element of an array (key empty).
  void next(std::string_view key = {}) {
    if (!first_) out_ += ',';
    first_ = false;
    newline();
    if (key.empty()) return;
    string(key);
    out_ += pretty_ ? ": " : ":";
  }

  void string(std::string_view text) {
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
      return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f && c != '"' && c != '\\';
    });
    if (plain) {
      out_ += '"';
      out_ += text;
      out_ += '"';
    } else {  // escapes and UTF-8 repair exactly as the library does them
      out_ += json_text(nlohmann::json(std::string(text)));
    }
  }
  void integer(int64_t value) { out_ += std::to_string(value); }
  void boolean(bool value) { out_ += value ? "true" : "false"; }
  void null() { out_ += "null"; }
  // A JSON value already parsed (the destination policy), indented to where it is written.
  void value(const nlohmann::json& value) {
    std::string text = json_text(value, pretty_ ? 2 : -1);
    if (pretty_) {
      const std::string indent = "\n" + std::string(2 * depth_, ' ');
      for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + indent.size()))
        text.replace(at, 1, indent);
    }
    out_ += text;
  }

 private:
  void newline() {
    if (!pretty_) return;
    out_ += '\n';
    out_.append(2 * depth_, ' ');
  }

  std::string& out_;
  const bool pretty_;
  int depth_ = 0;
  bool first_ = true;
};

using FieldWriter = void (*)(TextWriter&, const ObjectMetadata&);
struct Field {
  std::string_view key;
  FieldWriter write;
};

void write_owner_references(TextWriter& out, const ObjectMetadata& meta) {
  out.begin('[');
  for (const auto& owner : meta.owner_references) {
    out.next();
    out.begin('{');
    out.next("objectID"), out.string(owner.object_id);
    out.next("objectType"), out.string(owner.object_type);
    out.next("unsetOnDelete"), out.boolean(owner.unset_on_delete);
    out.end('}');
  }
  out.end(']');
}

void write_destinations_list(TextWriter& out, const ObjectMetadata& meta) {
  if (!meta.destinations_list) return out.null();
  out.begin('[');
  for (const auto& destination : *meta.destinations_list) {
    out.next();
    out.string(destination);
  }
  out.end(']');
}

void write_destination_policy(TextWriter& out, const ObjectMetadata& meta) {
  if (!meta.destination_policy_json) return out.null();
  auto policy = nlohmann::json::parse(*meta.destination_policy_json, nullptr, false);
  if (policy.is_discarded()) return out.null();
  out.value(policy);
}

// Every field, in the order nlohmann::json's std::map keeps keys (sorted once, below).
std::array<Field, 34> fields_in_key_order() {
  std::array<Field, 34> fields = {{
      {"objectID", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.object_id); }},
      {"objectType", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.object_type); }},
      {"destinationOrgID", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.destination_org_id); }},
      {"destinationID", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.destination_id); }},
      {"destinationType", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.destination_type); }},
      {"destinationsList", write_destinations_list},
      {"destinationPolicy", write_destination_policy},
      {"expiration", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.expiration); }},
      {"version", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.version); }},
      {"description", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.description); }},
      {"link", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.link); }},
      {"inactive", [](TextWriter& o, const ObjectMetadata& m) { o.boolean(m.inactive); }},
      {"activationTime", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.activation_time); }},
      {"doNotSend", [](TextWriter& o, const ObjectMetadata& m) { o.boolean(m.do_not_send); }},
      {"noData", [](TextWriter& o, const ObjectMetadata& m) { o.boolean(m.no_data); }},
      {"metaOnly", [](TextWriter& o, const ObjectMetadata& m) { o.boolean(m.meta_only); }},
      {"destinationDataUri", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.destination_data_uri); }},
      {"sourceDataUri", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.source_data_uri); }},
      {"consumers", [](TextWriter& o, const ObjectMetadata& m) { o.integer(m.consumers); }},
      {"autodelete", [](TextWriter& o, const ObjectMetadata& m) { o.boolean(m.autodelete); }},
      {"originID", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.origin_id); }},
      {"originType", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.origin_type); }},
      {"deleted", [](TextWriter& o, const ObjectMetadata& m) { o.boolean(m.deleted); }},
      {"instanceID", [](TextWriter& o, const ObjectMetadata& m) { o.integer(m.instance_id); }},
      {"dataID", [](TextWriter& o, const ObjectMetadata& m) { o.integer(m.data_id); }},
      {"objectSize", [](TextWriter& o, const ObjectMetadata& m) { o.integer(m.object_size); }},
      {"chunkSize", [](TextWriter& o, const ObjectMetadata& m) { o.integer(m.chunk_size); }},
      {"uploadChunkSize", [](TextWriter& o, const ObjectMetadata& m) { o.integer(m.upload_chunk_size); }},
      {"hashAlgorithm", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.hash_algorithm); }},
      {"publicKey", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.public_key); }},
      {"signature", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.signature); }},
      {"public", [](TextWriter& o, const ObjectMetadata& m) { o.boolean(m.is_public); }},
      {"ownerID", [](TextWriter& o, const ObjectMetadata& m) { o.string(m.owner_id); }},
      {"ownerReferences", write_owner_references},
  }};
  std::sort(fields.begin(), fields.end(), [](const Field& a, const Field& b) { return a.key < b.key; });
  return fields;
}

}  // namespace

std::string metadata_to_text(const ObjectMetadata& metadata, bool pretty) {
  static const std::array<Field, 34> kFields = fields_in_key_order();
  std::string text;
  text.reserve(pretty ? 1024 : 768);
  TextWriter out(text, pretty);
  out.begin('{');
  for (const Field& field : kFields) {
    out.next(field.key);
    field.write(out, metadata);
  }
  out.end('}');
  return text;
}

}  // namespace edgesync
