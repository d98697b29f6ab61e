// Typed control messages: one struct per message type that crosses the gateway as JSON.
//
// Every struct has `Encode()` (the JSON text, with "v" and "type") and a static `Decode()`
// that reads an already parsed object with the non-throwing field readers of protocol.h and
// fails with a Status naming the field. Nothing here throws: a message of any shape is either
// a value or an error. Receivers route by type with `msg::Dispatcher` (dispatch.h), which
// also bounds size and nesting before anything is decoded.
//
// Who sends what (topics in protocol.h; <n> is the sender's name, <to> the receiver's):
//   edge -> core  reg/<n>: Register      hb/<n>: Heartbeat, Offline    stored/<n>: Stored, Dropped
//   core -> edge  reg/<n>/reply: Registered, RegistrationRefused       members: Members
//                 down/<to>: Ack, Refused, Throttle, ResultNote, Settings, Restate, Delete
//   store -> node peer/<n>/<to>: PutAck, PutNack, RestateNack; edge -> store: Restate
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/pressure.h"
#include "tern/common/protocol.h"
#include "tern/common/status.h"

namespace tern::msg {

inline constexpr size_t kMaxName = 64;        // node names
inline constexpr size_t kMaxReason = 1024;    // free-text reasons
inline constexpr size_t kMaxCertPem = 8192;   // a node certificate in PEM (Ed25519: ~700 bytes)
inline constexpr size_t kKeyHexLen = 64;      // an Ed25519 public key in hex
inline constexpr size_t kMaxCounters = 1024;  // entries in a heartbeat's counters
inline constexpr size_t kMaxNodes = 100000;   // entries in a members list
inline constexpr size_t kMaxHolders = 64;
inline constexpr size_t kMaxSourceName = 255;  // a source's name in sequence floors
inline constexpr size_t kMaxSeqFloors = 1024;  // entries in a registration's seq_floors
inline constexpr size_t kMaxZone = 32;         // a node's zone label (node.zone)

// A zone label (node.zone): empty (no zone), or up to kMaxZone of [A-Za-z0-9._-]. Reads
// prefer holders whose zone is the core's (docs/architecture.md, "Reads").
bool ValidZone(std::string_view zone);
// The config check of node.zone (edge and core): Ok, or an error naming the key and value.
Status CheckZoneKey(const std::string& value);

// node -> core: "give me my address" (re-sent on every connect).
struct Register {
  static constexpr const char* kType = "register";
  std::string name;
  // (An older edge also sent "store_path", its SQLite file's path; Decode ignores it: no
  // node ever opens another node's files.)
  int64_t capacity = 0;  // bytes; 0 = unknown
  // The store's persistent random id: a second box under an enrolled name is refused.
  std::string node_id;
  std::string nonce;      // echoed in the reply: the node takes only the answer to its own request
  uint64_t will_seq = 0;  // the number its Last Will (`offline`) is sealed with
  // pki mode: the node's certificate (PEM); the core verifies it against the site CA and CRL
  // and the register's signature with its key.
  std::string cert;
  std::string Encode() const;
  static Result<Register> Decode(const nlohmann::json& j);
};

// An edge's settings as the core sends them (ternctl edge set).
struct SettingsBody {
  std::string name;
  std::string priority = "keep";  // "keep" or a priority name
  int64_t weight = 1;
  std::string kinds = "samples,blob,event";
  int64_t max_bytes_per_s = 0;
  int64_t protocol = kProtocolVersion;
  nlohmann::json ToJson() const;
  static Result<SettingsBody> Decode(const nlohmann::json& j);
  bool operator==(const SettingsBody&) const = default;
};

// Where one of the node's sources must start: above every chunk and record number the core
// has seen from it (seq_marks in core.db).
struct SeqFloor {
  std::string source;
  uint64_t next_chunk = 0;
  uint64_t next_record = 0;
  bool operator==(const SeqFloor&) const = default;
};

// core -> node: the permanent address (and the settings the core holds for the node).
struct Registered {
  static constexpr const char* kType = "registered";
  std::string name;
  uint32_t addr = 0;
  int64_t protocol = kProtocolVersion;
  std::optional<SettingsBody> settings;
  std::string nonce;  // the request's
  // pki mode: the core's certificate (PEM); the node verifies it against the site CA and
  // takes its key to verify everything the core says.
  std::string core_cert;
  // Per source, the numbers the node must start above: an edge that lost its store (started
  // on an empty data directory) does not begin again at 0. Empty for a new node.
  std::vector<SeqFloor> seq_floors;
  std::string Encode() const;
  static Result<Registered> Decode(const nlohmann::json& j);
};

// core -> node on reg/<name>/reply: registration refused.
struct RegistrationRefused {
  static constexpr const char* kType = "refused";
  std::string reason;
  std::string nonce;      // the request's
  std::string core_cert;  // pki mode: as in Registered, so the node can verify the refusal
  std::string Encode() const;
  static Result<RegistrationRefused> Decode(const nlohmann::json& j);
};

// node -> core, periodically: load and counters.
struct Heartbeat {
  static constexpr const char* kType = "hb";
  uint32_t addr = 0;
  std::string name;
  double cpu = 0;        // 0..1
  int64_t used = 0;      // bytes stored
  int64_t capacity = 0;  // bytes; 0 = unknown
  int64_t queue = 0;     // chunks in the outbox
  int64_t outbox_bytes = 0;
  bool disk_full = false;  // the last local commit failed on a full disk (absent: false)
  // The store's disk-pressure level (pressure.h), 0..kMaxPressure; absent: 0 (normal).
  Pressure pressure = Pressure::kNormal;
  std::map<std::string, int64_t> counters;
  // The sender's wall clock (ms since the epoch) when it sent this; 0 = not given. The core
  // flags a node whose clock is off its own by more than clock.max_skew.
  uint64_t wall_ms = 0;
  // Placement (placement.h), optional on the wire: the sender's placement.window in ms (0 = not
  // said) and the group of each of its sources that has one (a source not listed is a group of
  // its own). At most kMaxGroups entries, names and groups 1..128 bytes.
  uint64_t placement_window_ms = 0;
  std::map<std::string, std::string> groups;
  static constexpr size_t kMaxGroups = 64;
  // Bytes the sender's store saves by dedup (shared bodies' extra references); -1 = not
  // given (an older edge, or a core's heartbeat).
  int64_t dedup_saved = -1;
  // The node's zone (its node.zone, a ValidZone label); empty = none said (absent on the wire).
  std::string zone;
  std::string Encode() const;
  static Result<Heartbeat> Decode(const nlohmann::json& j);
};

// node -> core (also the Last Will): the node is going away.
struct Offline {
  static constexpr const char* kType = "offline";
  uint32_t addr = 0;
  std::string Encode() const;
  static Result<Offline> Decode(const nlohmann::json& j);
};

// core -> all, retained: the members and their states.
struct MemberInfo {
  uint32_t addr = 0;
  std::string name;
  std::string state;  // unknown, live, suspect, offline, dead
  double load = 0.5;  // 0..1
  std::string key;    // pki mode: its enrolled Ed25519 public key, 64 hex; empty otherwise
  // An operator drained it (`ternctl drain`): choose it as a peer for no new replica; its
  // copies are being moved elsewhere. Optional on the wire (absent: false).
  bool draining = false;
  // Its store's disk-pressure level (pressure.h, from its heartbeats): place on it no new
  // copy of a priority the level refuses. Optional on the wire (absent: normal).
  Pressure pressure = Pressure::kNormal;
  bool operator==(const MemberInfo&) const = default;
};
struct Members {
  static constexpr const char* kType = "members";
  std::vector<MemberInfo> nodes;
  std::string core;  // the core's name: stores answer its restates on peer/<n>/<core>
  // Changes each time the core (re)connects to the broker (0: not given). A store that sees a
  // new epoch restates its recent replicas: `stored` notices published while the core could
  // not hear them were dropped by the broker.
  uint64_t epoch = 0;
  // The core's wall clock (ms since the epoch) when it published this; 0 = not given.
  // `tern-edge --check` compares it with its own to report the clock offset.
  uint64_t wall_ms = 0;
  std::string Encode() const;
  static Result<Members> Decode(const nlohmann::json& j);
};

// store -> core: "I now hold chunk id" (the StoredNotice of protocol.h).
struct Stored : StoredNotice {
  static constexpr const char* kType = "stored";
  Stored() = default;
  explicit Stored(const StoredNotice& n) : StoredNotice(n) {}
  std::string Encode() const;
  static Result<Stored> Decode(const nlohmann::json& j);
};

// store -> core: "I no longer hold chunk id".
struct Dropped {
  static constexpr const char* kType = "dropped";
  ChunkId id;
  uint32_t holder = 0;
  std::string Encode() const;
  static Result<Dropped> Decode(const nlohmann::json& j);
};

// store -> sender of a put (or of a restate): the copy is durable here.
struct PutAck {
  static constexpr const char* kType = "put_ack";
  ChunkId id;
  uint32_t holder = 0;
  std::string Encode() const;
  static Result<PutAck> Decode(const nlohmann::json& j);
};

// store -> sender of a put: the copy was refused (and why).
struct PutNack {
  static constexpr const char* kType = "put_nack";
  ChunkId id;
  uint32_t holder = 0;
  std::string reason;
  std::string Encode() const;
  static Result<PutNack> Decode(const nlohmann::json& j);
};

// store -> asker of a restate: the copy is not here (news, not a refusal).
struct RestateNack {
  static constexpr const char* kType = "restate_nack";
  ChunkId id;
  uint32_t holder = 0;
  std::string reason;
  std::string Encode() const;
  static Result<RestateNack> Decode(const nlohmann::json& j);
};

// core -> origin: the chunk is in the manifest with these holders.
struct Ack {
  static constexpr const char* kType = "ack";
  ChunkId id;
  std::vector<uint32_t> holders;
  std::string Encode() const;
  static Result<Ack> Decode(const nlohmann::json& j);
};

// core -> origin: the uplink was refused for good (e.g. a kind not permitted). A chunk that
// reuses an acked (source, seq) is refused with reason "seq_reuse: ..." and the source's
// marks: the highest acked chunk seq and the numbers the source must start above.
struct Refused {
  static constexpr const char* kType = "refused";
  ChunkId id;
  std::string reason;
  uint64_t seq_high = 0;     // seq_reuse only
  uint64_t next_chunk = 0;   // seq_reuse only; 0 otherwise
  uint64_t next_record = 0;  // seq_reuse only
  std::string Encode() const;
  static Result<Refused> Decode(const nlohmann::json& j);
};

// core -> origin: over the byte-rate budget; send again after retry_after_ms.
struct Throttle {
  static constexpr const char* kType = "throttle";
  ChunkId id;
  std::string reason;
  uint64_t retry_after_ms = 0;
  std::string Encode() const;
  static Result<Throttle> Decode(const nlohmann::json& j);
};

// core -> origin (and tern/x/...): an analysis result of the origin's data.
struct ResultNote {
  static constexpr const char* kType = "result";
  ChunkId id;  // the result chunk
  std::string processor;
  uint32_t origin = 0;
  std::string origin_name;
  std::string source;
  ChunkId source_chunk;
  uint64_t source_seq = 0;
  uint64_t source_chunks = 0;
  int64_t anomalies = 0;
  nlohmann::json summary = nlohmann::json::object();  // processor-specific, an object
  std::string Encode() const;
  static Result<ResultNote> Decode(const nlohmann::json& j);
  // The first entry of summary["anomalies"] if that is a non-empty array, else null.
  nlohmann::json FirstAnomaly() const;
};

// core -> edge: the edge's settings changed.
struct Settings {
  static constexpr const char* kType = "settings";
  SettingsBody settings;
  std::string Encode() const;
  static Result<Settings> Decode(const nlohmann::json& j);
};

// core or edge -> store: state again whether you hold chunk id, answering to address `to`.
struct Restate {
  static constexpr const char* kType = "restate";
  ChunkId id;
  uint32_t to = 0;
  std::string Encode() const;
  static Result<Restate> Decode(const nlohmann::json& j);
};

// core -> store: an excess copy; drop it if it is a replica.
struct Delete {
  static constexpr const char* kType = "delete";
  ChunkId id;
  std::string Encode() const;
  static Result<Delete> Decode(const nlohmann::json& j);
};

// Parses `text` as one JSON control message with "v" == kProtocolVersion and a string
// "type", decodes it as M and checks its type is M::kType. For tests and simple receivers;
// daemons use a Dispatcher.
template <typename M>
Result<M> DecodeText(std::string_view text) {
  TERN_ASSIGN_OR_RETURN(auto j, ParseControl(text));
  if (j["type"].get_ref<const std::string&>() != M::kType) {
    return Status::InvalidArgument(std::string("message is not of type '") + M::kType + "'");
  }
  return M::Decode(j);
}

}  // namespace tern::msg
