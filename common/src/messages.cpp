// Encode/Decode of the typed control messages. Decoders read only through the
// non-throwing field readers of protocol.h and check every range they rely on.
#include "tern/common/messages.h"

#include "tern/common/bytes.h"

namespace tern::msg {
namespace {

Status Bad(const char* type, const std::string& why) {
  return Status::InvalidArgument(std::string(type) + ": " + why);
}

// Adds the message type to a field reader's error.
template <typename T>
Result<T> In(const char* type, Result<T> r) {
  if (!r.ok()) return r.status().WithContext(type);
  return r;
}

Result<std::vector<uint32_t>> AddrList(const nlohmann::json& j, const char* name, size_t max) {
  auto it = j.find(name);
  if (it == j.end()) return Status::InvalidArgument(std::string("field '") + name + "' missing");
  if (!it->is_array())
    return Status::InvalidArgument(std::string("field '") + name + "' is not an array");
  if (it->size() > max)
    return Status::InvalidArgument(std::string("field '") + name + "' has more than " +
                                   std::to_string(max) + " entries");
  std::vector<uint32_t> out;
  for (const auto& e : *it) {
    if (!e.is_number_unsigned() || e.get<uint64_t>() == 0 || e.get<uint64_t>() > 0xFFFFFFFFu) {
      return Status::InvalidArgument(std::string("field '") + name +
                                     "' has an entry that is not a node address");
    }
    out.push_back(static_cast<uint32_t>(e.get<uint64_t>()));
  }
  return out;
}

}  // namespace

#define TERN_FIELD(lhs, expr) TERN_ASSIGN_OR_RETURN(lhs, In(kType, expr))

bool ValidZone(std::string_view zone) {
  if (zone.size() > kMaxZone) return false;
  for (char c : zone) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status CheckZoneKey(const std::string& value) {
  if (ValidZone(value)) return Status::Ok();
  return Status::InvalidArgument("config key 'node.zone': '" + value +
                                 "' is not a zone label (up to " + std::to_string(kMaxZone) +
                                 " of A-Z a-z 0-9 . _ -)");
}

// ---------------------------------------------------------------- registration

std::string Register::Encode() const {
  auto j = Control(kType);
  j["name"] = name;
  j["capacity"] = capacity;
  if (!node_id.empty()) j["node_id"] = node_id;
  if (!nonce.empty()) j["nonce"] = nonce;
  if (will_seq != 0) j["will_seq"] = will_seq;
  if (!cert.empty()) j["cert"] = cert;
  return j.dump();
}

Result<Register> Register::Decode(const nlohmann::json& j) {
  Register m;
  TERN_FIELD(m.name, FieldString(j, "name", kMaxName));
  // "store_path" (sent by edges before the store protocol) is ignored, whatever its value.
  TERN_FIELD(m.capacity, OptI64(j, "capacity", 0));
  TERN_FIELD(m.node_id, OptString(j, "node_id", "", kMaxName));
  TERN_FIELD(m.nonce, OptString(j, "nonce", "", kMaxName));
  TERN_FIELD(m.will_seq, OptU64(j, "will_seq", 0));
  TERN_FIELD(m.cert, OptString(j, "cert", "", kMaxCertPem));
  if (m.capacity < 0) return Bad(kType, "field 'capacity' is negative");
  return m;
}

nlohmann::json SettingsBody::ToJson() const {
  return {{"name", name},
          {"priority", priority},
          {"weight", weight},
          {"kinds", kinds},
          {"max_bytes_per_s", max_bytes_per_s},
          {"protocol", protocol}};
}

Result<SettingsBody> SettingsBody::Decode(const nlohmann::json& j) {
  static constexpr const char* kType = "settings";
  if (!j.is_object()) return Bad(kType, "settings are not an object");
  SettingsBody s;
  TERN_FIELD(s.name, OptString(j, "name", "", kMaxName));
  TERN_FIELD(s.priority, OptString(j, "priority", "keep", 16));
  TERN_FIELD(s.weight, OptI64(j, "weight", 1));
  TERN_FIELD(s.kinds, OptString(j, "kinds", "samples,blob,event", 256));
  TERN_FIELD(s.max_bytes_per_s, OptI64(j, "max_bytes_per_s", 0));
  TERN_FIELD(s.protocol, OptI64(j, "protocol", kProtocolVersion));
  if (s.weight < 1 || s.weight > 1000) return Bad(kType, "field 'weight' is not 1..1000");
  if (s.max_bytes_per_s < 0) return Bad(kType, "field 'max_bytes_per_s' is negative");
  if (s.protocol < 1) return Bad(kType, "field 'protocol' is not a protocol version");
  return s;
}

std::string Registered::Encode() const {
  auto j = Control(kType);
  j["name"] = name;
  j["addr"] = addr;
  j["protocol"] = protocol;
  if (settings) j["settings"] = settings->ToJson();
  if (!nonce.empty()) j["nonce"] = nonce;
  if (!core_cert.empty()) j["core_cert"] = core_cert;
  if (!seq_floors.empty()) {
    j["seq_floors"] = nlohmann::json::array();
    for (const auto& f : seq_floors) {
      j["seq_floors"].push_back(
          {{"source", f.source}, {"next_chunk", f.next_chunk}, {"next_record", f.next_record}});
    }
  }
  return j.dump();
}

Result<Registered> Registered::Decode(const nlohmann::json& j) {
  Registered m;
  TERN_FIELD(m.name, FieldString(j, "name", kMaxName));
  TERN_FIELD(m.addr, FieldAddr(j, "addr"));
  TERN_FIELD(m.protocol, OptI64(j, "protocol", kProtocolVersion));
  if (m.protocol < 1) return Bad(kType, "field 'protocol' is not a protocol version");
  if (j.contains("settings")) {
    TERN_FIELD(m.settings, SettingsBody::Decode(j["settings"]));
  }
  TERN_FIELD(m.nonce, OptString(j, "nonce", "", kMaxName));
  TERN_FIELD(m.core_cert, OptString(j, "core_cert", "", kMaxCertPem));
  if (auto it = j.find("seq_floors"); it != j.end()) {
    if (!it->is_array()) return Bad(kType, "field 'seq_floors' is not an array");
    if (it->size() > kMaxSeqFloors) return Bad(kType, "field 'seq_floors' has too many entries");
    for (const auto& e : *it) {
      if (!e.is_object()) return Bad(kType, "a seq_floors entry is not an object");
      SeqFloor f;
      TERN_FIELD(f.source, FieldString(e, "source", kMaxSourceName));
      TERN_FIELD(f.next_chunk, FieldU64(e, "next_chunk"));
      TERN_FIELD(f.next_record, FieldU64(e, "next_record"));
      m.seq_floors.push_back(std::move(f));
    }
  }
  return m;
}

std::string RegistrationRefused::Encode() const {
  auto j = Control(kType);
  j["reason"] = reason;
  if (!nonce.empty()) j["nonce"] = nonce;
  if (!core_cert.empty()) j["core_cert"] = core_cert;
  return j.dump();
}

Result<RegistrationRefused> RegistrationRefused::Decode(const nlohmann::json& j) {
  RegistrationRefused m;
  TERN_FIELD(m.reason, OptString(j, "reason", "no reason given", kMaxReason));
  TERN_FIELD(m.nonce, OptString(j, "nonce", "", kMaxName));
  TERN_FIELD(m.core_cert, OptString(j, "core_cert", "", kMaxCertPem));
  return m;
}

// ---------------------------------------------------------------- liveness

namespace {
// The optional "pressure" field: a level number 0..kMaxPressure, normal when absent.
Result<Pressure> PressureField(const nlohmann::json& j) {
  TERN_ASSIGN_OR_RETURN(int64_t n, OptI64(j, "pressure", 0));
  auto p = PressureOf(n);
  if (!p) {
    return Status::InvalidArgument("field 'pressure' is not a level 0.." +
                                   std::to_string(kMaxPressure));
  }
  return *p;
}
}  // namespace

std::string Heartbeat::Encode() const {
  auto j = Control(kType);
  j["addr"] = addr;
  j["name"] = name;
  j["cpu"] = cpu;
  j["used"] = used;
  j["capacity"] = capacity;
  j["queue"] = queue;
  j["outbox_bytes"] = outbox_bytes;
  j["disk_full"] = disk_full;
  if (pressure != Pressure::kNormal) j["pressure"] = static_cast<int>(pressure);
  j["counters"] = counters;
  if (wall_ms != 0) j["wall_ms"] = wall_ms;
  if (placement_window_ms != 0) j["placement_window_ms"] = placement_window_ms;
  if (!groups.empty()) j["groups"] = groups;
  if (dedup_saved >= 0) j["dedup_saved"] = dedup_saved;
  if (!zone.empty()) j["zone"] = zone;
  return j.dump();
}

Result<Heartbeat> Heartbeat::Decode(const nlohmann::json& j) {
  Heartbeat m;
  TERN_FIELD(m.addr, FieldAddr(j, "addr"));
  TERN_FIELD(m.name, OptString(j, "name", "", kMaxName));
  TERN_FIELD(m.cpu, OptDouble(j, "cpu", 0.5));
  TERN_FIELD(m.used, OptI64(j, "used", 0));
  TERN_FIELD(m.capacity, OptI64(j, "capacity", 0));
  TERN_FIELD(m.queue, OptI64(j, "queue", 0));
  TERN_FIELD(m.outbox_bytes, OptI64(j, "outbox_bytes", 0));
  TERN_FIELD(m.wall_ms, OptU64(j, "wall_ms", 0));
  TERN_FIELD(m.placement_window_ms, OptU64(j, "placement_window_ms", 0));
  if (auto g = j.find("groups"); g != j.end()) {
    if (!g->is_object()) return Bad(kType, "field 'groups' is not an object");
    if (g->size() > kMaxGroups) return Bad(kType, "field 'groups' has too many entries");
    for (const auto& [source, group] : g->items()) {
      if (source.empty() || source.size() > 128)
        return Bad(kType, "a group's source is not 1..128 bytes");
      if (!group.is_string() || group.get<std::string>().empty() ||
          group.get<std::string>().size() > 128) {
        return Bad(kType, "the group of source '" + source + "' is not a string of 1..128 bytes");
      }
      m.groups[source] = group.get<std::string>();
    }
  }
  TERN_FIELD(m.dedup_saved, OptI64(j, "dedup_saved", -1));
  if (j.contains("dedup_saved") && m.dedup_saved < 0) {
    return Bad(kType, "field 'dedup_saved' is negative");
  }
  TERN_FIELD(m.zone, OptString(j, "zone", "", kMaxZone));
  if (!ValidZone(m.zone)) return Bad(kType, "field 'zone' is not a zone label ([A-Za-z0-9._-])");
  if (auto f = j.find("disk_full"); f != j.end()) {
    if (!f->is_boolean()) return Bad(kType, "field 'disk_full' is not a boolean");
    m.disk_full = f->get<bool>();
  }
  TERN_FIELD(m.pressure, PressureField(j));
  if (m.cpu < 0 || m.cpu > 1) return Bad(kType, "field 'cpu' is not 0..1");
  if (m.used < 0 || m.capacity < 0 || m.queue < 0 || m.outbox_bytes < 0) {
    return Bad(kType, "a size or count is negative");
  }
  if (auto c = j.find("counters"); c != j.end()) {
    if (!c->is_object()) return Bad(kType, "field 'counters' is not an object");
    if (c->size() > kMaxCounters) return Bad(kType, "field 'counters' has too many entries");
    for (const auto& [k, v] : c->items()) {
      if (k.size() > 128) return Bad(kType, "a counter name is longer than 128");
      if (!v.is_number_integer()) return Bad(kType, "counter '" + k + "' is not an integer");
      m.counters[k] =
          v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX ? INT64_MAX : v.get<int64_t>();
    }
  }
  return m;
}

std::string Offline::Encode() const {
  auto j = Control(kType);
  j["addr"] = addr;
  return j.dump();
}

Result<Offline> Offline::Decode(const nlohmann::json& j) {
  Offline m;
  TERN_FIELD(uint64_t addr, OptU64(j, "addr", 0));  // optional: a Last Will may carry none
  if (addr > 0xFFFFFFFFu) return Bad(kType, "field 'addr' is not a node address");
  m.addr = static_cast<uint32_t>(addr);
  return m;
}

std::string Members::Encode() const {
  auto j = Control(kType);
  j["core"] = core;
  if (epoch != 0) j["epoch"] = epoch;
  if (wall_ms != 0) j["wall_ms"] = wall_ms;
  j["nodes"] = nlohmann::json::array();
  for (const auto& n : nodes) {
    nlohmann::json e = {{"addr", n.addr}, {"name", n.name}, {"state", n.state}, {"load", n.load}};
    if (!n.key.empty()) e["key"] = n.key;
    if (n.draining) e["draining"] = true;
    if (n.pressure != Pressure::kNormal) e["pressure"] = static_cast<int>(n.pressure);
    j["nodes"].push_back(std::move(e));
  }
  return j.dump();
}

Result<Members> Members::Decode(const nlohmann::json& j) {
  auto it = j.find("nodes");
  if (it == j.end() || !it->is_array()) return Bad(kType, "field 'nodes' missing or not an array");
  if (it->size() > kMaxNodes) return Bad(kType, "field 'nodes' has too many entries");
  Members m;
  TERN_FIELD(m.core, OptString(j, "core", "", kMaxName));
  TERN_FIELD(m.epoch, OptU64(j, "epoch", 0));
  TERN_FIELD(m.wall_ms, OptU64(j, "wall_ms", 0));
  for (const auto& n : *it) {
    if (!n.is_object()) return Bad(kType, "a node entry is not an object");
    MemberInfo mi;
    TERN_FIELD(mi.addr, FieldAddr(n, "addr"));
    TERN_FIELD(mi.name, OptString(n, "name", "", kMaxName));
    TERN_FIELD(mi.state, FieldString(n, "state", 16));
    TERN_FIELD(mi.load, OptDouble(n, "load", 0.5));
    if (mi.load < 0 || mi.load > 1) return Bad(kType, "field 'load' is not 0..1");
    TERN_FIELD(mi.key, OptString(n, "key", "", kKeyHexLen));
    if (!mi.key.empty() && mi.key.size() != kKeyHexLen)
      return Bad(kType, "field 'key' is not 64 hex digits");
    if (auto f = n.find("draining"); f != n.end()) {
      if (!f->is_boolean()) return Bad(kType, "field 'draining' is not a boolean");
      mi.draining = f->get<bool>();
    }
    TERN_FIELD(mi.pressure, PressureField(n));
    m.nodes.push_back(std::move(mi));
  }
  return m;
}

// ---------------------------------------------------------------- statements about stores

std::string Stored::Encode() const {
  return ToJson(static_cast<const StoredNotice&>(*this)).dump();
}

Result<Stored> Stored::Decode(const nlohmann::json& j) {
  TERN_ASSIGN_OR_RETURN(auto n, In(kType, StoredFromJson(j)));
  return Stored(n);
}

namespace {
// The shape shared by dropped, put_ack: {id, holder}.
template <typename M>
Result<M> DecodeIdHolder(const nlohmann::json& j) {
  M m;
  TERN_ASSIGN_OR_RETURN(m.id, In(M::kType, FieldChunkId(j, "id")));
  TERN_ASSIGN_OR_RETURN(m.holder, In(M::kType, FieldAddr(j, "holder")));
  return m;
}
template <typename M>
nlohmann::json EncodeIdHolder(const M& m) {
  auto j = Control(M::kType);
  j["id"] = ToHex(m.id);
  j["holder"] = m.holder;
  return j;
}
}  // namespace

std::string Dropped::Encode() const { return EncodeIdHolder(*this).dump(); }
Result<Dropped> Dropped::Decode(const nlohmann::json& j) { return DecodeIdHolder<Dropped>(j); }
std::string PutAck::Encode() const { return EncodeIdHolder(*this).dump(); }
Result<PutAck> PutAck::Decode(const nlohmann::json& j) { return DecodeIdHolder<PutAck>(j); }

std::string PutNack::Encode() const {
  auto j = EncodeIdHolder(*this);
  j["reason"] = reason;
  return j.dump();
}
Result<PutNack> PutNack::Decode(const nlohmann::json& j) {
  TERN_ASSIGN_OR_RETURN(auto m, DecodeIdHolder<PutNack>(j));
  TERN_FIELD(m.reason, OptString(j, "reason", "no reason given", kMaxReason));
  return m;
}

std::string RestateNack::Encode() const {
  auto j = EncodeIdHolder(*this);
  j["reason"] = reason;
  return j.dump();
}
Result<RestateNack> RestateNack::Decode(const nlohmann::json& j) {
  TERN_ASSIGN_OR_RETURN(auto m, DecodeIdHolder<RestateNack>(j));
  TERN_FIELD(m.reason, OptString(j, "reason", "not held", kMaxReason));
  return m;
}

// ---------------------------------------------------------------- core -> edge

std::string Ack::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["holders"] = holders;
  return j.dump();
}
Result<Ack> Ack::Decode(const nlohmann::json& j) {
  Ack m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.holders, AddrList(j, "holders", kMaxHolders));
  return m;
}

