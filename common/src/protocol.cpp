// Envelope codec and strict JSON field access.
#include "tern/common/protocol.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "tern/common/bytes.h"

namespace tern {
namespace {
constexpr uint32_t kEnvelopeMagic = 0x4D4E5254;  // "TRNM"
constexpr uint8_t kEnvelopeVersion = 2;          // 2: the origin's signature follows the id
}  // namespace

Topics::Parts Topics::Parse(std::string_view topic) const {
  Parts out;
  if (topic.size() <= p_.size() + 1 || topic.compare(0, p_.size(), p_) != 0 ||
      topic[p_.size()] != '/') {
    return out;
  }
  std::vector<std::string_view> seg;
  std::string_view rest = topic.substr(p_.size() + 1);
  while (true) {
    size_t slash = rest.find('/');
    seg.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  out.kind = std::string(seg[0]);
  const std::string& k = out.kind;
  if ((k == "up" || k == "hb" || k == "stored" || k == "reg") && seg.size() == 2) {
    out.from = std::string(seg[1]);
  } else if (k == "reg" && seg.size() == 3 && seg[2] == "reply") {
    out.to = std::string(seg[1]);
    out.reply = true;
  } else if ((k == "put" || k == "peer") && seg.size() == 3) {
    out.from = std::string(seg[1]);
    out.to = std::string(seg[2]);
  } else if (k == "down" && seg.size() == 2) {
    out.to = std::string(seg[1]);
  } else if (!(k == "members" && seg.size() == 1) && k != "x") {
    out.kind.clear();  // not a topic of ours
  }
  return out;
}

std::string EncodeEnvelope(EnvelopeType type, uint32_t sender, uint64_t request, const ChunkId& id,
                           std::string_view sig, std::string_view chunk) {
  std::string out;
  out.reserve(chunk.size() + 18 + 32 + kEnvelopeSigBytes);
  ByteWriter w(&out);
  w.U32(kEnvelopeMagic);
  w.U8(kEnvelopeVersion);
  w.U8(static_cast<uint8_t>(type));
  w.U32(sender);
  w.U64(request);
  w.Bytes(id);
  if (sig.size() == kEnvelopeSigBytes) {
    w.Bytes(sig);
  } else {
    out.append(kEnvelopeSigBytes, '\0');
  }
  w.Bytes(chunk);
  return out;
}

Result<Envelope> DecodeEnvelope(std::string_view msg) {
  ByteReader r(msg);
  uint32_t magic = 0;
  uint8_t version = 0, type = 0;
  Envelope e;
  if (!r.U32(&magic) || magic != kEnvelopeMagic) return Status::Corruption("envelope: bad magic");
  if (!r.U8(&version)) return Status::Corruption("envelope: truncated");
  if (version != kEnvelopeVersion) {
    return Status::Corruption("envelope: unsupported version " + std::to_string(version));
  }
  if (!r.U8(&type) || !r.U32(&e.sender) || !r.U64(&e.request)) {
    return Status::Corruption("envelope: truncated");
  }
  if (type < 1 || type > 3)
    return Status::Corruption("envelope: unknown type " + std::to_string(type));
  e.type = static_cast<EnvelopeType>(type);
  if (!r.View(32, &e.id)) return Status::Corruption("envelope: truncated chunk id");
  if (!r.View(kEnvelopeSigBytes, &e.sig))
    return Status::Corruption("envelope: truncated signature");
  if (r.remaining() == 0) return Status::Corruption("envelope: no chunk");
  (void)r.View(r.remaining(), &e.chunk);  // cannot fail: exactly the bytes remaining
  if (ChunkIdOf(e.chunk) != e.id) {
    return Status::Corruption("envelope: chunk bytes do not hash to the claimed id " +
                              ToHex(e.id).substr(0, 16));
  }
  return e;
}

Result<nlohmann::json> ParseJsonBounded(std::string_view text, size_t max_bytes, int max_depth) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument("control message of " + std::to_string(text.size()) +
                                   " bytes exceeds " + std::to_string(max_bytes));
  }
  // Nesting outside strings; escapes inside strings are skipped so "\"" cannot hide a bracket.
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument("control message nests deeper than " +
                                       std::to_string(max_depth) + " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return Status::InvalidArgument("control message is not valid JSON");
  return j;
}

Result<nlohmann::json> ParseControl(std::string_view msg) {
  TERN_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonBounded(msg));
  if (!j.is_object()) return Status::InvalidArgument("control message is not a JSON object");
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_integer()) {
    return Status::InvalidArgument("control message has no integer 'v'");
  }
  if (v->get<int64_t>() != kProtocolVersion) {
    return Status::InvalidArgument("control message version " + v->dump() + " unsupported (" +
                                   std::to_string(kProtocolVersion) + ")");
  }
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) {
    return Status::InvalidArgument("control message has no string 'type'");
  }
  return j;
}

Result<uint64_t> FieldU64(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return Status::InvalidArgument(std::string("field '") + name + "' missing");
  if (!it->is_number_unsigned()) {
    if (it->is_number_integer() && it->get<int64_t>() >= 0) return it->get<uint64_t>();
    return Status::InvalidArgument(std::string("field '") + name +
                                   "' is not a non-negative integer");
  }
  return it->get<uint64_t>();
}

Result<int64_t> FieldI64(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return Status::InvalidArgument(std::string("field '") + name + "' missing");
  if (it->is_number_unsigned()) {
    if (it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return Status::InvalidArgument(std::string("field '") + name + "' is out of range");
    }
    return static_cast<int64_t>(it->get<uint64_t>());
  }
  if (!it->is_number_integer()) {
    return Status::InvalidArgument(std::string("field '") + name + "' is not an integer");
  }
  return it->get<int64_t>();
}

