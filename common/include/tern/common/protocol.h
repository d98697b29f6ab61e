// tern's topics and messages. Chunks travel in small binary envelopes; control messages are
// JSON objects with a version "v" and a "type". Every decoder here is strict: a wrong
// version, a missing or mistyped field, or an oversized message is an error naming what is
// wrong, and the caller counts and logs it with the sender.
// Thread-safety: free functions and value types.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/status.h"

namespace tern {

inline constexpr int kProtocolVersion = 1;
inline constexpr size_t kMaxControlBytes = 1 << 20;
// Deepest nesting of arrays and objects a control message may have. Checked on the raw text
// before parsing, so no hostile message can drive a recursive parser or destructor deep.
inline constexpr int kMaxControlDepth = 32;

// Topic names under a per-site prefix (default "tern"). Every topic a node publishes on
// carries the publishing node's NAME (`<n>`), and topics addressed to one node carry the
// receiver's name (`<to>`), so the gateway's ACL can confine each node to its own topics and
// a receiver learns who spoke from the topic, never from a field in the body:
//   reg/<n>            edge n -> core: register        reg/<n>/reply  core -> n (never retained)
//   up/<n>             edge n -> core: uplinks         hb/<n>         edge n -> core: hb, offline
//   stored/<n>         edge n -> core: stored, dropped
//   put/<n>/<to>       n (edge, or the core for results) -> store <to>: put envelopes
//   peer/<n>/<to>      store n -> node <to> (edge or core): put_ack, put_nack, restate(_nack)
//   down/<to>          core only -> node <to>: everything the core says to one node
//   members            core only (retained)             x/...   core only: exports
class Topics {
 public:
  explicit Topics(std::string prefix = "tern") : p_(std::move(prefix)) {}
  std::string Reg(const std::string& name) const { return p_ + "/reg/" + name; }
  std::string RegReply(const std::string& name) const { return p_ + "/reg/" + name + "/reply"; }
  std::string RegAll() const { return p_ + "/reg/+"; }
  std::string Members() const { return p_ + "/members"; }
  std::string Up(const std::string& name) const { return p_ + "/up/" + name; }
  std::string UpAll() const { return p_ + "/up/+"; }
  std::string Hb(const std::string& name) const { return p_ + "/hb/" + name; }
  std::string HbAll() const { return p_ + "/hb/+"; }
  std::string Stored(const std::string& name) const { return p_ + "/stored/" + name; }
  std::string StoredAll() const { return p_ + "/stored/+"; }
  std::string Put(const std::string& from, const std::string& to) const {
    return p_ + "/put/" + from + "/" + to;
  }
  std::string PutTo(const std::string& to) const { return p_ + "/put/+/" + to; }
  std::string Peer(const std::string& from, const std::string& to) const {
    return p_ + "/peer/" + from + "/" + to;
  }
  std::string PeerTo(const std::string& to) const { return p_ + "/peer/+/" + to; }
  std::string Down(const std::string& to) const { return p_ + "/down/" + to; }
  // The core's echo to itself through the broker (its liveness gate; only the core uses it).
  std::string Echo(const std::string& core) const { return p_ + "/echo/" + core; }
  std::string Export(const std::string& rest) const { return p_ + "/x/" + rest; }
  const std::string& prefix() const { return p_; }

  // A topic under this prefix taken apart: its kind ("up", "put", ...) and the node names in
  // it. `from` is the publishing node's name for reg, up, hb, stored, put and peer topics
  // (empty for down, members and x, which only the core publishes); `to` is the receiver's
  // name for put, peer and down topics. `kind` is empty for a topic outside the prefix.
  struct Parts {
    std::string kind, from, to;
    bool reply = false;  // reg/<n>/reply
  };
  Parts Parse(std::string_view topic) const;