std::string Refused::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["reason"] = reason;
  if (next_chunk > 0) {
    j["seq_high"] = seq_high;
    j["next_chunk"] = next_chunk;
    j["next_record"] = next_record;
  }
  return j.dump();
}
Result<Refused> Refused::Decode(const nlohmann::json& j) {
  Refused m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.reason, OptString(j, "reason", "no reason given", kMaxReason));
  TERN_FIELD(m.seq_high, OptU64(j, "seq_high", 0));
  TERN_FIELD(m.next_chunk, OptU64(j, "next_chunk", 0));
  TERN_FIELD(m.next_record, OptU64(j, "next_record", 0));
  return m;
}

std::string Throttle::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["reason"] = reason;
  j["retry_after_ms"] = retry_after_ms;
  return j.dump();
}
Result<Throttle> Throttle::Decode(const nlohmann::json& j) {
  Throttle m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.reason, OptString(j, "reason", "", kMaxReason));
  TERN_FIELD(m.retry_after_ms, OptU64(j, "retry_after_ms", 1000));
  return m;
}

std::string ResultNote::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["processor"] = processor;
  j["origin"] = origin;
  j["origin_name"] = origin_name;
  j["source"] = source;
  j["source_chunk"] = ToHex(source_chunk);
  j["source_seq"] = source_seq;
  j["source_chunks"] = source_chunks;
  j["anomalies"] = anomalies;
  j["summary"] = summary;
  return j.dump();
}
Result<ResultNote> ResultNote::Decode(const nlohmann::json& j) {
  ResultNote m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.processor, FieldString(j, "processor", 64));
  TERN_FIELD(m.origin, FieldAddr(j, "origin"));
  TERN_FIELD(m.origin_name, OptString(j, "origin_name", "", kMaxName));
  TERN_FIELD(m.source, FieldString(j, "source", 128));
  TERN_FIELD(m.source_chunk, FieldChunkId(j, "source_chunk"));
  TERN_FIELD(m.source_seq, FieldU64(j, "source_seq"));
  TERN_FIELD(m.source_chunks, OptU64(j, "source_chunks", 1));
  TERN_FIELD(m.anomalies, FieldI64(j, "anomalies"));
  if (m.anomalies < 0) return Bad(kType, "field 'anomalies' is negative");
  auto s = j.find("summary");
  if (s == j.end() || !s->is_object())
    return Bad(kType, "field 'summary' missing or not an object");
  m.summary = *s;
  return m;
}

nlohmann::json ResultNote::FirstAnomaly() const {
  auto a = summary.find("anomalies");
  if (a == summary.end() || !a->is_array() || a->empty()) return nullptr;
  return (*a)[0];
}

std::string Settings::Encode() const {
  auto j = Control(kType);
  j["settings"] = settings.ToJson();
  return j.dump();
}
Result<Settings> Settings::Decode(const nlohmann::json& j) {
  auto s = j.find("settings");
  if (s == j.end()) return Bad(kType, "field 'settings' missing");
  Settings m;
  TERN_ASSIGN_OR_RETURN(m.settings, SettingsBody::Decode(*s));
  return m;
}

std::string Restate::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["to"] = to;
  return j.dump();
}
Result<Restate> Restate::Decode(const nlohmann::json& j) {
  Restate m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.to, FieldAddr(j, "to"));
  return m;
}

std::string Delete::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  return j.dump();
}
Result<Delete> Delete::Decode(const nlohmann::json& j) {
  Delete m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  return m;
}

#undef TERN_FIELD

}  // namespace tern::msg