Result<double> FieldDouble(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return Status::InvalidArgument(std::string("field '") + name + "' missing");
  if (!it->is_number())
    return Status::InvalidArgument(std::string("field '") + name + "' is not a number");
  double d = it->get<double>();
  if (!std::isfinite(d)) {
    return Status::InvalidArgument(std::string("field '") + name + "' is not finite");
  }
  return d;
}

Result<uint32_t> FieldAddr(const nlohmann::json& j, const char* name) {
  TERN_ASSIGN_OR_RETURN(uint64_t a, FieldU64(j, name));
  if (a == 0 || a > 0xFFFFFFFFu) {
    return Status::InvalidArgument(std::string("field '") + name + "' is not a node address");
  }
  return static_cast<uint32_t>(a);
}

Result<uint64_t> OptU64(const nlohmann::json& j, const char* name, uint64_t def) {
  return j.contains(name) ? FieldU64(j, name) : Result<uint64_t>(def);
}
Result<int64_t> OptI64(const nlohmann::json& j, const char* name, int64_t def) {
  return j.contains(name) ? FieldI64(j, name) : Result<int64_t>(def);
}
Result<double> OptDouble(const nlohmann::json& j, const char* name, double def) {
  return j.contains(name) ? FieldDouble(j, name) : Result<double>(def);
}
Result<std::string> OptString(const nlohmann::json& j, const char* name, std::string def,
                              size_t max_len) {
  return j.contains(name) ? FieldString(j, name, max_len) : Result<std::string>(std::move(def));
}

Result<std::string> FieldString(const nlohmann::json& j, const char* name, size_t max_len) {
  auto it = j.find(name);
  if (it == j.end()) return Status::InvalidArgument(std::string("field '") + name + "' missing");
  if (!it->is_string())
    return Status::InvalidArgument(std::string("field '") + name + "' is not a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_len)
    return Status::InvalidArgument(std::string("field '") + name + "' longer than " +
                                   std::to_string(max_len));
  return s;
}

Result<ChunkId> FieldChunkId(const nlohmann::json& j, const char* name) {
  TERN_ASSIGN_OR_RETURN(std::string hex, FieldString(j, name, 64));
  if (hex.size() != 64)
    return Status::InvalidArgument(std::string("field '") + name + "' is not a 64-digit chunk id");
  auto r = FromHex(hex);
  if (!r.ok())
    return Status::InvalidArgument(std::string("field '") + name + "': " + r.status().message());
  return std::move(r).value();
}

nlohmann::json Control(const char* type) {
  return nlohmann::json{{"v", kProtocolVersion}, {"type", type}};
}

nlohmann::json ToJson(const StoredNotice& n) {
  auto j = Control("stored");
  j["id"] = ToHex(n.id);
  j["holder"] = n.holder;
  j["origin"] = n.origin;
  j["source"] = n.source;
  j["seq"] = n.seq;
  j["t_first"] = n.t_first;
  j["t_last"] = n.t_last;
  j["records"] = n.records;
  j["bytes"] = n.bytes;
  j["priority"] = n.priority;
  j["kind"] = n.kind;
  return j;
}

Result<StoredNotice> StoredFromJson(const nlohmann::json& j) {
  StoredNotice n;
  TERN_ASSIGN_OR_RETURN(n.id, FieldChunkId(j, "id"));
  TERN_ASSIGN_OR_RETURN(uint64_t holder, FieldU64(j, "holder"));
  TERN_ASSIGN_OR_RETURN(uint64_t origin, FieldU64(j, "origin"));
  TERN_ASSIGN_OR_RETURN(n.source, FieldString(j, "source", 128));
  TERN_ASSIGN_OR_RETURN(n.seq, FieldU64(j, "seq"));
  TERN_ASSIGN_OR_RETURN(n.t_first, FieldU64(j, "t_first"));
  TERN_ASSIGN_OR_RETURN(n.t_last, FieldU64(j, "t_last"));
  TERN_ASSIGN_OR_RETURN(uint64_t records, FieldU64(j, "records"));
  TERN_ASSIGN_OR_RETURN(n.bytes, FieldU64(j, "bytes"));
  TERN_ASSIGN_OR_RETURN(uint64_t prio, FieldU64(j, "priority"));
  TERN_ASSIGN_OR_RETURN(uint64_t kind, FieldU64(j, "kind"));
  if (holder == 0 || holder > 0xFFFFFFFFu || origin == 0 || origin > 0xFFFFFFFFu) {
    return Status::InvalidArgument("field 'holder'/'origin' is not a node address");
  }
  if (prio >= kNumPriorities || kind > 3 || records > 0xFFFFFFFFu) {
    return Status::InvalidArgument("field 'priority', 'kind' or 'records' out of range");
  }
  n.holder = static_cast<uint32_t>(holder);
  n.origin = static_cast<uint32_t>(origin);
  n.records = static_cast<uint32_t>(records);
  n.priority = static_cast<int>(prio);
  n.kind = static_cast<int>(kind);
  return n;
}

StoredNotice NoticeFor(const ChunkId& id, uint32_t holder, const ChunkHeader& h, size_t bytes) {
  StoredNotice n;
  n.id = id;
  n.holder = holder;
  n.origin = h.origin;
  n.source = h.source;
  n.seq = h.seq;
  n.t_first = h.t_first;
  n.t_last = h.t_last;
  n.records = h.record_count;
  n.bytes = bytes;
  n.priority = static_cast<int>(h.priority);
  n.kind = static_cast<int>(h.kind);
  return n;
}

}  // namespace tern