 private:
  std::string p_;
};

// --- binary chunk envelopes (tern/up/<n>, tern/put/<n>/<to>, tern/peer/<n>/<core>) ---
// kGot: a store's answer to the core's `get` (store_messages.h), the request echoing its req.
enum class EnvelopeType : uint8_t { kUp = 1, kPut = 2, kGot = 3 };

// Wire (version 2): u32 magic "TRNM" | u8 version | u8 type | u32 sender | u64 request |
// 32 B chunk id | 64 B origin signature | chunk. The receiver recomputes the id from the
// chunk bytes and rejects a mismatch, so an altered header is caught as surely as an altered
// body; in pki mode it also verifies the origin's Ed25519 signature of the id
// (SignChunkId in statements.h), so nobody but the origin can pass a chunk off as its data.
// Without a key (insecure mode) the signature bytes are zero.
inline constexpr size_t kEnvelopeSigBytes = 64;
struct Envelope {
  EnvelopeType type = EnvelopeType::kUp;
  uint32_t sender = 0;
  uint64_t request = 0;    // put: echoed in the put_ack
  std::string_view id;     // claimed chunk id (32 bytes)
  std::string_view sig;    // the origin's signature of the id (64 bytes; zeros: unsigned)
  std::string_view chunk;  // wire chunk, a view into the message
};

// `sig` is the origin's 64-byte signature of `id`, or empty (written as zeros).
std::string EncodeEnvelope(EnvelopeType type, uint32_t sender, uint64_t request, const ChunkId& id,
                           std::string_view sig, std::string_view chunk);
// Checks magic, version, type, that a chunk follows and that its SHA-256 equals the claimed
// id; does not decode the chunk and does not verify the signature (the receiver knows the
// origin's key).
Result<Envelope> DecodeEnvelope(std::string_view msg);

// --- JSON control messages ---
// Parses JSON text of at most `max_bytes` and at most `max_depth` levels of nesting without
// throwing; the depth is checked on the text first.
Result<nlohmann::json> ParseJsonBounded(std::string_view text, size_t max_bytes = kMaxControlBytes,
                                        int max_depth = kMaxControlDepth);

// Parses a JSON object of at most kMaxControlBytes and kMaxControlDepth with
// "v" == kProtocolVersion and a string "type"; returns it, or an error that says which of
// those failed.
Result<nlohmann::json> ParseControl(std::string_view msg);

// Field readers that fail with "field 'x' missing/not a ..." instead of throwing. `j` must
// be an object.
Result<uint64_t> FieldU64(const nlohmann::json& j, const char* name);
Result<int64_t> FieldI64(const nlohmann::json& j, const char* name);
// A finite number (an integer is accepted too).
Result<double> FieldDouble(const nlohmann::json& j, const char* name);
// A node address: 1 .. 2^32-1.
Result<uint32_t> FieldAddr(const nlohmann::json& j, const char* name);
Result<std::string> FieldString(const nlohmann::json& j, const char* name, size_t max_len = 4096);
// A 32-byte chunk id from a 64-digit hex field.
Result<ChunkId> FieldChunkId(const nlohmann::json& j, const char* name);
// Optional fields: `def` when absent; an error when present with the wrong type or range
// (null included), so a mistyped optional field is as visible as a missing required one.
Result<uint64_t> OptU64(const nlohmann::json& j, const char* name, uint64_t def);
Result<int64_t> OptI64(const nlohmann::json& j, const char* name, int64_t def);
Result<double> OptDouble(const nlohmann::json& j, const char* name, double def);
Result<std::string> OptString(const nlohmann::json& j, const char* name, std::string def,
                              size_t max_len = 4096);

// A control message skeleton {"v":1,"type":type}.
nlohmann::json Control(const char* type);

struct StoredNotice {  // store -> core: "I now hold chunk id"
  ChunkId id;
  uint32_t holder = 0;
  uint32_t origin = 0;
  std::string source;
  uint64_t seq = 0;
  uint64_t t_first = 0, t_last = 0;
  uint32_t records = 0;
  uint64_t bytes = 0;
  int priority = 0;
  int kind = 0;
};
nlohmann::json ToJson(const StoredNotice& n);
Result<StoredNotice> StoredFromJson(const nlohmann::json& j);
// Fills a notice from a decoded chunk header.
StoredNotice NoticeFor(const ChunkId& id, uint32_t holder, const ChunkHeader& h, size_t bytes);

}  // namespace tern
